"""Finding departures; planning them comes with the operator's tools."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from dryport.i18n import locale_code
from dryport.models import (
    Departure,
    DepartureLeg,
    DepartureStatus,
    Leg,
    Route,
    Station,
    TransportMode,
)
from dryport.services.clock import (
    local_day_end,
    local_day_start,
    local_minute,
    local_today,
    utcnow,
)
from dryport.services.errors import CutoffPassed, NotFound
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import matches, search_text

#: A departure still to leave (bookings on it may change), and one that has left.
OPEN_DEPARTURE = (DepartureStatus.SCHEDULED, DepartureStatus.CLOSED)
LEFT = (DepartureStatus.DEPARTED, DepartureStatus.ARRIVED)

SORTING = Sorting(
    columns={
        "departs_at": Departure.departs_at,
        "cutoff_at": Departure.cutoff_at,
        "service_no": Departure.service_no,
        "capacity_teu": Departure.capacity_teu,
        "booked_teu": Departure.held_teu,
        "available_teu": Departure.capacity_teu - Departure.held_teu,
    },
    default=("departs_at",),
    tiebreak=Departure.id,
)


def departures_query(
    route: str | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    sort: Sequence[str] | None = None,
    q: str | None = None,
) -> Select:
    """Departures of ``route`` (code) departing in [start, end), in the order of ``sort``
    (keys of ``SORTING``; soonest first by default); with ``q``, only those whose service
    number or route (code or name in either language) contains it (``services.search``).

    A date means the whole day in Asia/Shanghai; without ``start`` the list begins today.
    """
    if start is None:
        start = local_today()
    if isinstance(start, date) and not isinstance(start, datetime):
        start = local_day_start(start)
    if isinstance(end, date) and not isinstance(end, datetime):
        end = local_day_end(end)
    # Their quotas with them: a departure shows them (one query for the page, not one each).
    stmt = (
        select(Departure)
        .where(Departure.departs_at >= start)
        .options(selectinload(Departure.quotas))
    )
    if end is not None:
        stmt = stmt.where(Departure.departs_at < end)
    if route:
        stmt = stmt.join(Departure.route).where(Route.code == route)
    if q := search_text(q):
        stmt = stmt.where(departure_matches(q))
    return order_by(stmt, sort, SORTING)


def departure_matches(q: str):
    """True for a departure whose service number or route (code, or name in either
    language) contains ``q`` (the search rule of ``services.search``)."""
    routes = select(Route.id).where(matches(q, Route.code, Route.name_zh, Route.name_en))
    return or_(matches(q, Departure.service_no), Departure.route_id.in_(routes))


def recent_start(days: int = 7) -> datetime:
    """Where an operator's board starts: a week back, to see what is still on its way."""
    return local_day_start(local_today() - timedelta(days=days))


def bookable_departures(session: Session, now: datetime | None = None) -> list[Departure]:
    """Departures still taking bookings at the hub, soonest first."""
    return list(
        session.scalars(
            select(Departure)
            .where(
                Departure.status == DepartureStatus.SCHEDULED,
                Departure.cutoff_at > (now or utcnow()),
            )
            .order_by(Departure.departs_at, Departure.id)
        )
    )


def cutoff_table(departures: list[Departure], stations: list[Station], now=None) -> dict:
    """For a form: each departure's cut-off per station, in Beijing time, and whether it
    has passed."""
    now = now or utcnow()
    table = {}
    for departure in departures:
        table[departure.id] = {}
        for station in stations:
            cutoff = station_cutoff(departure, station)
            table[departure.id][station.code] = {
                "at": local_minute(cutoff),
                "passed": now >= cutoff,
            }
    return table


def station_cutoff(departure: Departure, station: Station) -> datetime:
    """The last moment to book, amend or cancel from ``station``: the hub cut-off less the
    station's trucking hours to the hub (none at the hub itself)."""
    try:
        return departure.cutoff_at - timedelta(hours=station.feeder_hours)
    except OverflowError:  # a cut-off stored in year 1: nothing comes before it anyway
        return departure.cutoff_at


def check_cutoff(departure: Departure, station: Station, now: datetime | None = None) -> None:
    """Raises ``CutoffPassed`` naming the cut-off once it has passed for ``station``."""
    cutoff = station_cutoff(departure, station)
    if (now or utcnow()) >= cutoff:
        raise CutoffPassed(
            _l(
                "The cut-off for %(station)s was %(time)s (Beijing time).",
                station=station.name(locale_code()),
                time=local_minute(cutoff),
            ),
            cutoff_at=cutoff.isoformat(),
        )


def get_departure(session: Session, departure_id: int) -> Departure:
    """Raises ``NotFound`` for an unknown id."""
    departure = session.get(Departure, departure_id)
    if departure is None:
        raise NotFound()
    return departure


@dataclass(frozen=True)
class LegPlan:
    """One leg of a departure as planned: the route leg with this departure's carrier,
    service number and times. ``own`` marks the leg the departure's own service number and
    ``departs_at`` belong to."""

    seq: int
    mode: TransportMode
    origin_zh: str
    origin_en: str
    destination_zh: str
    destination_en: str
    carrier: str | None
    service_no: str | None
    planned_departure: datetime | None
    planned_arrival: datetime | None
    own: bool
    #: the carrier for a page in one language: the operator's text as given, else the route
    #: leg's carriers' names in that language
    carrier_zh: str | None = None
    carrier_en: str | None = None


#: Loader options that let ``leg_plan`` run on a departure without a query of its own.
LEG_PLAN_LOAD = (
    selectinload(Departure.route).selectinload(Route.legs).selectinload(Leg.carriers),
    selectinload(Departure.leg_plans),
)


def own_leg(legs: Sequence[Leg]) -> Leg | None:
    """The leg a departure's service number names: the route's last rail leg (XAEU's
    Xi'an–Europe train, not its feeder to Xi'an), or the first leg of a route without rail."""
    rail = [leg for leg in legs if leg.mode == TransportMode.RAIL]
    if rail:
        return rail[-1]
    return legs[0] if legs else None


def leg_plan(departure: Departure) -> list[LegPlan]:
    """The departure's legs in route order, each the route leg merged with the operator's
    ``DepartureLeg`` row when there is one.

    Defaults: the own leg (``own_leg``) carries the departure's service number and leaves at
    ``departs_at``; the other legs chain from it with the route legs' ``transit_hours``,
    forwards for the legs after it and backwards for those before, each leg starting where the
    one before ends. A time that rests on an unknown ``transit_hours`` is None. The carrier
    defaults to the route leg's carriers ("中文 English", "; " between them).

    A pure function of loaded objects (see ``LEG_PLAN_LOAD``), so documents may call it per
    booking.
    """
    return _plan(departure, {row.seq: row for row in departure.leg_plans})


def leg_default(departure: Departure, seq: int) -> LegPlan | None:
    """Leg ``seq`` as ``leg_plan`` would plan it without the operator's row for it (what a
    field left blank comes to); None for no such leg."""
    rows = {row.seq: row for row in departure.leg_plans if row.seq != seq}
    return next((plan for plan in _plan(departure, rows) if plan.seq == seq), None)


def _plan(departure: Departure, rows: dict[int, DepartureLeg]) -> list[LegPlan]:
    legs = list(departure.route.legs)
    own = own_leg(legs)
    if own is None:
        return []
    k = legs.index(own)
    starts: list[datetime | None] = [None] * len(legs)
    ends: list[datetime | None] = [None] * len(legs)

    def _set(i: int, start: datetime | None, end: datetime | None) -> None:
        row = rows.get(legs[i].seq)
        starts[i] = row.planned_departure if row and row.planned_departure else start
        ends[i] = row.planned_arrival if row and row.planned_arrival else end

    _set(k, departure.departs_at, None)
    ends[k] = ends[k] or _plus(starts[k], legs[k].transit_hours)
    for i in range(k + 1, len(legs)):
        _set(i, ends[i - 1], None)
        ends[i] = ends[i] or _plus(starts[i], legs[i].transit_hours)
    for i in range(k - 1, -1, -1):
        _set(i, None, starts[i + 1])
        starts[i] = starts[i] or _plus(ends[i], legs[i].transit_hours, sign=-1)

    plans = []
    for i, leg in enumerate(legs):
        row = rows.get(leg.seq)
        service_no = row.service_no if row and row.service_no else None
        carrier = row.carrier if row and row.carrier else None
        plans.append(
            LegPlan(
                seq=leg.seq,
                mode=leg.mode,
                origin_zh=leg.origin_zh,
                origin_en=leg.origin_en,
                destination_zh=leg.destination_zh,
                destination_en=leg.destination_en,
                carrier=carrier or _carriers(leg, "{zh} {en}"),
                carrier_zh=carrier or _carriers(leg, "{zh}"),
                carrier_en=carrier or _carriers(leg, "{en}"),
                service_no=service_no or (departure.service_no if leg is own else None),
                planned_departure=starts[i],
                planned_arrival=ends[i],
                own=leg is own,
            )
        )
    return plans


def _plus(at: datetime | None, hours: int | None, sign: int = 1) -> datetime | None:
    """``at`` moved by ``hours``; None when either is unknown or the result would leave the
    calendar (a departure stored at its very end)."""
    if at is None or hours is None:
        return None
    try:
        return at + sign * timedelta(hours=hours)
    except OverflowError:
        return None


def _carriers(leg: Leg, form: str) -> str | None:
    return "; ".join(form.format(zh=c.name_zh, en=c.name_en) for c in leg.carriers) or None
