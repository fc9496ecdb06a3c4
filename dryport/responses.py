"""Response helpers shared by the web pages and the API."""

import re
from urllib.parse import quote

from flask import Response


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under ``filename`` when downloaded (RFC 6266: an
    ASCII name for every client, the exact one for those that read ``filename*``)."""
    response = Response(data, mimetype="application/pdf")
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", filename) or "document.pdf"
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
