"""A deliberately broken dryport, the control for the roll race test: paused as
``race_wsgi``, it locks the departure its booking was on when read and then, once it has
that lock, whatever departure the booking is on by then — out of id order when a roll moved
the booking meanwhile. The race test must catch it (a deadlock, on PostgreSQL)."""

from sqlalchemy import select

from dryport.models import Departure
from dryport.services import bookings, loading, rolls
from tests.concurrency.race_wsgi import app

__all__ = ["app"]


def unordered_get_booking_for_change(session, user, reference, *also_lock):
    booking = bookings.get_booking(session, user, reference, timeline=False)
    ids = sorted({booking.departure_id, *also_lock})
    session.execute(
        select(Departure.id).where(Departure.id.in_(ids)).order_by(Departure.id).with_for_update()
    )
    session.refresh(booking)
    return booking


for module in (bookings, loading, rolls):
    module.get_booking_for_change = unordered_get_booking_for_change
