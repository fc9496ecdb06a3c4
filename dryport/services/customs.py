"""A booking's customs data (declaration number, invoice value, currency) and its sea
continuation (ocean booking, vessel, voyage, port of discharge): given or changed on their
own until the departure leaves, after confirmation too, when other amendments are closed."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from dryport.models import Booking, BookingStatus, EventType, Role, User
from dryport.services import shipment
from dryport.services.access import require_role
from dryport.services.bookings import check_version, flush, get_booking_for_change, record_event
from dryport.services.clock import utcnow
from dryport.services.departures import OPEN_DEPARTURE
from dryport.services.errors import Conflict

#: Who may give the customs data: the booking's own shipper, or an operator.
CUSTOMS_ROLES = (Role.SHIPPER, Role.OPERATOR)
OPEN_STATUSES = (BookingStatus.RECEIVED, BookingStatus.CONFIRMED)
#: The parts of a booking that may change on their own until the departure leaves.
LATE_FIELDS = frozenset({"customs", "sea_leg"})


def customs_open(user: User, booking: Booking) -> bool:
    """Whether ``user`` may still give or change the customs data of ``booking``, found
    within the user's scope (the rule ``set_customs`` enforces, for showing the action)."""
    return (
        user.role in CUSTOMS_ROLES
        and booking.status in OPEN_STATUSES
        and booking.departure.status in OPEN_DEPARTURE
    )


def set_customs(
    session: Session,
    user: User,
    reference: str,
    customs: dict | None,
    version: int,
    now: datetime | None = None,
) -> Booking:
    """Give, change or (with ``None``) clear the customs data of a booking (``set_late``)."""
    return set_late(session, user, reference, {"customs": customs}, version, now)


def set_late(
    session: Session,
    user: User,
    reference: str,
    data: dict,
    version: int,
    now: datetime | None = None,
) -> Booking:
    """Give, change or (with ``None``) clear the parts of ``LATE_FIELDS`` that ``data`` names,
    on a booking in the user's scope, by its shipper or an operator, while the booking is
    received or confirmed and its departure has not left. The timeline records the change as
    an amendment.

    Raises ``Forbidden`` for another role, ``NotFound`` outside the scope, ``Conflict`` for a
    stale ``version`` or once the departure has left (or the booking was cancelled or
    rejected), ``Invalid`` for a sea leg the route's document does not take
    (``shipment.check_transport_terms``).
    """
    require_role(user, *CUSTOMS_ROLES)
    booking = get_booking_for_change(session, user, reference)
    check_version(booking, version)
    if not customs_open(user, booking):
        raise Conflict(
            _l("Customs data can be changed only until the departure leaves, on a live booking.")
        )
    if "sea_leg" in data:
        shipment.check_transport_terms(
            session, booking, booking.departure.route, {"sea_leg": data["sea_leg"]}
        )
    before = _texts(booking)
    if "customs" in data:
        shipment.apply_customs(booking, data["customs"])
    shipment.apply_transport_terms(
        booking, {"sea_leg": data["sea_leg"]} if "sea_leg" in data else {}
    )
    after = _texts(booking)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        booking.updated_at = now or utcnow()
        record_event(session, booking, user, EventType.AMENDED, changes=changes)
    flush(session)
    return booking


def _texts(booking: Booking) -> dict:
    return {
        "customs": shipment.customs_text(booking),
        "sea_leg": shipment.sea_leg_text(booking),
    }
