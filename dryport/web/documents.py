"""Documents attached to a booking, on its detail page: the list, the upload form, the
download and the removal (after a confirmation page)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.hygiene import upload_limit
from dryport.labels import label
from dryport.models import DocumentKind
from dryport.responses import attachment_response
from dryport.schemas.documents import DocumentUploadSchema
from dryport.services import bookings, documents
from dryport.services.errors import DomainError
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import domain_errors, load_nested_form

bp = Blueprint("documents", __name__, url_prefix="/bookings")


def section(booking, errors: dict | None = None, form=None) -> dict:
    """What the detail page's documents section shows: the documents, what the user may do
    with them, the kinds to choose from, and an upload's errors and choices."""
    return {
        "documents": documents.documents_of(db.session, booking),
        "document_actions": documents.document_actions(current_user, booking),
        "document_kinds": list(DocumentKind),
        "document_errors": errors or {},
        "document_form": form or {},
        "max_document_mb": documents.MAX_MB,
    }


def _detail(reference: str):
    return url_for("bookings.booking_detail", reference=reference, _anchor="documents")


@bp.route("/<reference:reference>/documents", methods=["POST"])
@upload_limit(documents.MAX_REQUEST_BYTES)
@role_required(*documents.EDITORS)
def add_document(reference: str):
    from dryport.web.bookings import detail_page

    fields = {**request.form.to_dict(), **request.files.to_dict()}
    data, errors = load_nested_form(DocumentUploadSchema(), fields)
    status = 422
    if data:
        upload = data["file"]
        try:
            document = documents.add_document(
                db.session, current_user, reference, data["kind"], upload.filename, upload.stream
            )
        except DomainError as error:
            if error.status == 404:
                raise
            db.session.rollback()
            errors, status = domain_errors(error), error.status
        else:
            flash(
                _(
                    "%(kind)s %(name)s attached.",
                    kind=label(document.kind),
                    name=document.file_name,
                ),
                "success",
            )
            return redirect(_detail(reference))
    booking = bookings.get_booking(db.session, current_user, reference)
    return detail_page(booking, status, errors=errors, form=request.form)


@bp.route("/<reference:reference>/documents/<id:document_id>/file")
@role_required()
def download_document(reference: str, document_id: int):
    document = documents.get_document(db.session, current_user, reference, document_id)
    return attachment_response(document.data, document.content_type, document.file_name)


@bp.route("/<reference:reference>/documents/<id:document_id>/remove", methods=["GET", "POST"])
@role_required(*documents.EDITORS)
def remove_document(reference: str, document_id: int):
    """Remove after a confirmation page that names the document."""
    if request.method == "GET" or not confirmed():
        document = documents.get_document(db.session, current_user, reference, document_id)
        return _remove_page(document, refused=request.method == "POST")
    try:
        documents.remove_document(db.session, current_user, reference, document_id)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("Document removed."), "success")
    return redirect(_detail(reference))


def _remove_page(document, refused: bool):
    booking = document.booking
    return confirm_page(
        title=_("Remove %(name)s?", name=document.file_name),
        consequences=[
            _(
                "%(kind)s %(name)s is removed from booking %(reference)s; the timeline keeps "
                "a note that it was there.",
                kind=label(document.kind),
                name=document.file_name,
                reference=booking.reference,
            ),
            _("To have it on the booking again, upload it again."),
        ],
        action=url_for(
            "documents.remove_document", reference=booking.reference, document_id=document.id
        ),
        button=_("Yes, remove the document"),
        back=_detail(booking.reference),
        refused=refused,
        blocked=(
            _("The departure has left: its documents can no longer be removed.")
            if documents.has_left(booking)
            else None
        ),
    )
