"""A deliberately broken dryport, the control for the promotion race: a change that frees
room lets the departure's lock go (its transaction commits, the room freed with it), then
reads the free room and the waiting bookings, decides which fit, pauses, and writes the
promotions and the departure's held TEU as it worked them out (read, then write, without the
lock). Two frees close together both give the same room to the same waiting bookings. The
race test must catch it."""

import time

from sqlalchemy import select, update

from dryport import create_app
from dryport.models import Booking, BookingEvent, BookingStatus, Departure, EventType
from dryport.services import waitlist

PAUSE = 0.2  # seconds between reading the queue and promoting from it


def naive_promote(session, departure, now=None, actor=None):
    session.commit()  # the room freed is written, the lock let go
    departure_id = departure.id
    held, free = session.execute(
        select(
            Departure.held_teu, Departure.capacity_teu - Departure.held_teu - Departure.reserved_teu
        ).where(Departure.id == departure_id)
    ).one()
    chosen = []
    for booking in waitlist.waiting(session, departure_id):
        if booking.teu <= free:
            chosen.append(booking.id)
            free -= booking.teu
            held += booking.teu
    session.commit()  # SQLite: what was read is not held either (its write lock let go)
    time.sleep(PAUSE)
    if chosen:
        session.execute(update(Departure).where(Departure.id == departure_id).values(held_teu=held))
        session.execute(
            update(Booking).where(Booking.id.in_(chosen)).values(status=BookingStatus.RECEIVED)
        )
        for booking_id in chosen:
            session.add(BookingEvent(booking_id=booking_id, type=EventType.PROMOTED, details={}))
        session.flush()
    return waitlist.Moved()


waitlist.promote = naive_promote
app = create_app()
