"""The operator's work: planning departures and their capacity, and running departures to
departure and arrival (rolling bookings between departures: ``services.rolls``)."""

from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dryport.models import (
    Booking,
    BookingStatus,
    Departure,
    DepartureStatus,
    EventClassifier,
    EventType,
    Route,
    Station,
    TransportEvent,
    TransportEventType,
    User,
)
from dryport.services import capacity, customs_release, reports, waitlist, waybills
from dryport.services.access import STAFF, require_role
from dryport.services.admin import apply_changes, record_change
from dryport.services.bookings import record_event
from dryport.services.clock import FIRST_MOMENT, local_minute, utcnow
from dryport.services.containers import format_teu
from dryport.services.errors import Conflict, Invalid, NotFound, stale

LIVE = (BookingStatus.RECEIVED, BookingStatus.CONFIRMED)
#: How long before its planned time a departure may be recorded as having left.
RECORDED_BEFORE_PLAN = timedelta(days=3)


def get_departure_for_update(session: Session, departure_id: int, version: int | None):
    """The departure, its row locked until commit (PostgreSQL; SQLite's writers are already
    serialised) so that what is checked about its bookings stays true until the change is
    written. Raises ``NotFound``, or ``Conflict`` for a stale ``version``."""
    departure = session.get(
        Departure,
        departure_id,
        with_for_update={"of": Departure, "key_share": True},  # see bookings.lock_departures
        populate_existing=True,
    )
    if departure is None:
        raise NotFound()
    if version is not None and departure.version != version:
        raise Conflict(
            _l("The departure was changed by someone else since you read it; reload it.")
        )
    return departure


def create_departure(session: Session, user: User, data: dict) -> Departure:
    """Plan a departure. Raises ``Invalid`` for an unknown route or a cut-off not before the
    departure, ``Conflict`` for a service already planned at that time."""
    require_role(user, *STAFF)
    route = session.scalar(select(Route).where(Route.code == data["route"]))
    if route is None:
        raise Invalid(errors={"route": [_l("No such route.")]})
    _check_times(data["departs_at"], data["cutoff_at"])
    check_crossing(route, data.get("border_crossing"))
    departure = Departure(
        route=route,
        service_no=data["service_no"],
        departs_at=data["departs_at"],
        cutoff_at=data["cutoff_at"],
        capacity_teu=data["capacity_teu"],
        capacity_kg=data.get("capacity_kg"),
        border_crossing=data.get("border_crossing"),
        held_teu=Decimal(0),
        held_kg=Decimal(0),
    )
    session.add(departure)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(
            _l("%(service)s already departs at that time.", service=data["service_no"]),
            errors={"service_no": [_l("Already planned at that time.")]},
        ) from None
    quotas = capacity.set_quotas(session, departure, data["quotas"]) if data.get("quotas") else {}
    record_change(session, user, "departure", departure.id, "create", _summary(departure), {
        "departs_at": [None, departure.departs_at.isoformat()],
        "capacity_teu": [None, departure.capacity_teu],
        **quotas,
    })  # fmt: skip
    _flush_departure(session)
    return departure


def update_departure(session: Session, user: User, departure_id: int, data: dict) -> Departure:
    """Change a scheduled departure's times, service number or capacity.

    Capacity may not drop below what is held. Raises ``Invalid`` without the ``version``
    read, ``Conflict`` for a stale one or a departure that has left.
    """
    require_role(user, *STAFF)
    if data.get("version") is None:  # a change names what it was made on, or overwrites
        raise Invalid(errors={"version": [_l("The version you read is missing; reload.")]})
    departure = get_departure_for_update(session, departure_id, data["version"])
    if departure.quota_teu and capacity.settle(session, departure.id):
        session.refresh(departure)  # what the quotas keep, as released now
    summary = _summary(departure)  # read before any change: reading later would flush
    check_plannable(departure)
    _check_times(
        data.get("departs_at", departure.departs_at), data.get("cutoff_at", departure.cutoff_at)
    )
    check_crossing(departure.route, data.get("border_crossing"))
    changes = apply_changes(
        departure, data, ("service_no", "departs_at", "cutoff_at", "border_crossing")
    )
    teu, kg = data.get("capacity_teu"), data.get("capacity_kg")
    if teu is not None and teu < departure.held_teu:
        held = format_teu(departure.held_teu)
        raise Invalid(errors={"capacity_teu": [_l("At least the %(held)s TEU held.", held=held)]})
    if kg is not None and kg < departure.held_kg:
        held = f"{departure.held_kg:,.0f}"
        raise Invalid(errors={"capacity_kg": [_l("At least the %(held)s kg held.", held=held)]})
    changes.update(apply_changes(departure, data, ("capacity_teu", "capacity_kg")))
    if "quotas" in data:
        # Not flushed before they are checked: a capacity below what they keep would
        # break the database's check before ``set_quotas`` could explain it.
        with session.no_autoflush:
            changes.update(capacity.set_quotas(session, departure, data["quotas"]))
    _check_quotas_fit(departure)
    service_no = departure.service_no
    if changes:
        record_change(session, user, "departure", departure.id, "update", summary, changes)
    try:
        with session.begin_nested():
            _flush_departure(session)
    except IntegrityError:
        raise Conflict(
            _l("%(service)s already departs at that time.", service=service_no),
            errors={"service_no": [_l("Already planned at that time.")]},
        ) from None
    if {"service_no", "departs_at"} & changes.keys():  # the printed papers name the train
        reissue_waybills(session, departure, user)
    if departure.status is DepartureStatus.SCHEDULED:
        # Any change may have made room for who waits: capacity raised, a quota lowered,
        # moved or released by the settle above. Cheap under the lock, and never wrong.
        waitlist.promote(session, departure)
    return departure


def _check_quotas_fit(departure: Departure) -> None:
    """A smaller capacity still holds the quotas and what they keep from the pool."""
    if departure.quota_teu > departure.capacity_teu:
        raise Invalid(
            errors={
                "capacity_teu": [
                    _l("At least the %(teu)s TEU of the station quotas.", teu=departure.quota_teu)
                ]
            }
        )
    if departure.held_teu + departure.reserved_teu > departure.capacity_teu:
        needed = format_teu(departure.held_teu + departure.reserved_teu)
        raise Invalid(
            errors={
                "capacity_teu": [
                    _l("At least the %(teu)s TEU held and kept by quotas.", teu=needed)
                ]
            }
        )


def reissue_waybills(session: Session, departure: Departure, user: User) -> None:
    """A new revision of the waybill of each confirmed booking on ``departure``, after a
    change of what the papers print about it (its train, times, legs)."""
    for booking in session.scalars(
        select(Booking).where(
            Booking.departure_id == departure.id, Booking.status == BookingStatus.CONFIRMED
        )
    ):
        waybills.issue_waybill(session, booking, user)


def check_crossing(route: Route, code: str | None) -> None:
    """A departure names one of its route's border crossings, or none (``Invalid`` on
    ``border_crossing`` otherwise). A route without crossings takes none."""
    if code is None:
        return
    codes = [crossing.code for crossing in route.border_crossings]
    if code not in codes:
        if not codes:
            message = _l("Route %(route)s crosses no border.", route=route.code)
        else:
            message = _l("One of %(route)s's crossings: %(codes)s.", route=route.code,
                         codes=", ".join(codes))  # fmt: skip
        raise Invalid(errors={"border_crossing": [message]})


def check_plannable(departure: Departure) -> None:
    """Only a departure that has neither left nor been cancelled may be edited; raises
    ``Conflict`` saying which it is."""
    if departure.status is DepartureStatus.CANCELLED:
        raise Conflict(_l("A cancelled departure cannot be replanned."))
    if departure.status not in (DepartureStatus.SCHEDULED, DepartureStatus.CLOSED):
        raise Conflict(_l("A departure that has left cannot be replanned."))


def cancel_departure(session: Session, user: User, departure_id: int, version=None):
    """Cancel a departure with no live booking left on it (roll or reject them first)."""
    require_role(user, *STAFF)
    departure = get_departure_for_update(session, departure_id, version)
    if departure.status not in (DepartureStatus.SCHEDULED, DepartureStatus.CLOSED):
        raise Conflict(_l("A departure that has left cannot be cancelled."))
    live = live_references(session, departure)
    if live:
        raise Conflict(
            _l("Roll or reject its bookings first: %(refs)s.", refs=", ".join(live)),
            bookings=live,
        )
    record_change(
        session,
        user,
        "departure",
        departure.id,
        "cancel",
        _summary(departure),
        {"status": [departure.status.name, "CANCELLED"]},
    )
    departure.status = DepartureStatus.CANCELLED
    waitlist.expire_all(session, departure, waitlist.DEPARTURE_CANCELLED)
    _flush_departure(session)
    return departure


def depart(
    session: Session,
    user: User,
    departure_id: int,
    at: datetime | None = None,
    location: str | None = None,
):
    """The departure has left: its CONFIRMED bookings become DEPARTED, and what they carry is
    recorded for the reports (``reports.record_shipped``).

    Refused (``Conflict``, listing them) while RECEIVED bookings remain on it; (also a
    ``Conflict``) while a departure of a route with border crossings names none; and (a
    ``Conflict`` listing them in ``bookings``) while, on a route that needs customs release
    (``customs_release.needs_release``), a CONFIRMED booking lacks it. The departure's row
    lock, taken first, makes a release recorded meanwhile wait for this to commit, or this
    for the release. ``at`` (when
    it actually left, default now) lies between ``RECORDED_BEFORE_PLAN`` before its plan (or
    before now, for a departure recorded ahead of its plan) and now; else ``Invalid``. It is
    the first leg's actual DEPA (``services.tracking``), at ``location`` if given.
    """
    require_role(user, *STAFF)
    departure = get_departure_for_update(session, departure_id, None)
    if departure.status not in (DepartureStatus.SCHEDULED, DepartureStatus.CLOSED):
        raise Conflict(_l("This departure has already left or was cancelled."))
    if crossing_missing(departure):
        raise Conflict(
            _l("Name the border crossing this train takes before it departs."),
            errors={"border_crossing": [_l("Choose the border crossing.")]},
        )
    waiting = waiting_references(session, departure)
    if waiting:
        raise Conflict(
            _l(
                "Bookings still wait for confirmation: %(refs)s. Roll or reject them first.",
                refs=", ".join(waiting),
            ),
            bookings=waiting,
        )
    unreleased = customs_release.unreleased_references(session, departure)
    if unreleased:
        raise Conflict(
            _l(
                "Customs has not released these bookings yet: %(refs)s. Record their release,"
                " or roll them to a later departure.",
                refs=", ".join(unreleased),
            ),
            bookings=unreleased,
        )
    at = _recorded_at(at, _earliest_record(departure))
    previous = departure.status
    departure.status = DepartureStatus.DEPARTED
    departure.departed_at = at
    _leg_event(departure, user, TransportEventType.DEPA, at, location)
    _advance(session, departure, user, BookingStatus.CONFIRMED, EventType.DEPARTED, at)
    waitlist.expire_all(session, departure, waitlist.DEPARTED)
    record_change(session, user, "departure", departure.id, "depart", _summary(departure), {
        "status": [previous.name, "DEPARTED"], "departed_at": [None, at.isoformat()],
    })  # fmt: skip
    _flush_departure(session)
    reports.record_shipped(session, [departure.id])  # what it carried is final now
    return departure


def arrive(
    session: Session,
    user: User,
    departure_id: int,
    at: datetime | None = None,
    location: str | None = None,
):
    """The departure has arrived: its DEPARTED bookings become ARRIVED and their containers
    are free for another booking. ``at`` lies between the departure and now; else
    ``Invalid``. It is the last leg's actual ARRI (``services.tracking``)."""
    require_role(user, *STAFF)
    departure = get_departure_for_update(session, departure_id, None)
    if departure.status is not DepartureStatus.DEPARTED:
        raise Conflict(_l("Only a departed departure can arrive."))
    at = _recorded_at(at, departure.departed_at or _earliest_record(departure))
    departure.status = DepartureStatus.ARRIVED
    departure.arrived_at = at
    _leg_event(departure, user, TransportEventType.ARRI, at, location)
    _advance(session, departure, user, BookingStatus.DEPARTED, EventType.ARRIVED, at)
    record_change(session, user, "departure", departure.id, "arrive", _summary(departure), {
        "status": ["DEPARTED", "ARRIVED"], "arrived_at": [None, at.isoformat()],
    })  # fmt: skip
    _flush_departure(session)
    return departure


def _leg_event(departure, user, type_, at, location) -> None:
    """The first leg's actual DEPA or the last leg's actual ARRI: the departure's own
    departure or arrival (its bookings' timelines say DEPARTED or ARRIVED)."""
    legs = [leg.seq for leg in departure.route.legs]
    if not legs:
        return
    departure.transport_events.append(
        TransportEvent(
            leg_seq=legs[0] if type_ is TransportEventType.DEPA else legs[-1],
            type=type_,
            classifier=EventClassifier.ACT,
            at=at,
            location=location,
            recorded_by_id=user.id,
        )
    )


NEXT = {
    BookingStatus.CONFIRMED: BookingStatus.DEPARTED,
    BookingStatus.DEPARTED: BookingStatus.ARRIVED,
}


def _advance(session, departure, user, before: BookingStatus, event_type, at) -> None:
    after = NEXT[before]
    for booking in session.scalars(
        select(Booking).where(Booking.departure_id == departure.id, Booking.status == before)
    ):
        booking.status = after
        booking.updated_at = at
        if after is BookingStatus.ARRIVED:
            for container in booking.containers:
                container.live = False
        record_event(session, booking, user, event_type, **{"from": before.name, "to": after.name})


def crossing_missing(departure: Departure) -> bool:
    """Whether the departure's route crosses a border and the departure names no crossing
    yet: it may not depart so."""
    return bool(departure.route.border_crossings) and departure.border_crossing is None


def waiting_references(session: Session, departure: Departure) -> list[str]:
    """The bookings still waiting for their load check: while any is left, the departure
    cannot depart (``depart``)."""
    return _references(session, departure, (BookingStatus.RECEIVED,))


def live_references(session: Session, departure: Departure) -> list[str]:
    """The live bookings on the departure: while any is left, it cannot be cancelled
    (``cancel_departure``)."""
    return _references(session, departure, LIVE)


def _references(session: Session, departure: Departure, statuses) -> list[str]:
    return list(
        session.scalars(
            select(Booking.reference)
            .where(Booking.departure_id == departure.id, Booking.status.in_(statuses))
            .order_by(Booking.reference)
        )
    )


def _summary(departure: Departure) -> str:
    return f"{departure.route.code} {departure.service_no} {departure.departs_at:%Y-%m-%d}"


def _earliest_record(departure: Departure) -> datetime:
    """The earliest time a departure may be recorded as having left (never before the
    first of ``YEARS``, whatever is stored)."""
    plan = max(min(departure.departs_at, utcnow()), FIRST_MOMENT + RECORDED_BEFORE_PLAN)
    return plan - RECORDED_BEFORE_PLAN


def _recorded_at(at: datetime | None, earliest: datetime) -> datetime:
    """``at`` (default now) when it lies between ``earliest`` and now, else ``Invalid`` on
    ``at`` naming that window: an old month's report must not gain a train by a typing
    error."""
    now = utcnow()
    at = at or now
    if not earliest <= at <= now:
        raise Invalid(
            errors={
                "at": [
                    _l(
                        "Enter a time from %(earliest)s to now (Beijing time).",
                        earliest=local_minute(earliest),
                    )
                ]
            }
        )
    return at


def _check_times(departs_at: datetime, cutoff_at: datetime) -> None:
    if cutoff_at >= departs_at:
        raise Invalid(errors={"cutoff_at": [_l("The cut-off must come before the departure.")]})


def _flush_departure(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise stale() from None


def _bookings_by_status(session: Session, departure_ids: list[int]) -> list:
    """TEU and bookings per departure, status and origin station: everything the board
    counts of the bookings, in one pass over them."""
    if not departure_ids:
        return []
    return session.execute(
        select(
            Booking.departure_id,
            Booking.status,
            Booking.origin_station_id,
            func.sum(Booking.teu),
            func.count(),
        )
        .where(Booking.departure_id.in_(departure_ids))
        .group_by(Booking.departure_id, Booking.status, Booking.origin_station_id)
    ).all()


def board(session: Session, departures: list[Departure]) -> list[dict]:
    """The operator's view of each departure: TEU held, confirmed and free, load factor,
    the bookings still waiting for confirmation at each station (by ``Station``, so that a page
    names it in the reader's language), its station quotas as they stand now
    (``capacity.QuotaState``), the open pool's free TEU and how many bookings are on its
    waitlist. A fixed number of queries, whatever the number of departures; the bookings
    are read once."""
    ids = [d.id for d in departures]
    capacity.load_quotas(session, departures)
    held: dict = {}
    waitlisted: dict = {}
    waiting_at: dict = {}
    for departure_id, status, station_id, teu, count in _bookings_by_status(session, ids):
        by_status = held.setdefault(departure_id, {})
        by_status[status] = by_status.get(status, Decimal(0)) + teu
        if status is BookingStatus.WAITLISTED:
            waitlisted[departure_id] = waitlisted.get(departure_id, 0) + count
        elif status is BookingStatus.RECEIVED:
            waiting_at.setdefault(departure_id, {})[station_id] = count
    station_ids = {s for by_station in waiting_at.values() for s in by_station}
    stations = (
        {s.id: s for s in session.scalars(select(Station).where(Station.id.in_(station_ids)))}
        if station_ids
        else {}
    )
    waiting = {
        departure_id: {
            stations[s]: n for s, n in sorted(counts.items(), key=lambda c: stations[c[0]].code)
        }
        for departure_id, counts in waiting_at.items()
    }
    now = utcnow()
    rows = []
    for departure in departures:
        teu = held.get(departure.id, {})
        confirmed = sum(
            (
                teu.get(s, Decimal(0))
                for s in (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)
            ),
            Decimal(0),
        )
        rows.append(
            {
                "departure": departure,
                "held": departure.held_teu,
                "confirmed": confirmed,
                "free": departure.free_teu,
                "load_factor": departure.held_teu / departure.capacity_teu,
                "waiting": waiting.get(departure.id, {}),
                "quotas": capacity.quota_state(departure, now),
                "pool": capacity.pool_available(departure, now),
                "waitlisted": waitlisted.get(departure.id, 0),
            }
        )
    return rows
