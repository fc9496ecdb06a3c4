"""Transport documents as PDF: a booking's waybill (its owner or an operator), its originals
(operators, once per revision), a departure's manifest and its print job (operators)."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.db import lock_at_first_write
from dryport.extensions import db
from dryport.models import Role
from dryport.responses import csv_response, pdf_file_response, pdf_response
from dryport.services import manifest, originals, print_jobs, waybills
from dryport.services.access import STAFF

blp = Blueprint("api_waybills", __name__, description="Waybills as PDF")


def _file(description: str, media_type: str = "application/pdf") -> dict:
    """The OpenAPI answer of an operation that answers with a file."""
    schema = (
        {"type": "string", "format": "binary"} if media_type != "text/csv" else {"type": "string"}
    )
    return {"200": {"description": description, "content": {media_type: {"schema": schema}}}}


PDF = _file("PDF, one A4 page per waybill")
MANIFEST_PDF = _file("PDF, A4 landscape: every container, totals per size-type, TEU and mass")
MANIFEST_CSV = _file(
    "CSV (UTF-8): a row per container or not loaded booking, then the totals", "text/csv"
)


@blp.route("/bookings/<reference:reference>/waybill.pdf")
@token_required(Role.SHIPPER, *STAFF)
@blp.doc(security=BEARER, responses=PDF)
@problems(404, descriptions={404: "No waybill (not confirmed yet), or not yours"})
def booking_waybill(reference):
    """The booking's current waybill, marked COPY"""
    waybill = waybills.waybill_for(db.session, current_api_user(), reference)
    return pdf_response(waybills.render_pdf([waybill]), f"{waybill.number}.pdf")


@blp.route("/bookings/<reference:reference>/waybill/originals", methods=["POST"])
@lock_at_first_write
@token_required(*STAFF)
@blp.doc(security=BEARER, responses=PDF)
@problems(
    404, 409,
    descriptions={
        404: "No waybill (not confirmed yet)",
        409: "This revision's originals were printed already (when and by whom), or the"
        " booking is no longer confirmed",
    },
)  # fmt: skip
def waybill_originals(reference):
    """Print the originals of the current waybill revision, once (3 for a negotiable document)"""
    printed = originals.print_originals(db.session, current_api_user(), reference)
    number = printed.waybill.number
    return pdf_response(printed.pdf, f"{number}-r{printed.waybill.revision}-originals.pdf")


@blp.route("/departures/<id:departure_id>/waybills.pdf")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses=PDF)
@problems(404, descriptions={404: "No such departure, or no waybill on it yet"})
def departure_waybills(departure_id):
    """The departure's print job: its manifest, then every current waybill marked COPY"""
    job = print_jobs.departure_job(db.session, departure_id)
    return pdf_file_response(job, f"waybills-{departure_id}.pdf")


@blp.route("/departures/<id:departure_id>/manifest.pdf")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses=MANIFEST_PDF)
@problems(404, descriptions={404: "No such departure"})
def departure_manifest_pdf(departure_id):
    """The departure manifest: every container of its held bookings, with totals"""
    found = manifest.departure_manifest(db.session, departure_id)
    return pdf_response(manifest.render_pdf(found), f"manifest-{departure_id}.pdf")


@blp.route("/departures/<id:departure_id>/manifest.csv")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses=MANIFEST_CSV)
@problems(404, descriptions={404: "No such departure"})
def departure_manifest_csv(departure_id):
    """The departure manifest as CSV"""
    found = manifest.departure_manifest(db.session, departure_id)
    return csv_response(manifest.as_csv(found), f"manifest-{departure_id}.csv")
