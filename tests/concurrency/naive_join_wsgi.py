"""A deliberately broken dryport, the control for the race of joins and frees: a booking
that asks to wait decides that it does not fit from what it reads first, without the
departure's lock, and joins the waitlist after a pause without asking again. A cancel in
between frees room and promotes those already waiting, not this one, which then waits
beside the free room (a lost wake-up). The race test must catch it."""

import time
from contextvars import ContextVar

from sqlalchemy import select

from dryport import create_app
from dryport.models import Departure
from dryport.services import bookings, capacity
from dryport.services.errors import CapacityExceeded

PAUSE = 2.0  # seconds between the refusal and the joining (the test's cancels fall inside)
_joins: ContextVar[bool] = ContextVar("joins", default=False)
_place, _hold, _at_once = bookings.place_booking, capacity.hold, capacity.holds_at_once


def naive_place_booking(session, user, data, now=None):
    joins = False
    if data.get("waitlist"):
        free = session.scalar(
            select(Departure.capacity_teu - Departure.held_teu - Departure.reserved_teu).where(
                Departure.id == data["departure_id"]
            )
        )  # before the first write: no lock, on SQLite either
        joins = free is not None and free < bookings.booking_teu(data["containers"])
        if joins:
            session.rollback()  # let the read go: nothing of this request is held meanwhile
            time.sleep(PAUSE)
    token = _joins.set(joins)
    try:
        return _place(session, user, data, now)
    finally:
        _joins.reset(token)


def naive_hold(session, departure, teu, *args, **kwargs):
    if _joins.get():
        _joins.set(False)  # the booking's own hold only, not the promotions it may start
        raise CapacityExceeded(available_teu=0.0)  # as decided before the pause
    return _hold(session, departure, teu, *args, **kwargs)


def naive_holds_at_once(departure, teu, kg):
    # Decided before the pause: not the one-statement hold either (PostgreSQL).
    return not _joins.get() and _at_once(departure, teu, kg)


bookings.place_booking = naive_place_booking
capacity.hold = naive_hold
capacity.holds_at_once = naive_holds_at_once
app = create_app()
