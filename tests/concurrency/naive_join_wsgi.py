"""A deliberately broken dryport, the control for the race of joins and frees: a booking
that asks to wait and does not fit lets the departure's lock go (its transaction ends)
before it joins the waitlist, after a pause. A cancel in between frees room and promotes
those already waiting, not this one, which then waits beside the free room (a lost
wake-up). The race test must catch it."""

import time
from contextvars import ContextVar

from dryport import create_app
from dryport.services import bookings, capacity
from dryport.services.errors import CapacityExceeded

PAUSE = 2.0  # seconds between the refusal and the joining (the test's cancels fall inside)
_joining: ContextVar[bool] = ContextVar("joining", default=False)
_place, _hold = bookings.place_booking, capacity.hold


def naive_place_booking(session, user, data, now=None):
    token = _joining.set(bool(data.get("waitlist")))
    try:
        return _place(session, user, data, now)
    finally:
        _joining.reset(token)


def naive_hold(session, departure, teu, *args, **kwargs):
    joins = _joining.get()
    _joining.set(False)  # the booking's own hold only, not the promotions it may start
    try:
        _hold(session, departure, teu, *args, **kwargs)
    except CapacityExceeded:
        if joins:
            session.commit()  # the refusal's lock let go before the booking is on the list
            time.sleep(PAUSE)
        raise


bookings.place_booking = naive_place_booking
capacity.hold = naive_hold
app = create_app()
