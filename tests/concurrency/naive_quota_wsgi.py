"""A deliberately broken dryport, the control for the quota race: a booking on a departure
with station quotas reads the departure's counters and its station's quota first, without
any lock (before its first write, so on SQLite too: ``db.lock_at_first_write``), decides
from them when it holds, pauses, then writes the totals it worked out (the classic lost
update). The race test must catch a quota or the pool overdrawn."""

import time
from contextvars import ContextVar
from decimal import Decimal

from sqlalchemy import select, update

from dryport import create_app
from dryport.models import Departure, DepartureQuota, Station
from dryport.services import bookings, capacity
from dryport.services.errors import CapacityExceeded

PAUSE = 0.01  # seconds between the check and the write: the time a real check takes
ZERO = Decimal(0)
_place, _hold = bookings.place_booking, capacity.hold
_read: ContextVar = ContextVar("read", default=None)


def naive_place_booking(session, user, data, now=None):
    counters = session.execute(
        select(
            Departure.capacity_teu, Departure.held_teu, Departure.reserved_teu,
            Departure.quota_teu,
        ).where(Departure.id == data["departure_id"])
    ).first()  # fmt: skip
    quota = session.execute(
        select(DepartureQuota.teu, DepartureQuota.held_teu, DepartureQuota.released_at)
        .join(Station, Station.id == DepartureQuota.station_id)
        .where(
            DepartureQuota.departure_id == data["departure_id"],
            Station.code == data["origin_station"],
        )
    ).first()
    token = _read.set((counters, quota))
    try:
        return _place(session, user, data, now)
    finally:
        _read.reset(token)


def naive_hold(session, departure, teu, kg=ZERO, held=(ZERO, ZERO), station_id=None, now=None):
    read = _read.get()
    _read.set(None)  # the booking's own hold only
    if read is None or read[0] is None or not read[0].quota_teu or teu <= 0:
        return _hold(session, departure, teu, kg, held, station_id, now)
    (limit, held_teu, reserved, _quotas), quota = read
    unused = ZERO
    if quota is not None and quota.released_at is None:
        unused = max(ZERO, quota.teu - quota.held_teu)
    own = min(unused, teu)  # taken from the station's quota; the rest from the pool
    if held_teu + reserved + teu - own > limit:
        raise CapacityExceeded(available_teu=float(limit - held_teu - reserved + unused))
    time.sleep(PAUSE)
    session.execute(
        update(Departure)
        .where(Departure.id == departure.id)
        .values(
            held_teu=held_teu + teu, held_kg=Departure.held_kg + kg, reserved_teu=reserved - own
        )
    )
    if quota is not None:
        session.execute(
            update(DepartureQuota)
            .where(
                DepartureQuota.departure_id == departure.id,
                DepartureQuota.station_id == station_id,
            )
            .values(held_teu=quota.held_teu + teu)
        )


bookings.place_booking = naive_place_booking
capacity.hold = naive_hold
app = create_app()
