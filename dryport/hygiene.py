"""Request and response hygiene, once for every page and call: input no field of the product
can hold is refused before any view sees it, and every response carries the security
headers.

Every text that can reach a schema is read here, whatever carried it: the path, every name
and value of the query string and of a form (all values of a repeated field, not only the
first), and a JSON body of any JSON media type (``application/json``,
``application/merge-patch+json`` ...), sized or chunked, parsed in full. Refused:

- a NUL character, 422: PostgreSQL cannot store one in text, and no name, number or address
  has one;
- a JSON body that is not JSON, nests deeper than ``MAX_JSON_DEPTH`` (5,000 brackets would
  exhaust the parser's recursion) or holds a lone surrogate (``"\\ud800"``, half of a
  character, which no UTF-8 encoder or database takes), 400.
"""

import json

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l

from dryport.services.errors import Invalid, Malformed

_NUL = "\x00"
#: No body of the API nests deeper than a few levels (a booking's cargo, its lines).
MAX_JSON_DEPTH = 32


def _form_texts():
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    # A multipart part may come without a name: Werkzeug keys it None.
    for key, value in request.form.items(multi=True):
        yield key or ""
        yield value
    for key, upload in request.files.items(multi=True):
        yield key or ""
        yield upload.filename or ""


def _json_texts():
    """Every key and string of the JSON body, read without recursion."""
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        document = json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # not JSON, not UTF-8, or an integer of more digits than Python reads
        raise Malformed(
            _l("The request could not be read; send JSON with Content-Type application/json.")
        ) from None
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            if isinstance(value, dict):
                yield from value.keys()
                value = value.values()
            stack.extend((item, depth + 1) for item in value)


def _too_deep() -> Malformed:
    return Malformed(_l("The JSON body nests deeper than %(n)d levels.", n=MAX_JSON_DEPTH))


def check_request_texts() -> None:
    """Raises ``Invalid`` for a NUL character anywhere in the request's texts, ``Malformed``
    for a JSON body that cannot be read or holds a lone surrogate."""
    texts = [request.path, *_form_texts()]
    if request.is_json:
        texts.extend(_json_texts())
    for text in texts:
        if text is None:  # a multipart part without a name: nothing to read
            continue
        if _NUL in text:
            raise Invalid(_l("The request contains a NUL character, which no field accepts."))
        try:
            text.encode()
        except UnicodeEncodeError:
            raise Malformed(
                _l("The request contains half of a character (a lone surrogate), which is no text.")
            ) from None


#: A strict policy: only this site's own scripts, styles, images; no frames, no plugins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def upload_limit(max_bytes: int, too_large=None):
    """Mark a view that takes a file: its requests may be up to ``max_bytes`` long instead
    of ``MAX_CONTENT_LENGTH``. Place it below the route decorator. The limit is set before
    anything reads the body (the CSRF check, ``check_request_texts``), so a larger request
    is a 413 however it is read, and no view needs a larger limit than its own.
    ``too_large`` is what its 413 says (``too_large_message``), a lazy text."""

    def mark(view):
        view.max_content_length = max_bytes
        view.too_large = too_large
        return view

    return mark


def too_large_message() -> str | None:
    """What the view of this request says of a body over its limit, if it says anything."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    message = getattr(view, "too_large", None)
    return str(message) if message is not None else None


#: How much of a refused (too large) body is read and thrown away, so that the client, which
#: sends all of it before it reads an answer, gets the 413 instead of a connection closed
#: under it. Beyond this the connection is closed: a reverse proxy's own body limit is the
#: defence against bodies that large (docs/DEPLOYMENT.md).
DRAIN_LIMIT = 64 * 1024 * 1024


def drain_body() -> None:
    """Read and discard what is left of the request's body, up to ``DRAIN_LIMIT`` bytes:
    called when a body is refused as too large before it was read."""
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return
    left = DRAIN_LIMIT
    try:
        length = request.content_length
        if length is not None:
            left = min(left, length)
        while left > 0:
            chunk = stream.read(min(left, 64 * 1024))
            if not chunk:
                return
            left -= len(chunk)
    except (OSError, ValueError):  # the client went away meanwhile: nothing to answer
        return


def _request_limit(app: Flask) -> None:
    view = app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_content_length", None)
    if limit is not None:
        request.max_content_length = limit


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

    app.before_request(lambda: _request_limit(app))
    app.before_request(check_request_texts)
