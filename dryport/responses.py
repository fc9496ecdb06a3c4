"""Response helpers shared by the web pages and the API."""

import io
import re
from typing import IO
from urllib.parse import quote

from flask import Response
from werkzeug.wsgi import FileWrapper


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The ``Content-Disposition`` of every download (RFC 6266): an ASCII name for every
    client, the exact one for those that read ``filename*``. A header is Latin-1 by the HTTP
    rules, so a name taken from the URL or from data (full-width digits, Chinese) must never
    go into it unquoted."""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", filename, flags=re.ASCII) or "download"
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under ``filename`` when downloaded."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename, "inline")
    response.headers["Cache-Control"] = "private, no-store"
    return response


class _File(FileWrapper):
    """A file sent in blocks and closed at the end, or when the response is dropped unread."""

    def __del__(self) -> None:
        self.close()


def pdf_file_response(file: IO[bytes], filename: str) -> Response:
    """Like ``pdf_response``, for a PDF in an open file (at its start): sent in blocks of
    64 KiB rather than read into memory, and closed once sent."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    response = Response(_File(file, 64 * 1024), mimetype="application/pdf", direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = content_disposition(filename, "inline")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_response(data, filename: str) -> Response:
    """A CSV file to save under ``filename``."""
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def attachment_response(data: bytes, media_type: str, filename: str) -> Response:
    """A file to save under ``filename``, never shown inline and never sniffed as another
    type than ``media_type`` (an uploaded document: what it claims to be is not trusted)."""
    response = Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
