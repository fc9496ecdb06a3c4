"""Bookings: finding them within the user's scope, and their timeline.

Placing, amending and cancelling bookings follow the capacity and cut-off rules; every state
change writes a ``BookingEvent`` through ``record_event``.
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from dryport.models import Booking, BookingEvent, BookingStatus, Departure, EventType, Route, User
from dryport.services.access import booking_scope
from dryport.services.errors import NotFound


def bookings_query(
    user: User,
    status: BookingStatus | None = None,
    route: str | None = None,
    departure_id: int | None = None,
) -> Select:
    """The bookings ``user`` may see, newest first, optionally filtered."""
    stmt = select(Booking).where(booking_scope(user))
    if status is not None:
        stmt = stmt.where(Booking.status == status)
    if departure_id is not None:
        stmt = stmt.where(Booking.departure_id == departure_id)
    if route:
        stmt = stmt.join(Booking.departure).join(Departure.route).where(Route.code == route)
    return stmt.order_by(Booking.created_at.desc(), Booking.id.desc())


def get_booking(session: Session, user: User, reference: str) -> Booking:
    """The booking with ``reference`` if ``user`` may see it.

    Raises ``NotFound`` both when it does not exist and when it is outside the user's scope,
    so that a reference of another company reveals nothing.
    """
    booking = session.scalar(
        select(Booking)
        .where(Booking.reference == reference, booking_scope(user))
        .options(selectinload(Booking.lines), selectinload(Booking.events))
    )
    if booking is None:
        raise NotFound()
    return booking


def record_event(
    session: Session, booking: Booking, actor: User | None, type_: EventType, **details
) -> BookingEvent:
    """Append an entry to the booking's timeline."""
    event = BookingEvent(booking=booking, actor=actor, type=type_, details=details)
    session.add(event)
    return event
