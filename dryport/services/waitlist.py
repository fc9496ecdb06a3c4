"""The waitlist of a full departure (DESIGN §14).

A shipper whose booking does not fit may ask to wait (``"waitlist": true``): the booking is
placed as WAITLISTED and holds nothing. Whenever room frees on the departure — a booking
cancelled, rejected, rolled away or made smaller, capacity raised, a quota lowered or
released — the waiting bookings that now fit are promoted to RECEIVED, oldest first (by
when they were placed, then by id), each with its event and webhook; a waiting booking that
does not fit is passed over for a younger one that does. A waiting booking still waiting at
its station's cut-off, or when its departure is cancelled or leaves, becomes EXPIRED.

Promotion runs in the transaction that freed the room, under the departure's row lock, and
holds through ``services.capacity`` like any booking: it cannot overbook, however the frees
race. A shipper joins the waitlist only after a refusal made under that same lock, so no
room can free unseen between the refusal and the joining.

Quota releases and expiries come due with time alone: ``sweep`` applies them, from a thread
of every app process (``SWEEP_SECONDS``) and from ``flask dryport sweep``; each departure
under its row lock, so any number of sweeps may run at once.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, selectinload

from dryport.models import (
    Booking,
    BookingStatus,
    Departure,
    DepartureQuota,
    DepartureStatus,
    EventType,
    Station,
    User,
)
from dryport.services import bookings as booking_service
from dryport.services import capacity
from dryport.services.clock import utcnow
from dryport.services.containers import format_teu
from dryport.services.departures import station_cutoff
from dryport.services.errors import CapacityExceeded, Conflict

log = logging.getLogger(__name__)

#: Why a waiting booking expired (its EXPIRED event's ``reason``).
CUTOFF, DEPARTURE_CANCELLED, DEPARTED = "CUTOFF", "DEPARTURE_CANCELLED", "DEPARTED"

_ORDER = (Booking.created_at, Booking.id)


def waiting(session: Session, departure_id: int) -> list[Booking]:
    """The departure's waiting bookings, in the order they are promoted."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.departure_id == departure_id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(*_ORDER)
            .options(selectinload(Booking.origin_station))
            .execution_options(populate_existing=True)
        )
    )


@dataclass
class Moved:
    """What ``promote`` did: the bookings promoted and those expired."""

    promoted: list[Booking] = field(default_factory=list)
    expired: list[Booking] = field(default_factory=list)


def promote(
    session: Session,
    departure: Departure,
    now: datetime | None = None,
    actor: User | None = None,
) -> Moved:
    """Promote the departure's waiting bookings that fit now, oldest first, and expire those
    past their station's cut-off. Call with the departure's row locked (every change that
    frees room has it)."""
    moved = Moved()
    queue = waiting(session, departure.id)
    if not queue:
        return moved
    now = now or utcnow()
    if departure.quota_teu:
        capacity.settle(session, departure.id, now)
    for booking in queue:
        if now >= station_cutoff(departure, booking.origin_station):
            expire(session, booking, CUTOFF, now)
            moved.expired.append(booking)
            continue
        try:
            capacity.hold(
                session, departure, booking.teu, booking.gross_weight_kg,
                station_id=booking.origin_station_id, now=now,
            )  # fmt: skip
        except CapacityExceeded:
            continue
        except Conflict:  # the departure takes no bookings: nobody else fits either
            break
        booking.status = BookingStatus.RECEIVED
        booking.updated_at = now
        booking_service.record_event(
            session, booking, actor, EventType.PROMOTED, at=now,
            teu=format_teu(booking.teu), service_no=departure.service_no,
            **{"from": "WAITLISTED", "to": "RECEIVED"},
        )  # fmt: skip
        moved.promoted.append(booking)
    booking_service.flush(session)
    return moved


def expire(session: Session, booking: Booking, reason: str, now: datetime | None = None) -> None:
    """The waiting booking will not travel: EXPIRED, with ``reason`` on its event."""
    now = now or utcnow()
    booking.status = BookingStatus.EXPIRED
    booking.updated_at = now
    booking_service.record_event(
        session, booking, None, EventType.EXPIRED, at=now,
        reason=reason, **{"from": "WAITLISTED", "to": "EXPIRED"},
    )  # fmt: skip


def expire_all(session: Session, departure: Departure, reason: str, now=None) -> int:
    """Expire every waiting booking of a departure that is cancelled or leaves."""
    queue = waiting(session, departure.id)
    for booking in queue:
        expire(session, booking, reason, now)
    return len(queue)


def positions(session: Session, bookings) -> dict[int, int]:
    """Each waiting booking's place in its departure's queue (1 = promoted first when room
    frees), by booking id; one query for any number of bookings. A booking read as waiting
    but promoted or cancelled by another request since (PostgreSQL reads what others
    committed meanwhile) is still shown waiting: it gets the place it had, by its own count."""
    waiting = [b for b in bookings if b.status is BookingStatus.WAITLISTED]
    if not waiting:
        return {}
    rank = (
        func.row_number().over(partition_by=Booking.departure_id, order_by=_ORDER).label("position")
    )
    rows = session.execute(
        select(Booking.id, rank).where(
            Booking.departure_id.in_({b.departure_id for b in waiting}),
            Booking.status == BookingStatus.WAITLISTED,
        )
    )
    found = {booking_id: position for booking_id, position in rows}
    for booking in waiting:
        if booking.id not in found:
            found[booking.id] = ahead(session, booking) + 1
    return found


def ahead(session: Session, booking: Booking) -> int:
    """How many waiting bookings of the same departure come before ``booking``."""
    return session.scalar(
        select(func.count()).where(
            Booking.departure_id == booking.departure_id,
            Booking.status == BookingStatus.WAITLISTED,
            tuple_(*_ORDER) < tuple_(booking.created_at, booking.id),
        )
    )


def due_departures(session: Session, now: datetime | None = None) -> list[int]:
    """Departures the sweep has work on: a quota whose release time has come, a waiting
    booking whose station's cut-off has passed (or whose departure no longer runs), or a
    waiting booking that fits the room free for it (a promotion some change missed: the sweep
    repairs it). Decided again under the lock; three queries whatever the data."""
    now = now or utcnow()
    longest = session.scalar(select(func.max(Station.feeder_hours))) or 0
    soon = now + timedelta(hours=longest + current_app.config["QUOTA_RELEASE_HOURS"])
    due = {
        departure_id
        for departure_id, cutoff_at, feeder_hours in session.execute(
            select(DepartureQuota.departure_id, Departure.cutoff_at, Station.feeder_hours)
            .join(Departure, Departure.id == DepartureQuota.departure_id)
            .join(Station, Station.id == DepartureQuota.station_id)
            .where(
                DepartureQuota.released_at.is_(None),
                Departure.status == DepartureStatus.SCHEDULED,
                Departure.cutoff_at <= soon,
            )
        )
        if now >= capacity.release_at(cutoff_at, feeder_hours)
    }
    waiting_rows = session.execute(
        select(
            Booking.departure_id,
            Booking.origin_station_id,
            Booking.teu,
            Booking.gross_weight_kg,
            Station.feeder_hours,
            Departure.status,
            Departure.cutoff_at,
            Departure.capacity_teu,
            Departure.held_teu,
            Departure.reserved_teu,
            Departure.capacity_kg,
            Departure.held_kg,
        )  # fmt: skip
        .join(Departure, Departure.id == Booking.departure_id)
        .join(Station, Station.id == Booking.origin_station_id)
        .where(Booking.status == BookingStatus.WAITLISTED)
    ).all()
    unused = {
        (departure_id, station_id): max(Decimal(0), teu - held)
        for departure_id, station_id, teu, held in session.execute(
            select(
                DepartureQuota.departure_id,
                DepartureQuota.station_id,
                DepartureQuota.teu,
                DepartureQuota.held_teu,
            ).where(  # fmt: skip
                DepartureQuota.released_at.is_(None),
                DepartureQuota.departure_id.in_({row.departure_id for row in waiting_rows}),
            )
        )
    }
    for row in waiting_rows:
        station_cutoff_at = row.cutoff_at - timedelta(hours=row.feeder_hours)
        pool = row.capacity_teu - row.held_teu - row.reserved_teu
        free = pool + unused.get((row.departure_id, row.origin_station_id), Decimal(0))
        fits = row.teu <= free and (
            row.capacity_kg is None or row.held_kg + row.gross_weight_kg <= row.capacity_kg
        )
        if row.status is not DepartureStatus.SCHEDULED or now >= station_cutoff_at or fits:
            due.add(row.departure_id)
    return sorted(due)


def sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Apply what time alone brings: release the quotas whose time has come, promote what
    then fits, expire the waiting bookings past their cut-off. One transaction per
    departure, committed; idempotent. A departure that fails is rolled back, logged and
    passed over: the others are still swept. Returns how many quotas were released,
    bookings promoted and bookings expired."""
    done = {"released": 0, "promoted": 0, "expired": 0}
    for departure_id in due_departures(session, now):
        try:
            counts = _sweep_one(session, departure_id, now or utcnow())
            session.commit()
        except Exception:
            session.rollback()
            log.exception("sweeping departure %s failed", departure_id)
            continue
        for key, n in counts.items():
            done[key] += n
    return done


def _sweep_one(session: Session, departure_id: int, at: datetime) -> dict[str, int]:
    booking_service.lock_departures(session, [departure_id])
    departure = session.get(Departure, departure_id, populate_existing=True)
    released = capacity.settle(session, departure_id, at) if departure.quota_teu else []
    if departure.status is DepartureStatus.SCHEDULED:
        moved = promote(session, departure, at)
        return {"released": len(released), "promoted": len(moved.promoted),
                "expired": len(moved.expired)}  # fmt: skip
    reason = DEPARTURE_CANCELLED
    if departure.status is not DepartureStatus.CANCELLED:
        reason = CUTOFF if departure.status is DepartureStatus.CLOSED else DEPARTED
    return {"released": len(released), "promoted": 0,
            "expired": expire_all(session, departure, reason, at)}  # fmt: skip


class Sweeper:
    """A daemon thread per app process that sweeps every ``SWEEP_SECONDS``."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="dryport-sweep", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        from dryport.db import write_intent
        from dryport.extensions import db

        write_intent.set(True)  # this thread only writes: SQLite's transactions begin locked
        every = self.app.config["SWEEP_SECONDS"]
        while not self._stop.wait(every):
            with self.app.app_context():
                try:
                    sweep(db.session)
                except Exception:  # the thread must outlive a bad moment of the database
                    log.exception("sweep failed")
                    db.session.rollback()
                finally:
                    db.session.remove()


def init_app(app) -> None:
    if app.config["SWEEP_SECONDS"] > 0:
        sweeper = Sweeper(app)
        app.extensions["dryport_sweeper"] = sweeper
        app.before_request(sweeper.start)
