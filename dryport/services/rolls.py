"""Rolling bookings to another departure of the same route: one booking or a selection,
never past the target's capacity, the departure rows always locked in id order."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.labels import label
from dryport.models import Booking, BookingStatus, Departure, DepartureStatus, EventType, User
from dryport.services import capacity, waitlist, waybills
from dryport.services.access import STAFF, booking_scope, require_role
from dryport.services.bookings import (
    check_version,
    flush,
    get_booking_for_change,
    lock_departures,
    record_event,
)
from dryport.services.clock import utcnow
from dryport.services.containers import format_teu
from dryport.services.errors import CapacityExceeded, Conflict, Invalid
from dryport.services.operations import LIVE

ROLLABLE = LIVE


def roll_booking(
    session: Session,
    user: User,
    reference: str,
    target_id: int,
    version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move a RECEIVED or CONFIRMED booking to another departure of the same route.

    The TEU are held on the target atomically (``CapacityExceeded`` when they do not fit) and
    released on the source; the booking keeps its status.
    """
    require_role(user, *STAFF)
    _check_departure_id(target_id)
    booking = get_booking_for_change(session, user, reference, target_id)
    if version is not None:
        check_version(booking, version)
    if booking.status not in ROLLABLE:
        raise Conflict(_l("A %(status)s booking cannot be rolled.", status=label(booking.status)))
    source = booking.departure
    target = session.get(Departure, target_id)
    if target is None:
        raise Invalid(errors={"departure_id": [_l("No such departure.")]})
    if target.id == source.id:
        raise Invalid(errors={"departure_id": [_l("The booking is already on it.")]})
    if target.route_id != source.route_id:
        raise Invalid(errors={"departure_id": [_l("Roll only to a departure of the same route.")]})
    if not _takes_rolls(target, now or utcnow()):
        raise Invalid(errors={"departure_id": [_l("Roll only to a departure not yet left.")]})
    # Departure rows are always locked in id order, so two rolls in opposite directions
    # cannot deadlock; a refused hold rolls the release back with it.
    moves = [(target, capacity.hold), (source, capacity.release)]
    for departure, move in sorted(moves, key=lambda pair: pair[0].id):
        move(
            session, departure, booking.teu, booking.gross_weight_kg,
            station_id=booking.origin_station_id, now=now,
        )  # fmt: skip
    booking.departure = target
    booking.updated_at = now or utcnow()
    if booking.status is BookingStatus.CONFIRMED:  # the printed waybill names the old train
        waybills.issue_waybill(session, booking, user, now)
    record_event(
        session, booking, user, EventType.ROLLED,
        from_departure=source.service_no, to_departure=target.service_no,
        from_departs_at=source.departs_at.isoformat(), to_departs_at=target.departs_at.isoformat(),
    )  # fmt: skip
    flush(session)
    waitlist.promote(session, source, now)  # the room it left
    return booking


def roll_bookings(
    session: Session, user: User, references: list[str], target_id: int
) -> list[Booking]:
    """Roll a selection to one departure: all of them or, if one does not fit, none.

    The departures of the whole selection are locked first, at once (in id order): locking
    them booking by booking would take them out of order when the selection spans several.
    """
    if not references:
        raise Invalid(errors={"references": [_l("Choose at least one booking.")]})
    _check_departure_id(target_id)
    selected = session.execute(
        select(Booking.departure_id, Booking.teu).where(
            Booking.reference.in_(set(references)), booking_scope(user)
        )
    ).all()
    lock_departures(session, [*(departure_id for departure_id, _teu in selected), target_id])
    target = session.get(Departure, target_id)
    free = target.free_teu if target else None  # what the operator's menu showed
    rolled = []
    try:
        for ref in references:
            rolled.append(roll_booking(session, user, ref, target_id))
    except CapacityExceeded:
        # The selection against what was free before it, not the last booking against
        # what the earlier ones left.
        wanted = sum(teu for _departure_id, teu in selected)
        raise CapacityExceeded(
            _l(
                "Not enough capacity on %(service)s: the selection needs %(requested)s TEU,"
                " %(free)s TEU free.",
                service=target.service_no,
                requested=format_teu(wanted),
                free=format_teu(free),
            ),
            available_teu=float(free),
        ) from None
    return rolled


def roll_targets(session: Session, departure: Departure) -> list[Departure]:
    """Other departures of the same route that still take bookings (``_takes_rolls``);
    none for a departure whose bookings can no longer move."""
    if departure.status not in (DepartureStatus.SCHEDULED, DepartureStatus.CLOSED):
        return []
    return list(
        session.scalars(
            select(Departure)
            .where(
                Departure.route_id == departure.route_id,
                Departure.id != departure.id,
                Departure.status == DepartureStatus.SCHEDULED,
                Departure.departs_at > utcnow(),
            )
            .order_by(Departure.departs_at)
        )
    )


def _takes_rolls(departure: Departure, now: datetime) -> bool:
    """A roll target is scheduled and not yet due to leave (as ``roll_targets`` lists)."""
    return departure.status is DepartureStatus.SCHEDULED and departure.departs_at > now


def _check_departure_id(departure_id: int) -> None:
    """An id no row can have is no departure (and not a database error: integers are 32-bit)."""
    if not 1 <= departure_id <= 2**31 - 1:
        raise Invalid(errors={"departure_id": [_l("No such departure.")]})
