"""What a departure with station quotas and a waitlist must add up to after a race (DESIGN
§14), worked out again from its bookings: the departure's and the quotas' counters are what
is checked here, never what the check rests on. Shared by the race tests of one server and
of two."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from dryport.models import (
    HOLDING_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    Departure,
    DepartureQuota,
    EventType,
    Station,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class Entry:
    """One booking of the departure, as the database has it."""

    id: int
    reference: str
    station: str
    teu: Decimal
    status: BookingStatus
    created_at: datetime
    promotions: int  # its PROMOTED events

    @property
    def queued(self) -> tuple:
        """Its place in the waitlist's order: oldest first, then by id."""
        return (self.created_at, self.id)


@dataclass(frozen=True)
class Quota:
    teu: int
    held_teu: Decimal  # as the quota's row counts it
    open: bool  # not released: its unused part is kept from the pool


@dataclass(frozen=True)
class Ledger:
    capacity: int
    held_teu: Decimal  # as the departure's row counts it
    reserved_teu: Decimal  # as the departure's row counts it
    quotas: dict[str, Quota]
    bookings: list[Entry]

    def held_by(self, station: str | None = None) -> Decimal:
        """TEU its live bookings hold (from ``station`` only, when given)."""
        return sum(
            (
                b.teu
                for b in self.bookings
                if b.status in HOLDING_STATUSES and station in (None, b.station)
            ),
            ZERO,
        )

    def kept(self) -> Decimal:
        """What the open quotas keep from the pool, by what their stations' bookings hold."""
        return sum(
            (max(ZERO, q.teu - self.held_by(code)) for code, q in self.quotas.items() if q.open),
            ZERO,
        )

    def free_for(self, station: str) -> Decimal:
        """What a booking from ``station`` could hold now: the pool's free TEU and its
        station's unused quota."""
        pool = self.capacity - self.held_by() - self.kept()
        quota = self.quotas.get(station)
        own = max(ZERO, quota.teu - self.held_by(station)) if quota and quota.open else ZERO
        return pool + own

    def with_status(self, *statuses: BookingStatus) -> list[Entry]:
        return [b for b in self.bookings if b.status in statuses]


def read(session, departure_id: int) -> Ledger:
    """The departure's counters and bookings, read afresh."""
    session.rollback()
    session.expire_all()
    capacity, held, reserved = session.execute(
        select(Departure.capacity_teu, Departure.held_teu, Departure.reserved_teu).where(
            Departure.id == departure_id
        )
    ).one()
    quotas = {
        code: Quota(teu, quota_held, released_at is None)
        for code, teu, quota_held, released_at in session.execute(
            select(
                Station.code,
                DepartureQuota.teu,
                DepartureQuota.held_teu,
                DepartureQuota.released_at,
            )
            .join(Station, Station.id == DepartureQuota.station_id)
            .where(DepartureQuota.departure_id == departure_id)
        )  # fmt: skip
    }
    promotions = (
        select(func.count())
        .where(BookingEvent.booking_id == Booking.id, BookingEvent.type == EventType.PROMOTED)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Booking.id,
            Booking.reference,
            Station.code,
            Booking.teu,
            Booking.status,
            Booking.created_at,
            promotions,
        )
        .join(Station, Station.id == Booking.origin_station_id)
        .where(Booking.departure_id == departure_id)
        .order_by(Booking.created_at, Booking.id)
    )
    bookings = [Entry(*row) for row in rows]
    session.rollback()  # no read of ours outlives this: the servers write on
    return Ledger(capacity, held, reserved, quotas, bookings)


def problems(ledger: Ledger) -> list[str]:
    """What does not add up: counters that are not what the bookings hold, a pool or a
    quota overdrawn, a booking promoted twice, a waiting booking that fits the room there
    is (a lost wake-up). Empty when all is well."""
    found = []
    live = ledger.held_by()
    if ledger.held_teu != live:
        found.append(f"the departure counts {ledger.held_teu} TEU held, its bookings {live}")
    for code, quota in ledger.quotas.items():
        if quota.held_teu != ledger.held_by(code):
            found.append(
                f"the quota of {code} counts {quota.held_teu} TEU held, "
                f"its station's bookings {ledger.held_by(code)}"
            )
    kept = ledger.kept()
    if ledger.reserved_teu != kept:
        found.append(f"the quotas count {ledger.reserved_teu} TEU kept from the pool, not {kept}")
    if live + kept > ledger.capacity:
        pool = ledger.capacity - sum(q.teu for q in ledger.quotas.values())
        beyond = defaultdict(lambda: ZERO)
        for b in ledger.with_status(*HOLDING_STATUSES):
            beyond[b.station] += b.teu
        for code, quota in ledger.quotas.items():
            beyond[code] = max(ZERO, beyond[code] - quota.teu)
        taken = {code: teu for code, teu in beyond.items() if teu}
        found.append(
            f"overdrawn: bookings hold {live} TEU and the quotas keep {kept} on a "
            f"{ledger.capacity}-TEU departure; beyond their quotas the stations took {taken} "
            f"from a pool of {pool}"
        )
    twice = [b.reference for b in ledger.bookings if b.promotions > 1]
    if twice:
        found.append(f"promoted more than once: {twice}")
    for b in ledger.with_status(BookingStatus.WAITLISTED):
        free = ledger.free_for(b.station)
        if b.teu <= free:
            found.append(f"lost wake-up: {b.reference} ({b.teu} TEU) waits, {free} TEU free for it")
    return found


def order_problems(ledger: Ledger) -> list[str]:
    """Promotions out of the queue's order: a booking promoted while an older one from the
    same station, no larger, still waits (it was considered first, and fitted whenever the
    younger did). Only for a waitlist formed before the room freed: a booking that joined
    later may rightly be older than one promoted before it was there."""
    found = []
    promoted = [b for b in ledger.bookings if b.promotions]
    for waiting in ledger.with_status(BookingStatus.WAITLISTED):
        passed = [
            b.reference
            for b in promoted
            if b.station == waiting.station and b.teu >= waiting.teu and b.queued > waiting.queued
        ]
        if passed:
            found.append(f"{waiting.reference} ({waiting.teu} TEU) still waits, younger {passed}")
    return found
