"""Response helpers shared by the web pages and the API."""

from flask import Response


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under ``filename`` when downloaded."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
