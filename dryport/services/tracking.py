"""Where a departure and its containers are: transport events per leg (DCSA's DEPA/ARRI,
estimated or actual), equipment events per container (GTIN, LOAD, DISC, GTOT with the seal
check), and what a booking's tracking shows of them.

The events are append-only; everything shown is worked out from them and the leg plan
(``departures.leg_plan``) by ``track``, a pure function of a loaded departure.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session, selectinload

from dryport.i18n import locale_code
from dryport.models import (
    Booking,
    BookingStatus,
    Container,
    Departure,
    DepartureStatus,
    EquipmentEvent,
    EventClassifier,
    EventType,
    Place,
    Role,
    Station,
    StationKind,
    TransportEvent,
    TransportEventType,
    User,
    Waybill,
)
from dryport.services import operations
from dryport.services.access import STAFF, require_role
from dryport.services.bookings import get_booking, record_event
from dryport.services.clock import local_minute, utcnow
from dryport.services.containers import normalise_number
from dryport.services.departures import LegPlan, leg_plan
from dryport.services.errors import Conflict, Forbidden, Invalid, NotFound

DEPA, ARRI = TransportEventType.DEPA, TransportEventType.ARRI
EST, ACT = EventClassifier.EST, EventClassifier.ACT
PLANNED, UNDERWAY, DONE = "PLANNED", "UNDERWAY", "DONE"
#: The bookings a departure's events concern: those on it that have been checked.
TRACKED = (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)
#: A container's events may be recorded by the clerks (at their own station) and operators.
EQUIPMENT_ROLES = (Role.CLERK, *STAFF)
NO_DELAY = timedelta(0)


@dataclass(frozen=True)
class LegTrack(LegPlan):
    """A leg as planned, with what its events say: the estimated times (an explicit estimate,
    else the plan moved by the delay carried from the legs before), the actual times, and
    ``status`` PLANNED, UNDERWAY or DONE."""

    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    actual_departure: datetime | None = None
    actual_arrival: datetime | None = None
    status: str = PLANNED

    @property
    def departure(self) -> datetime | None:
        """When it left or is expected to leave."""
        return self.actual_departure or self.estimated_departure

    @property
    def arrival(self) -> datetime | None:
        """When it arrived or is expected to arrive."""
        return self.actual_arrival or self.estimated_arrival

    @property
    def delay(self) -> timedelta | None:
        """How much later than planned it arrives (or leaves, when its arrival is unknown);
        None when there is no plan to compare with."""
        for known, planned in (
            (self.arrival, self.planned_arrival),
            (self.departure, self.planned_departure),
        ):
            if known is not None and planned is not None:
                return known - planned
        return None


def track(departure: Departure) -> list[LegTrack]:
    """The departure's legs (``leg_plan``) with their estimated and actual times and status.

    For each leg in order: an actual time wins over any estimate; an estimate recorded for the
    leg wins over one derived; otherwise the planned time moved by the delay carried from the
    legs before. A known time (actual, else recorded estimate) later than planned sets the
    delay carried onwards to the difference; an early one carries none (the next leg is a
    scheduled service and does not leave early). A leg is DONE once it arrived or a later leg
    has left or arrived, UNDERWAY once it left, else PLANNED. Within a leg and type, the event
    recorded last counts (a correction is a new event).

    A pure function of a departure with ``leg_plans``, its route's legs and
    ``transport_events`` loaded (``TRACK_LOAD``).
    """
    latest: dict[tuple, datetime] = {}
    for event in departure.transport_events:  # in the order recorded: the last one counts
        latest[(event.leg_seq, event.type, event.classifier)] = event.at
    plans = leg_plan(departure)
    delay = NO_DELAY
    rows = []
    for plan in plans:
        times = {}
        for type_, planned in (
            (DEPA, plan.planned_departure),
            (ARRI, plan.planned_arrival),
        ):
            actual = latest.get((plan.seq, type_, ACT))
            estimated = latest.get((plan.seq, type_, EST))
            known = actual or estimated
            if known is not None and planned is not None:
                delay = max(NO_DELAY, known - planned)
            derived = _plus(planned, delay) if known is None else None
            times[type_] = (actual, actual or estimated or derived)
        rows.append((plan, times))
    # every leg before the last one with an actual event is done, recorded or not
    done_before = max(
        (i for i, (_, times) in enumerate(rows) if times[DEPA][0] or times[ARRI][0]), default=0
    )
    tracks = []
    for i, (plan, times) in enumerate(rows):
        (act_dep, est_dep), (act_arr, est_arr) = times[DEPA], times[ARRI]
        if act_arr is not None or i < done_before:
            status = DONE
        elif act_dep is not None:
            status = UNDERWAY
        else:
            status = PLANNED
        tracks.append(
            LegTrack(
                **{f.name: getattr(plan, f.name) for f in fields(LegPlan)},
                estimated_departure=est_dep,
                estimated_arrival=est_arr,
                actual_departure=act_dep,
                actual_arrival=act_arr,
                status=status,
            )
        )
    return tracks


def current_leg(tracks: Sequence[LegTrack]) -> LegTrack | None:
    """The leg underway, else the next one to leave; None once every leg is done."""
    return next((t for t in tracks if t.status != DONE), None)


def eta(tracks: Sequence[LegTrack]) -> datetime | None:
    """When the last leg arrived or is expected to arrive; None while unknown (a sea leg
    without transit time and no estimate yet)."""
    return tracks[-1].arrival if tracks else None


TRACK_LOAD = (
    selectinload(Departure.leg_plans),
    selectinload(Departure.transport_events),
)


def _plus(at: datetime | None, delta: timedelta) -> datetime | None:
    if at is None:
        return None
    try:
        return at + delta
    except OverflowError:
        return None


# ---- recording ---------------------------------------------------------------------------


def record_transport_event(
    session: Session, user: User, departure_id: int, data: dict
) -> TransportEvent:
    """Record that a leg of a departure left or arrived (``ACT``) or is expected to (``EST``),
    operators only. ``data``: ``leg_seq``, ``type`` (DEPA/ARRI), ``classifier`` (EST/ACT),
    ``at`` (default now), ``location`` (a station or place code, optional).

    The first leg's actual DEPA is the departure's departure and the last leg's actual ARRI
    its arrival (``operations.depart`` and ``arrive``, with all their checks). Every checked
    booking on the departure gets a TRANSPORT entry in its timeline (and so a webhook).

    Raises ``Invalid`` for a leg the route does not have, a planned time (set on the leg
    plan), an actual time in the future or before the departure's last actual event, an
    arrival of a leg that has not left, an unknown location; ``Conflict`` for an actual
    already recorded, an estimate of what has happened, or a departure cancelled, not yet
    left or already arrived.
    """
    require_role(user, *STAFF)
    departure = operations.get_departure_for_update(session, departure_id, None)
    legs = [leg.seq for leg in departure.route.legs]
    seq, type_, classifier = data["leg_seq"], data["type"], data["classifier"]
    if seq not in legs:
        raise Invalid(
            errors={"leg_seq": [_l("No such leg: %(legs)s.", legs=", ".join(map(str, legs)))]}
        )
    if classifier not in (EST, ACT):
        raise Invalid(errors={"classifier": [_l("Planned times are set on the leg plan.")]})
    location = data.get("location")
    if location is not None:
        check_location(session, location)
    now = utcnow()
    at = data.get("at") or now
    if classifier is ACT and at > now:
        raise Invalid(errors={"at": [_l("An actual time cannot lie in the future.")]})
    if classifier is ACT and type_ is DEPA and seq == legs[0]:
        operations.depart(session, user, departure.id, at, location=location)
        return departure.transport_events[-1]
    if departure.status is DepartureStatus.CANCELLED:
        raise Conflict(_l("The departure was cancelled."))
    if departure.status is DepartureStatus.ARRIVED:
        raise Conflict(_l("The departure has arrived: its legs are done."))
    if classifier is ACT and departure.status is not DepartureStatus.DEPARTED:
        raise Conflict(_l("The departure has not left yet: record its first leg's departure."))
    actuals = {(e.leg_seq, e.type): e for e in departure.transport_events if e.classifier is ACT}
    done = actuals.get((seq, type_))
    if done is not None:
        if classifier is ACT:
            message = _l("Already recorded: %(time)s (Beijing time).", time=local_minute(done.at))
        else:
            message = _l("It has happened: %(time)s (Beijing time).", time=local_minute(done.at))
        raise Conflict(message)
    if classifier is ACT:
        if type_ is ARRI and (seq, DEPA) not in actuals:
            raise Invalid(errors={"type": [_l("Record the leg's departure before its arrival.")]})
        _check_order(departure, seq, type_, at)
        if type_ is ARRI and seq == legs[-1]:
            operations.arrive(session, user, departure.id, at, location=location)
            return departure.transport_events[-1]
    elif type_ is ARRI:
        leaves = next(t for t in track(departure) if t.seq == seq).departure
        if leaves is not None and at <= leaves:
            raise Invalid(
                errors={
                    "at": [
                        _l(
                            "The leg leaves at %(time)s (Beijing time): it arrives after that.",
                            time=local_minute(leaves),
                        )
                    ]
                }
            )
    return _add(session, user, departure, seq, type_, classifier, at, location)


def _add(session, user, departure, seq, type_, classifier, at, location) -> TransportEvent:
    event = TransportEvent(
        leg_seq=seq, type=type_, classifier=classifier, at=at, location=location,
        recorded_by_id=user.id,
    )  # fmt: skip
    departure.transport_events.append(event)
    for booking in session.scalars(
        select(Booking).where(Booking.departure_id == departure.id, Booking.status.in_(TRACKED))
    ):
        record_event(
            session, booking, user, EventType.TRANSPORT,
            leg_seq=seq, event_type=type_.name, classifier=classifier.name,
            event_at=at.isoformat(), location=location,
        )  # fmt: skip
    session.flush()
    return event


def _check_order(departure: Departure, seq: int, type_: TransportEventType, at: datetime) -> None:
    """An actual time comes after every actual event of the legs before and of this leg's
    departure (``Invalid`` on ``at``)."""
    position = (seq, type_ is ARRI)
    before = [
        e.at
        for e in departure.transport_events
        if e.classifier is ACT and (e.leg_seq, e.type is ARRI) < position
    ]
    if before and at < max(before):
        raise Invalid(
            errors={
                "at": [
                    _l(
                        "The leg before happened at %(time)s (Beijing time): enter a later time.",
                        time=local_minute(max(before)),
                    )
                ]
            }
        )


# ---- containers --------------------------------------------------------------------------


def record_equipment_event(session: Session, user: User, number: str, data: dict) -> EquipmentEvent:
    """Record that container ``number`` passed a node: ``type`` GTIN, LOAD, DISC or GTOT,
    ``at`` (default now), ``location`` (station or place code; a clerk's is their own
    station, the default), ``seal_intact`` and a ``note`` (required when the seal is
    broken). The container's booking gets an EQUIPMENT entry in its timeline (a webhook).

    Clerks record at their own station, for the containers that pass it: those booked from
    it, or any at the hub. Raises ``Forbidden`` for another role or a clerk naming another
    location, ``Invalid`` for a container not on a checked booking within the user's reach
    (the same answer whether it exists elsewhere or not), a time in the future or before the
    container's last event, an unknown location, a broken seal without a note.
    """
    require_role(user, *EQUIPMENT_ROLES)
    location = data.get("location")
    if user.role is Role.CLERK:
        own = user.station.code
        if location not in (None, own):
            raise Forbidden(_l("Clerks record events at their own station (%(code)s).", code=own))
        location = own
    elif location is None:
        raise Invalid(errors={"location": [_l("Choose where it happens.")]})
    check_location(session, location)
    container = find_container(session, user, number)
    if container is None:
        raise Invalid(
            errors={
                "number": [
                    _l(
                        "No container %(number)s on a confirmed booking you can see.",
                        number=normalise_number(number),
                    )
                ]
            }
        )
    now = utcnow()
    at = data.get("at") or now
    if at > now:
        raise Invalid(errors={"at": [_l("An actual time cannot lie in the future.")]})
    last = session.scalar(
        select(EquipmentEvent)
        .where(EquipmentEvent.container_id == container.id)
        .order_by(EquipmentEvent.at.desc(), EquipmentEvent.id.desc())
        .limit(1)
    )
    if last is not None and at < last.at:
        raise Invalid(
            errors={
                "at": [
                    _l(
                        "Its last event was at %(time)s (Beijing time): enter a later time.",
                        time=local_minute(last.at),
                    )
                ]
            }
        )
    note = (data.get("note") or "").strip() or None
    if not data["seal_intact"] and note is None:
        raise Invalid(errors={"note": [_l("Say what you found: the seal is broken.")]})
    event = EquipmentEvent(
        container_id=container.id, type=data["type"], at=at, location=location,
        seal_intact=data["seal_intact"], note=note, recorded_by_id=user.id,
    )  # fmt: skip
    session.add(event)
    record_event(
        session, container.booking, user, EventType.EQUIPMENT,
        container=container.number, event_type=event.type.name, event_at=at.isoformat(),
        location=location, seal_intact=event.seal_intact, note=note,
    )  # fmt: skip
    session.flush()
    return event


def find_container(session: Session, user: User, number: str) -> Container | None:
    """The container ``number`` on a checked booking within ``user``'s reach (the latest
    such, a container being booked again once it has arrived), or None."""
    stmt = (
        select(Container)
        .join(Container.booking)
        .where(
            Container.number == normalise_number(number),
            Booking.status.in_(TRACKED),
        )
        .order_by(Container.live.desc(), Container.id.desc())
        .limit(1)
    )
    return session.scalar(stmt.where(passing(user)))


def passing(user: User):
    """The bookings whose containers pass ``user``'s station: for a sub-station's clerk
    those booked from it, for the hub's clerk and operators all of them."""
    if user.role is Role.CLERK and user.station.kind is not StationKind.HUB:
        return Booking.origin_station_id == user.station_id
    return true()


def check_location(session: Session, code: str) -> None:
    """``Invalid`` on ``location`` unless ``code`` names a station or a place."""
    if code not in location_names(session, [code]):
        raise Invalid(errors={"location": [_l("Unknown location %(code)s.", code=code)]})


def location_names(session: Session, codes) -> dict[str, dict[str, str]]:
    """``{code: {"zh": ..., "en": ...}}`` for the station and place codes among ``codes``."""
    codes = {c for c in codes if c}
    names = {}
    if not codes:
        return names
    for model in (Station, Place):
        for code, zh, en in session.execute(
            select(model.code, model.name_zh, model.name_en).where(model.code.in_(codes))
        ):
            names[code] = {"zh": zh, "en": en}
    return names


def location_choices(session: Session) -> list[tuple[str, str]]:
    """Where a node's staff may say a container is: the stations, then the active places,
    each as (code, name in the reader's language)."""
    lang = locale_code()
    stations = session.scalars(select(Station).where(Station.active).order_by(Station.id))
    places = session.scalars(select(Place).where(Place.active).order_by(Place.code))
    return [(s.code, s.name(lang)) for s in stations] + [
        (p.code, p.name_zh if lang == "zh" else p.name_en) for p in places
    ]


# ---- a booking's tracking ------------------------------------------------------------------


@dataclass(frozen=True)
class Tracking:
    booking: Booking
    legs: list[LegTrack]
    current: LegTrack | None
    eta: datetime | None
    #: transport events of its departure and equipment events of its containers, in time
    #: order: (at, kind "TRANSPORT" | "EQUIPMENT", event)
    events: list[tuple[datetime, str, object]]
    #: names of the locations the events name, by code
    places: dict
    #: the equipment events whose seal check failed
    broken_seals: list[EquipmentEvent]
    #: each container's latest equipment event, by container id
    last: dict[int, EquipmentEvent]


def booking_tracking(session: Session, user: User, reference: str) -> Tracking:
    """Leg by leg where the booking's departure is, its ETA, and the events of its departure
    and of its containers. Raises ``NotFound`` outside the user's scope."""
    booking = get_booking(session, user, reference, timeline=False)
    return tracking_of(session, booking)


def page_tracking(session: Session, booking: Booking) -> Tracking | None:
    """What the booking's page shows of its tracking: the legs as planned from the time it
    is received, none once cancelled or rejected."""
    if booking.status is BookingStatus.RECEIVED or booking.status in TRACKED:
        return tracking_of(session, booking)
    return None


def tracking_of(session: Session, booking: Booking) -> Tracking:
    """``booking_tracking`` for a booking already found within the reader's scope."""
    departure = session.scalar(
        select(Departure).where(Departure.id == booking.departure_id).options(*TRACK_LOAD)
    )
    tracks = track(departure)
    equipment = list(
        session.scalars(
            select(EquipmentEvent)
            .join(EquipmentEvent.container)
            .where(Container.booking_id == booking.id)
            .options(selectinload(EquipmentEvent.container))
            .order_by(EquipmentEvent.at, EquipmentEvent.id)
        )
    )
    events = [(e.at, "TRANSPORT", e) for e in departure.transport_events]
    events += [(e.at, "EQUIPMENT", e) for e in equipment]
    events.sort(key=lambda row: row[0])
    places = location_names(session, [e.location for _, _, e in events])
    return Tracking(
        booking=booking,
        legs=tracks,
        current=current_leg(tracks),
        eta=eta(tracks),
        events=events,
        places=places,
        broken_seals=[e for e in equipment if not e.seal_intact],
        last={e.container_id: e for e in equipment},  # in time order: the latest stays
    )


# ---- the hand-off page -------------------------------------------------------------------


def handoff_booking(session: Session, user: User, key: str) -> Booking:
    """The checked booking a node's staff hand containers over for: found by its waybill
    number (the QR code's link), a container number or its reference, among the bookings
    whose containers pass the user's station (a clerk's: those booked from it, or all at the
    hub; an operator's: all). Raises ``NotFound`` otherwise, the same for all three."""
    require_role(user, *EQUIPMENT_ROLES)
    key = normalise_number(key or "")
    stmt = (
        select(Booking).where(Booking.status.in_(TRACKED)).options(selectinload(Booking.containers))
    )
    stmt = stmt.where(passing(user))
    waybill = select(Waybill.booking_id).where(Waybill.number == key)
    container = select(Container.booking_id).where(Container.number == key)
    booking = session.scalar(
        stmt.where(
            or_(Booking.id.in_(waybill), Booking.id.in_(container), Booking.reference == key)
        )
        .order_by(Booking.id.desc())
        .limit(1)
    )
    if booking is None:
        raise NotFound()
    return booking
