"""Customs release on the operator's departure page: each booking's release state, the form
that records one release, and the upload of the customs' release list."""

import re

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from dryport.extensions import db
from dryport.schemas.operations import CustomsReleaseSchema
from dryport.services import bookings, customs_release
from dryport.services.access import STAFF
from dryport.services.clock import to_local, utcnow
from dryport.services.errors import DomainError
from dryport.web.access import role_required
from dryport.web.forms import beijing_input, domain_errors, load_form

bp = Blueprint("customs", __name__, url_prefix="/operations")
bp.add_app_template_global(customs_release.needs_release, "needs_release")

_LINE = re.compile(r"line (\d+)")


def section(departure, reference=None, errors=None, form=None, list_errors=None) -> dict:
    """What the departure page's customs release part shows: whether the route needs
    release, the time a release defaults to, and a refused form's errors and inputs (of the
    booking ``reference``, or of the release list)."""
    list_errors = list_errors or {}
    lines = sorted(
        ((int(m.group(1)), messages) for key, messages in list_errors.items()
         if (m := _LINE.fullmatch(key))),
        key=lambda pair: pair[0],
    )  # fmt: skip
    return {
        "needs_release": customs_release.needs_release(departure.route),
        "release_now": to_local(utcnow()).strftime("%Y-%m-%dT%H:%M"),
        "release_reference": reference,
        "release_errors": errors or {},
        "release_form": form or {},
        "release_list_errors": {k: v for k, v in list_errors.items() if not _LINE.fullmatch(k)},
        "release_line_errors": lines,
    }


def _page(departure_id: int):
    return url_for("operations.departure_detail", departure_id=departure_id, _anchor="customs")


@bp.route("/bookings/<reference:reference>/customs-release", methods=["POST"])
@role_required(*STAFF)
def release_booking(reference: str):
    """Record one booking's release; its errors are shown beside the booking's form."""
    from dryport.web.operations import departure_page

    booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
    departure_id = booking.departure_id
    released_at = request.form.get("released_at", "").strip()
    data, errors = load_form(
        CustomsReleaseSchema(),
        {
            "declaration_no": request.form.get("declaration_no", ""),
            "released_at": beijing_input(released_at) if released_at else "",
        },
    )
    status = 422
    if data:
        try:
            customs_release.release(
                db.session, current_user, reference, data["declaration_no"], data["released_at"]
            )
        except DomainError as error:
            if error.status == 404:
                raise
            db.session.rollback()
            errors, status = domain_errors(error), error.status
        else:
            flash(_("Customs release of %(reference)s recorded.", reference=reference), "success")
            return redirect(_page(departure_id))
    return departure_page(
        departure_id, status, reference=reference, errors=errors, form=request.form
    )


@bp.route("/departures/<id:departure_id>/customs-releases", methods=["POST"])
@role_required(*STAFF)
def release_list(departure_id: int):
    """Record the customs' release list (a CSV file); every line's error is listed."""
    from dryport.web.operations import departure_page

    upload = request.files.get("file")
    data = upload.stream.read(customs_release.MAX_BYTES + 1) if upload else b""
    try:
        released = customs_release.release_list(db.session, current_user, departure_id, data)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        return departure_page(departure_id, error.status, list_errors=domain_errors(error))
    flash(
        ngettext(
            "Release list recorded: %(num)d booking released.",
            "Release list recorded: %(num)d bookings released.",
            len(released),
        ),
        "success",
    )
    return redirect(_page(departure_id))
