"""Names of the domain's states and kinds, in the user's language, for every interface."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from dryport.models import BookingStatus, DepartureStatus, EventType, Role, TransportMode
from dryport.services.containers import format_teu

LABELS = {
    Role.SHIPPER: _l("Shipper"),
    Role.CLERK: _l("Station clerk"),
    Role.OPERATOR: _l("Operator"),
    Role.ADMIN: _l("Administrator"),
    BookingStatus.RECEIVED: _l("Received"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.REJECTED: _l("Rejected"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.DEPARTED: _l("Departed"),
    BookingStatus.ARRIVED: _l("Arrived"),
    DepartureStatus.SCHEDULED: _l("Open for booking"),
    DepartureStatus.CLOSED: _l("Cut-off passed"),
    DepartureStatus.DEPARTED: _l("Departed"),
    DepartureStatus.ARRIVED: _l("Arrived"),
    DepartureStatus.CANCELLED: _l("Cancelled"),
    EventType.CREATED: _l("Booking received"),
    EventType.AMENDED: _l("Booking amended"),
    EventType.CANCELLED: _l("Booking cancelled"),
    EventType.CONFIRMED: _l("Load confirmed"),
    EventType.REJECTED: _l("Load rejected"),
    EventType.ROLLED: _l("Rolled to another departure"),
    EventType.DEPARTED: _l("Departed"),
    EventType.ARRIVED: _l("Arrived"),
    EventType.WAYBILL_ISSUED: _l("Waybill issued"),
    TransportMode.ROAD: _l("Road"),
    TransportMode.RAIL: _l("Rail"),
    TransportMode.WATER: _l("Inland water"),
    TransportMode.SEA: _l("Sea"),
}


def label(value) -> str:
    return str(LABELS.get(value, getattr(value, "name", value)))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(label=label, role_label=label)
    app.jinja_env.filters["teu"] = format_teu
