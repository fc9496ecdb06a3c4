"""Request and response hygiene, once for every page and call: input no field of the product
can hold is refused before any view sees it, and every response carries the security
headers."""

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from dryport.services.errors import Invalid

_NUL_TEXT = "\x00"
_NUL_BYTES = (b"\x00", b"\\u0000")


def _has_nul() -> bool:
    if _NUL_TEXT in request.path:
        return True
    if any(_NUL_TEXT in key or _NUL_TEXT in value for key, value in request.args.items(multi=True)):
        return True
    if request.content_length and request.mimetype in ("application/json",):
        data = request.get_data(cache=True)
        return any(marker in data for marker in _NUL_BYTES)
    if request.form:
        return any(_NUL_TEXT in value for value in request.form.values())
    return False


#: A strict policy: only this site's own scripts, styles, images; no frames, no plugins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not app.debug:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Pages and answers hold other companies' data and once-shown secrets: no cache keeps
        # them. Static files set their own policy.
        headers.setdefault("Cache-Control", "no-store")
        return response

    @app.before_request
    def _refuse_nul_characters():
        # PostgreSQL cannot store NUL in text; no name, number or address contains one.
        if _has_nul():
            raise Invalid(_l("The request contains a NUL character, which no field accepts."))
