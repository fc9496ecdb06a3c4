"""Every rule about capacity: a booking holds its TEU (and its gross weight, where a departure
has a weight limit) on its departure from RECEIVED on, and what is held never exceeds the
departure's capacity — under any number of concurrent requests, in one process or many, on
SQLite or PostgreSQL.

How: the hold is one conditional UPDATE (``held_teu + n <= capacity_teu``). On PostgreSQL a
concurrent UPDATE of the same row waits for the first to commit, then re-checks the condition
against the committed row, so READ COMMITTED is enough and nothing reads-then-writes. On
SQLite, write requests begin ``IMMEDIATE`` transactions (``dryport.db``), so two writers never
interleave. Check constraints on ``departures`` refuse an overbooking whatever a code path
forgets.

Station quotas (DESIGN §14): an operator may keep parts of a departure's capacity for
stations; the rest is the open pool. A station's bookings hold within its quota first, then
in the pool; ``DepartureQuota.held_teu`` is all they hold. ``departures.reserved_teu`` is what
the quotas not yet released keep from the pool (each one's ``teu − held_teu``, when
positive), and the database refuses ``held_teu + reserved_teu > capacity_teu``: neither level
can be overdrawn. A quota's unused part returns to the pool ``QUOTA_RELEASE_HOURS`` before
its station's cut-off: ``settle`` writes that, under the departure's row lock, whenever
capacity is asked of a departure with quotas and from the sweep (``services.waitlist``); a
reader computes it (``quota_state``), so the board shows it released on time either way.
A departure with quotas is changed under its row lock (read, decide, write): its rows are
few and its writes rarer than a train's bookings.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from dryport.db import execute_direct
from dryport.models import (
    HOLDING_STATUSES,
    Booking,
    Departure,
    DepartureQuota,
    DepartureStatus,
    Station,
)
from dryport.services.clock import utcnow
from dryport.services.containers import format_teu
from dryport.services.errors import CapacityExceeded, Conflict, Invalid, NotFound, stale

ZERO = Decimal(0)

# Built once: a booking is placed many times a second, and building the statement each time
# cost more than running it. Both return the row as they leave it, locked until commit: what
# is held, and the cut-off, which a booking checks again once it holds the row.
_TEU = bindparam("teu", type_=Departure.held_teu.type)
_KG = bindparam("kg", type_=Departure.held_kg.type)
_RESERVED = bindparam("reserved", type_=Departure.reserved_teu.type)
_LOCKED = (
    Departure.held_teu,
    Departure.held_kg,
    Departure.reserved_teu,
    Departure.quota_teu,
    Departure.cutoff_at,
)
# The fast ways, for a departure without quotas (all its capacity is pool). ``HOLD`` is
# also written into the statement that writes a new booking on PostgreSQL
# (``bookings._write``): one round trip to write the booking and hold its TEU.
HOLD = (
    update(Departure)
    .where(
        Departure.id == bindparam("departure_id"),
        Departure.status == DepartureStatus.SCHEDULED,
        Departure.quota_teu == 0,
        Departure.held_teu + Departure.reserved_teu + _TEU <= Departure.capacity_teu,
        or_(Departure.capacity_kg.is_(None), Departure.held_kg + _KG <= Departure.capacity_kg),
    )
    .values(held_teu=Departure.held_teu + _TEU, held_kg=Departure.held_kg + _KG)
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)
_RELEASE = (
    update(Departure)
    .where(
        Departure.id == bindparam("departure_id"),
        Departure.quota_teu == 0,
        Departure.held_teu >= _TEU,
        Departure.held_kg >= _KG,
    )
    .values(held_teu=Departure.held_teu - _TEU, held_kg=Departure.held_kg - _KG)
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)
_REWEIGH = (
    update(Departure)
    .where(
        Departure.id == bindparam("departure_id"),
        Departure.held_kg + _KG >= 0,
        or_(Departure.capacity_kg.is_(None), Departure.held_kg + _KG <= Departure.capacity_kg),
    )
    .values(held_kg=Departure.held_kg + _KG)
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)
# The way of a departure with quotas, its row locked and the change worked out: the
# database's checks still refuse an overdrawn pool.
_SHIFT = (
    update(Departure)
    .where(Departure.id == bindparam("departure_id"))
    .values(
        held_teu=Departure.held_teu + _TEU,
        held_kg=Departure.held_kg + _KG,
        reserved_teu=Departure.reserved_teu + _RESERVED,
    )
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)
_QUOTA_HELD = (
    update(DepartureQuota)
    .where(
        DepartureQuota.departure_id == bindparam("quota_departure"),
        DepartureQuota.station_id == bindparam("quota_station"),
    )
    .values(held_teu=DepartureQuota.held_teu + bindparam("delta", type_=Departure.held_teu.type))
    .execution_options(synchronize_session=False)
)
_LOCK = (
    select(
        Departure.status,
        Departure.capacity_teu,
        Departure.capacity_kg,
        *_LOCKED,
    )
    .where(Departure.id == bindparam("departure_id"))
    .with_for_update(key_share=True)  # FOR NO KEY UPDATE: see ``bookings.lock_departures``
)
_QUOTAS = (
    select(
        DepartureQuota.station_id,
        DepartureQuota.teu,
        DepartureQuota.held_teu,
        DepartureQuota.released_at,
        Station.feeder_hours,
    )
    .join(Station, Station.id == DepartureQuota.station_id)
    .where(DepartureQuota.departure_id == bindparam("departure_id"))
)


def hold(
    session: Session,
    departure: Departure,
    teu: Decimal,
    kg: Decimal = ZERO,
    held: tuple[Decimal, Decimal] = (ZERO, ZERO),
    station_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Hold ``teu`` and ``kg`` more on ``departure`` for a booking from ``station_id``;
    negative amounts release.

    ``held`` is what the booking holds there already (an amendment holds only the
    difference): a refusal speaks of the totals the shipper asked for and of what is free
    for them, as the form shows totals. Raises ``CapacityExceeded`` naming what is free when
    it does not fit, ``Conflict`` when the departure no longer takes bookings. Then
    ``departure`` has its row as locked: what is held, and the cut-off.
    """
    if teu <= 0 and kg <= 0:
        release(session, departure, -teu, -kg, station_id, now)
        return
    rows = execute_direct(session, HOLD, {"departure_id": departure.id, "teu": teu, "kg": kg})
    row = rows[0] if rows else None
    if row is None:
        row = _lock(session, departure)
        if row.status is not DepartureStatus.SCHEDULED:
            raise Conflict(_l("This departure no longer takes bookings."))
        if row.quota_teu and settle(session, departure.id, now):
            # What a quota gave back goes to those waiting first: they asked earlier.
            from dryport.services import waitlist

            waitlist.promote(session, departure, now)
            row = _lock(session, departure)
        quota = _quota(session, departure.id, station_id) if row.quota_teu else None
        reserved = _reserved_change(quota, teu)
        if row.held_teu + row.reserved_teu + teu + reserved > row.capacity_teu:
            _refuse(departure, row, teu, held, _unused(quota))
        if row.capacity_kg is not None and row.held_kg + kg > row.capacity_kg:
            _refuse_kg(departure, row, teu, kg, held, _unused(quota))
        row = _shift(session, departure.id, teu, kg, reserved, quota)
    locked(departure, row._mapping)


def release(
    session: Session,
    departure: Departure,
    teu: Decimal,
    kg: Decimal = ZERO,
    station_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Give back ``teu`` and ``kg`` held on ``departure`` by a booking from ``station_id``
    (cancel, reject, roll, smaller amendment). Within a quota not yet released, what is
    given back is kept for the station again."""
    if teu <= 0 and kg <= 0:
        return
    row = (
        session.connection()
        .execute(_RELEASE, {"departure_id": departure.id, "teu": teu, "kg": kg})
        .first()
    )
    if row is None:
        row = _lock(session, departure)
        if row.held_teu < teu or row.held_kg < kg:  # released already by a change that won
            raise stale()
        if row.quota_teu:
            settle(session, departure.id, now)
        quota = _quota(session, departure.id, station_id) if row.quota_teu else None
        row = _shift(session, departure.id, -teu, -kg, _reserved_change(quota, -teu), quota)
    locked(departure, row._mapping)


@dataclass(frozen=True)
class _Quota:
    station_id: int
    teu: int
    held_teu: Decimal
    open: bool  # not released: its unused part is kept from the pool

    @property
    def unused(self) -> Decimal:
        return max(ZERO, self.teu - self.held_teu) if self.open else ZERO


def _lock(session: Session, departure: Departure):
    """The departure's row, locked until commit (PostgreSQL; SQLite's writers are serialised
    already); ``NotFound`` when it is gone."""
    row = session.execute(_LOCK, {"departure_id": departure.id}).first()
    if row is None:
        raise NotFound()
    locked(departure, row._mapping)
    return row


def _quota(session: Session, departure_id: int, station_id: int | None) -> _Quota | None:
    """The station's quota on the departure, as its locked row has it (after ``settle``)."""
    if station_id is None:
        return None
    row = session.execute(
        _QUOTAS.where(DepartureQuota.station_id == station_id), {"departure_id": departure_id}
    ).first()
    if row is None:
        return None
    return _Quota(row.station_id, row.teu, row.held_teu, row.released_at is None)


def _unused(quota: _Quota | None) -> Decimal:
    return quota.unused if quota else ZERO


def _reserved_change(quota: _Quota | None, teu: Decimal) -> Decimal:
    """How what the station's quota keeps from the pool changes when its bookings hold
    ``teu`` more (negative: less)."""
    if quota is None or not quota.open:
        return ZERO
    return max(ZERO, quota.teu - quota.held_teu - teu) - quota.unused


def _shift(session, departure_id, teu, kg, reserved, quota: _Quota | None):
    row = session.execute(
        _SHIFT, {"departure_id": departure_id, "teu": teu, "kg": kg, "reserved": reserved}
    ).one()
    if quota is not None:
        session.execute(
            _QUOTA_HELD,
            {"quota_departure": departure_id, "quota_station": quota.station_id, "delta": teu},
        )
    return row


def release_at(cutoff_at: datetime, feeder_hours: int) -> datetime:
    """When a station's unused quota returns to the pool: ``QUOTA_RELEASE_HOURS`` before the
    station's cut-off (the hub cut-off less its trucking hours)."""
    hours = feeder_hours + current_app.config["QUOTA_RELEASE_HOURS"]
    try:
        return cutoff_at - timedelta(hours=hours)
    except OverflowError:  # a cut-off stored in year 1: released from the start
        return cutoff_at


def settle(session: Session, departure_id: int, now: datetime | None = None) -> list[int]:
    """Release the quotas of the departure whose time has come: their unused part returns
    to the pool. Call with the departure's row locked. Idempotent: a quota is released once.
    Returns the ids of the stations released now."""
    now = now or utcnow()
    cutoff_at = session.scalar(select(Departure.cutoff_at).where(Departure.id == departure_id))
    due = [
        row
        for row in session.execute(
            _QUOTAS.where(DepartureQuota.released_at.is_(None)), {"departure_id": departure_id}
        )
        if now >= release_at(cutoff_at, row.feeder_hours)
    ]
    if not due:
        return []
    freed = sum((max(ZERO, row.teu - row.held_teu) for row in due), ZERO)
    session.execute(
        update(DepartureQuota)
        .where(
            DepartureQuota.departure_id == departure_id,
            DepartureQuota.station_id.in_([row.station_id for row in due]),
        )
        .values(released_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        _SHIFT, {"departure_id": departure_id, "teu": ZERO, "kg": ZERO, "reserved": -freed}
    )
    return [row.station_id for row in due]


@dataclass(frozen=True)
class QuotaState:
    """A station's quota on a departure as a reader sees it at a moment."""

    station: Station
    teu: int
    held_teu: Decimal
    released: bool
    release_at: datetime

    @property
    def available_teu(self) -> Decimal:
        """What the quota still keeps for its station (0 once released)."""
        return ZERO if self.released else max(ZERO, self.teu - self.held_teu)


def quota_state(departure: Departure, now: datetime | None = None) -> list[QuotaState]:
    """The departure's quotas (loaded with it), each released once its time has come even
    when ``settle`` has not yet written it."""
    now = now or utcnow()
    states = []
    for quota in departure.quotas:
        at = release_at(departure.cutoff_at, quota.station.feeder_hours)
        states.append(
            QuotaState(
                station=quota.station,
                teu=quota.teu,
                held_teu=quota.held_teu,
                released=quota.released_at is not None or now >= at,
                release_at=quota.released_at or at,
            )
        )
    return states


def load_quotas(session: Session, departures: list[Departure]) -> None:
    """Load the quotas of many departures (a page of a board) in one query, as if each had
    loaded its own: ``quota_state`` then asks nothing more of the database."""
    found: dict[int, list[DepartureQuota]] = {d.id: [] for d in departures}
    if not found:
        return
    for quota in session.scalars(
        select(DepartureQuota)
        .where(DepartureQuota.departure_id.in_(found))
        .order_by(DepartureQuota.station_id)
    ):
        found[quota.departure_id].append(quota)
    for departure in departures:
        set_committed_value(departure, "quotas", found[departure.id])


def pool_available(departure: Departure, now: datetime | None = None) -> Decimal:
    """What the open pool has free now: counting the quotas released on time."""
    kept = sum((state.available_teu for state in quota_state(departure, now)), ZERO)
    return max(ZERO, Decimal(departure.capacity_teu) - departure.held_teu - kept)


def available_for(departure: Departure, station_id: int, now: datetime | None = None) -> Decimal:
    """What a booking from the station may hold now: its quota's unused part and the pool."""
    own = sum(
        (s.available_teu for s in quota_state(departure, now) if s.station.id == station_id),
        ZERO,
    )
    return pool_available(departure, now) + own


def reweigh(session: Session, departure: Departure, kg: Decimal) -> None:
    """A loaded booking's gross becomes its weighed mass: hold ``kg`` more (negative: less)
    on ``departure``, whatever its status (the containers are in the yard already; a CLOSED
    departure takes no new bookings, not a truer weight). Raises ``CapacityExceeded`` when
    more would pass the departure's weight limit."""
    if kg == 0:
        return
    row = session.execute(_REWEIGH, {"departure_id": departure.id, "kg": kg}).first()
    if row is None:
        capacity_kg, held_kg = session.execute(
            select(Departure.capacity_kg, Departure.held_kg).where(Departure.id == departure.id)
        ).one()
        if capacity_kg is None or held_kg + kg < 0:
            raise stale()
        raise CapacityExceeded(
            _l(
                "Not enough weight capacity: %(requested)s kg more, %(free)s kg free.",
                requested=f"{kg:,.0f}",
                free=f"{Decimal(capacity_kg) - held_kg:,.0f}",
            ),
            available_kg=float(Decimal(capacity_kg) - held_kg),
        )
    locked(departure, row._mapping)


def holds_at_once(departure: Departure, teu: Decimal, kg: Decimal) -> bool:
    """Whether ``departure``, as it was read (without a lock), takes ``teu`` and ``kg`` by
    ``HOLD``: scheduled, without quotas, with room. A guess that only chooses the way: the
    conditional UPDATE decides, and when it refuses, ``hold`` is asked (which refuses,
    or finds the room freed meanwhile)."""
    return (
        departure.status is DepartureStatus.SCHEDULED
        and not departure.quota_teu
        and teu > 0
        and departure.held_teu + departure.reserved_teu + teu <= departure.capacity_teu
        and (departure.capacity_kg is None or departure.held_kg + kg <= departure.capacity_kg)
    )


def locked(departure: Departure, values) -> None:
    """Give ``departure`` what ``HOLD`` (or another of the UPDATEs above) returned, a
    mapping of ``_LOCKED``'s keys, as if loaded: no query to read it. A change to these
    attributes not yet flushed would be lost: hold before changing them."""
    for key, value in values.items():
        set_committed_value(departure, key, value)


def _refuse(departure: Departure, row, teu: Decimal, held, own: Decimal):
    """Not enough TEU: what the booking asked for in all, and what is free for it (the
    pool and its station's unused quota)."""
    free_teu = Decimal(row.capacity_teu) - row.held_teu - row.reserved_teu + own
    raise CapacityExceeded(
        _l(
            "Not enough capacity: %(requested)s TEU requested, %(free)s TEU free.",
            requested=format_teu(teu + held[0]),
            free=format_teu(free_teu + held[0]),
        ),
        available_teu=float(free_teu),
    )


def _refuse_kg(departure: Departure, row, teu: Decimal, kg: Decimal, held, own: Decimal):
    free_teu = Decimal(row.capacity_teu) - row.held_teu - row.reserved_teu + own
    free_kg = Decimal(row.capacity_kg) - row.held_kg
    raise CapacityExceeded(
        _l(
            "Not enough weight capacity: %(requested)s kg requested, %(free)s kg free.",
            requested=f"{kg + held[1]:,.0f}",
            free=f"{free_kg + held[1]:,.0f}",
        ),
        available_teu=float(free_teu),
        available_kg=float(free_kg),
    )


def set_quotas(
    session: Session, departure: Departure, wanted: list[dict], now: datetime | None = None
) -> dict:
    """Give ``departure`` the station quotas ``wanted`` (``[{station, teu}]``, replacing
    those it has); call with its row locked and its capacity as it will be. Refused
    (``Invalid``, per quota) for an unknown or repeated station, a change of a quota whose
    release time has come (removing one is always allowed), quotas that add up to more than
    the capacity, or more than the pool has free. Returns the change for the audit log."""
    now = now or utcnow()
    codes = [quota["station"] for quota in wanted]
    stations = {s.code: s for s in session.scalars(select(Station).where(Station.code.in_(codes)))}
    current = {
        quota.station_id: quota
        for quota in session.scalars(
            select(DepartureQuota)
            .where(DepartureQuota.departure_id == departure.id)
            .execution_options(populate_existing=True)
        )
    }
    errors, seen, rows = {}, set(), {}
    for index, quota in enumerate(wanted):
        station = stations.get(quota["station"])
        if station is None or (not station.active and station.id not in current):
            errors[index] = {"station": [_l("No such station.")]}
        elif station.id in seen:
            errors[index] = {"station": [_l("One quota per station.")]}
        else:
            seen.add(station.id)
            rows[station.id] = (station, quota["teu"])
            old = current.get(station.id)
            due = now >= release_at(departure.cutoff_at, station.feeder_hours)
            if (due or (old and old.released_at)) and (old is None or old.teu != quota["teu"]):
                errors[index] = {"teu": [_l("Its release time has come: it can only be removed.")]}
    if errors:
        raise Invalid(errors={"quotas": errors})
    total = sum(teu for _station, teu in rows.values())
    if total > departure.capacity_teu:
        raise Invalid(
            errors={
                "quotas": [
                    _l(
                        "The quotas add up to %(total)s TEU, more than the capacity of"
                        " %(capacity)s TEU.",
                        total=total,
                        capacity=departure.capacity_teu,
                    )
                ]
            }
        )
    held = dict(
        session.execute(
            select(Booking.origin_station_id, func.sum(Booking.teu))
            .where(Booking.departure_id == departure.id, Booking.status.in_(HOLDING_STATUSES))
            .group_by(Booking.origin_station_id)
        ).all()
    )
    before = {q.station.code: q.teu for q in current.values()}
    for station_id, quota in current.items():
        if station_id not in rows:
            session.delete(quota)
    reserved = ZERO
    for station_id, (_station, teu) in rows.items():
        quota = current.get(station_id)
        if quota is None:
            quota = DepartureQuota(departure_id=departure.id, station_id=station_id)
            session.add(quota)
        quota.teu = teu
        quota.held_teu = held.get(station_id, ZERO)
        if quota.released_at is None:
            reserved += max(ZERO, teu - quota.held_teu)
    if departure.held_teu + reserved > departure.capacity_teu:
        free = Decimal(departure.capacity_teu) - departure.held_teu - departure.reserved_teu
        raise Invalid(
            errors={
                "quotas": [
                    _l(
                        "The pool has %(free)s TEU free: not enough to keep these quotas.",
                        free=format_teu(max(ZERO, free)),
                    )
                ]
            }
        )
    departure.quota_teu = total
    departure.reserved_teu = reserved
    after = {station.code: teu for station, teu in rows.values()}
    return {"quotas": [before, after]} if before != after else {}
