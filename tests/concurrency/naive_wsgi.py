"""A deliberately broken dryport, the control for the concurrency tests: capacity is held by
reading, checking and then writing (the classic lost update), on PostgreSQL never in the
statement that writes the booking, and SQLite write transactions begin deferred. The same
tests that pass on the real app must catch it."""

import time

from sqlalchemy import select, update

import dryport.db
from dryport import create_app
from dryport.models import Departure
from dryport.services import capacity
from dryport.services.errors import CapacityExceeded


def naive_hold(session, departure, teu, kg=0, *args, **kwargs):
    held, limit = session.execute(
        select(Departure.held_teu, Departure.capacity_teu).where(Departure.id == departure.id)
    ).one()
    if held + teu > limit:
        raise CapacityExceeded(available_teu=float(limit - held))
    time.sleep(0.005)  # the time a real check takes, made visible
    session.execute(
        update(Departure)
        .where(Departure.id == departure.id)
        .values(held_teu=held + teu, held_kg=Departure.held_kg + kg)
    )


capacity.hold = naive_hold
capacity.holds_at_once = lambda *args: False  # never the one-statement hold (PostgreSQL)
dryport.db.SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PATCH"})
app = create_app()
