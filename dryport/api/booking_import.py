"""Bulk booking upload (multipart XLSX or CSV, a dry run first) and its template."""

from flask import request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.hygiene import upload_limit
from dryport.models import Role
from dryport.responses import attachment_response
from dryport.schemas.booking_import import IMPORT_BODY, ImportResultSchema
from dryport.schemas.bookings import BookingCreateSchema
from dryport.services import booking_files, booking_import
from dryport.services.errors import Invalid

blp = Blueprint("api_booking_import", __name__, description="Bulk booking upload")

#: The request may carry the file and a few form fields beside it.
MAX_REQUEST_BYTES = booking_files.MAX_BYTES + 64 * 1024
_TEMPLATE = {
    "200": {
        "description": "The template: a header row in both languages and an example row on"
        " a departure that can be booked now",
        "content": {booking_files.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}
_TEMPLATE_CSV = {
    "200": {
        "description": "The template as CSV (UTF-8 with BOM)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@blp.route("/bookings/import", methods=["POST"])
@upload_limit(MAX_REQUEST_BYTES, booking_files.TOO_LARGE)
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, requestBody=IMPORT_BODY)
@blp.response(200, ImportResultSchema)
@problems(413, 422, descriptions={
    413: "The file is larger than 8 MiB",
    422: "A file that cannot be read: not XLSX or CSV, macros, empty, headings that are not"
         " the template's, too many rows (errors under file); nothing was written",
})  # fmt: skip
def import_bookings():
    """Check (dry_run=true, the default) or book (dry_run=false) a file of bookings; a real
    run books every row or, when any row is refused, none (answered per row either way)"""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(errors={"file": [_("Send the file of bookings as the file field.")]})
    dry_run = request.form.get("dry_run", "true").strip().lower()
    if dry_run not in ("true", "false"):
        raise Invalid(errors={"dry_run": [_("Enter true or false.")]})
    data = upload.stream.read(booking_files.MAX_BYTES + 1)
    return booking_import.import_bookings(
        db.session, current_api_user(), data, dry_run == "true", BookingCreateSchema().load
    )


@blp.route("/bookings/import/template.xlsx")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, responses=_TEMPLATE)
def import_template():
    """The upload template (XLSX), with an example row"""
    example = booking_import.example_row(db.session)
    return attachment_response(
        booking_files.template_xlsx(example, "bookings"),
        booking_files.XLSX_TYPE,
        "booking-upload-template.xlsx",
    )


@blp.route("/bookings/import/template.csv")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, responses=_TEMPLATE_CSV)
def import_template_csv():
    """The upload template (CSV), with an example row"""
    example = booking_import.example_row(db.session)
    return attachment_response(
        booking_files.template_csv(example), "text/csv", "booking-upload-template.csv"
    )
