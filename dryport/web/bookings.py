"""Bookings as each role sees them: a shipper its company's, a clerk its station's."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from dryport.extensions import db
from dryport.models import BookingStatus
from dryport.services import bookings
from dryport.services.pagination import paginate
from dryport.web.access import role_required

bp = Blueprint("bookings", __name__, url_prefix="/bookings")


@bp.route("/")
@role_required()
def list_bookings():
    status = BookingStatus.__members__.get(request.args.get("status", ""))
    page = paginate(
        db.session,
        bookings.bookings_query(current_user, status=status),
        request.args.get("page", 1, type=int),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "bookings/list.html", page=page, status=status, statuses=list(BookingStatus)
    )


@bp.route("/<reference>")
@role_required()
def booking_detail(reference: str):
    booking = bookings.get_booking(db.session, current_user, reference)
    return render_template("bookings/detail.html", booking=booking)
