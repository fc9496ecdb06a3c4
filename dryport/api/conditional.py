"""Conditional requests, the same for every resource with a ``version`` (bookings,
departures): its ETag is the version (``W/"3"``); ``If-None-Match`` with the current ETag
reads nothing new (304); ``If-Match`` (or ``version`` in the body) names the version a
change was made on, and a stale one is a 409, never a silent overwrite."""

from flask import Response, request
from flask_babel import lazy_gettext as _l

from dryport.services.digits import is_whole_number, whole_number
from dryport.services.errors import Invalid

ETAG = {
    "ETag": {
        "description": 'The version, e.g. W/"3": send it as If-Match to change the object only '
        "if nobody else has, or as If-None-Match to read it only if changed",
        "schema": {"type": "string"},
    }
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": 'The ETag read, e.g. W/"3" (or send "version" in the body): a change of '
    "a later version is refused with 409",
}


def etag(obj) -> str:
    """The ETag of ``obj``: its version, weak (the JSON may be rendered differently)."""
    return f'W/"{obj.version}"'


def not_modified(obj) -> Response | None:
    """A 304 when the request's ``If-None-Match`` is ``obj``'s current ETag, else None."""
    tag = etag(obj)
    if request.headers.get("If-None-Match") == tag:
        return Response(status=304, headers={"ETag": tag})
    return None


def if_match() -> int | None:
    """The version named by an ``If-Match: W/"3"`` header; a malformed one is a 422."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not is_whole_number(value) or len(value) > 9:
        raise Invalid(errors={"If-Match": [_l('The ETag you read, e.g. W/"3".')]})
    return whole_number(value)


def version_read(body: dict | None) -> int | None:
    """The version a change was made on: ``If-Match``, else ``version`` in the body."""
    return if_match() or (body or {}).get("version")


def required_version(body: dict | None) -> int:
    """As ``version_read``; neither given is a 422 (a change must name what it read)."""
    version = version_read(body)
    if version is None:
        raise Invalid(errors={"version": [_l("Send the version you read, or If-Match.")]})
    return version
