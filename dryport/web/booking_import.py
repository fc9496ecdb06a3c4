"""The shipper's bulk booking upload: the template, the upload checked by a dry run (each
row's result beside its number), then the confirmation that books the whole file."""

import base64
import binascii

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.hygiene import upload_limit
from dryport.i18n import locale_code
from dryport.models import Role
from dryport.responses import attachment_response
from dryport.schemas.bookings import BookingCreateSchema
from dryport.services import booking_files, booking_import
from dryport.services.containers import format_teu
from dryport.services.errors import DomainError
from dryport.web.access import role_required
from dryport.web.confirm import confirmed
from dryport.web.forms import domain_errors

bp = Blueprint("booking_import", __name__, url_prefix="/bookings/import")

#: The upload: the file and the form's few fields.
MAX_REQUEST_BYTES = booking_files.MAX_BYTES + 64 * 1024
#: The confirmation carries the checked file back in base64 (a third larger), url-encoded by
#: the browser (its "+", "/" and "=" become three characters each): at most 1.5 times.
MAX_CONFIRM_BYTES = booking_files.MAX_BYTES * 3 // 2 + 64 * 1024


@bp.route("/")
@role_required(Role.SHIPPER)
def upload_page():
    return _page()


@bp.route("/", methods=["POST"])
@upload_limit(MAX_REQUEST_BYTES, booking_files.TOO_LARGE)
@role_required(Role.SHIPPER)
def check_upload():
    """The dry run: every row's result; a file that books whole offers the confirmation."""
    upload = request.files.get("file")
    data = upload.stream.read(booking_files.MAX_BYTES + 1) if upload else b""
    return _run(data, dry_run=True, name=upload.filename if upload else "")


@bp.route("/confirm", methods=["POST"])
@upload_limit(MAX_CONFIRM_BYTES, booking_files.TOO_LARGE)
@role_required(Role.SHIPPER)
def confirm_upload():
    """Book the file the dry run checked: every row, or none when a row is refused now."""
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not confirmed() or not data:
        flash(_("Nothing was booked: upload the file and check it first."), "error")
        return _page(status=400)
    return _run(data, dry_run=False, name=request.form.get("name", ""))


def _run(data: bytes, dry_run: bool, name: str):
    try:
        result = booking_import.import_bookings(
            db.session, current_user, data, dry_run, BookingCreateSchema().load
        )
    except DomainError as error:
        db.session.rollback()
        return _page(errors=domain_errors(error), status=error.status)
    if result.created:
        flash(
            _("Bookings created from the file: %(n)d.", n=result.created),
            "success",
        )  # fmt: skip
        return redirect(url_for("bookings.list_bookings"))
    return _page(
        result=result,
        data=base64.b64encode(data).decode() if result.ok else None,
        name=name,
        status=200 if dry_run or result.ok else 409,
    )


def _page(result=None, data=None, name="", errors=None, status=200):
    zh = locale_code() == "zh"
    labels = {c.key: c.zh if zh else c.en for c in booking_files.COLUMNS}
    teu = sum((row.teu for row in result.rows if row.teu), 0) if result else 0
    return render_template(
        "bookings/import.html",
        result=result,
        data=data,
        name=name,
        errors=errors or {},
        labels=labels,
        teu=format_teu(teu) if result else None,
        max_rows=f"{current_app.config['IMPORT_MAX_ROWS']:,}",
        max_mb=booking_files.MAX_MB,
    ), status


@bp.route("/template.xlsx")
@role_required(Role.SHIPPER)
def template_xlsx():
    example = booking_import.example_row(db.session)
    return attachment_response(
        booking_files.template_xlsx(example, _("Bookings")),
        booking_files.XLSX_TYPE,
        "booking-upload-template.xlsx",
    )


@bp.route("/template.csv")
@role_required(Role.SHIPPER)
def template_csv():
    example = booking_import.example_row(db.session)
    return attachment_response(
        booking_files.template_csv(example), "text/csv", "booking-upload-template.csv"
    )
