"""A deliberately broken dryport, the control for the quota race: a booking on a departure
with station quotas reads the departure's counters and its station's quota without any
lock, decides, pauses, then writes the totals it worked out (the classic lost update). On
SQLite too: a booking's reads come before its first write (``db.lock_at_first_write``), so
they are not serialised with other bookings' writes. The race test must catch a quota or the
pool overdrawn."""

import time
from decimal import Decimal

from sqlalchemy import select, update

from dryport import create_app
from dryport.models import Departure, DepartureQuota
from dryport.services import capacity
from dryport.services.errors import CapacityExceeded

PAUSE = 0.01  # seconds between the check and the write: the time a real check takes
ZERO = Decimal(0)
_hold = capacity.hold


def naive_hold(session, departure, teu, kg=ZERO, held=(ZERO, ZERO), station_id=None, now=None):
    limit, held_teu, reserved, quotas = session.execute(
        select(
            Departure.capacity_teu, Departure.held_teu, Departure.reserved_teu,
            Departure.quota_teu,
        ).where(Departure.id == departure.id)
    ).one()  # fmt: skip
    if not quotas or teu <= 0:  # the real way without quotas, and for what is given back
        return _hold(session, departure, teu, kg, held, station_id, now)
    quota = session.execute(
        select(DepartureQuota.teu, DepartureQuota.held_teu, DepartureQuota.released_at).where(
            DepartureQuota.departure_id == departure.id, DepartureQuota.station_id == station_id
        )
    ).first()
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


capacity.hold = naive_hold
app = create_app()
