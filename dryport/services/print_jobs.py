"""A departure's print job: its manifest first, then every booking's current waybill marked
副本 COPY, as one PDF written to a temporary file so that the response streams it."""

import tempfile
from typing import IO

from flask import current_app
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from dryport.pdf import manifest as manifest_pdf
from dryport.pdf import waybill as waybill_pdf
from dryport.pdf.fonts import cjk_font
from dryport.services import manifest, waybills
from dryport.services.errors import NotFound

#: Above this many bytes the job leaves memory for a file on disk.
SPOOL_BYTES = 1 << 20


def departure_job(session: Session, departure_id: int) -> IO[bytes]:
    """The manifest and the departure's current waybills (copies) as one PDF, in a
    temporary file positioned at its start; the caller closes it (``send_file`` does).

    Each waybill's document is built and drawn in turn and then dropped, so that the job
    holds only the canvas's compressed pages, not a hundred documents at once. Raises
    ``NotFound`` for an unknown departure or one with no waybill yet."""
    found = waybills.departure_waybills(session, departure_id)
    if not found:
        raise NotFound()
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - sent, then closed
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{found[0].booking.departure.service_no}: manifest and waybills")
    canvas.setAuthor("Hengkou Dry Port")
    manifest_pdf.draw(canvas, manifest.departure_manifest(session, departure_id), font)
    for waybill in found:
        waybill_pdf.draw(canvas, waybills.document(waybill), font)
    canvas.save()
    out.seek(0)
    return out
