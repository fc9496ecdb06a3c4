"""The choice of corridor: for a shipment from one station, each route's first departure that
takes it, with its door-to-destination transit time, price and CO2e (DESIGN §13).

Time counts from the shipment's start at its origin station (the first leg it travels, less
the station's trucking hours to the hub when the route has no road leg of its own) to its
arrival at the destination, by the departure's leg plan. CO2e is Σ over the legs travelled of
distance × cargo tonnes × the mode's intensity (``INTENSITY_G_PER_TKM``, well-to-wheel, set
by the port from its GLEC Framework tables: docs/DECISIONS.md). A destination's own figures
(``route_destinations``) stand in for the last leg's where set: the Europe train's stop
short of Duisburg, the sea leg's port of discharge.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dryport.models import (
    Departure,
    DepartureStatus,
    Place,
    Route,
    Station,
    StationKind,
    TransportMode,
)
from dryport.models.place import route_destinations
from dryport.services import pricing
from dryport.services.clock import local_day_start, local_today, utcnow
from dryport.services.containers import SIZE_TYPES, cargo_limit_kg, total_teu
from dryport.services.departures import leg_plan, station_cutoff
from dryport.services.errors import Invalid
from dryport.services.reference_data import routes_query
from dryport.services.shipment import offered_destinations

#: How far ahead of the earliest day a departure is looked for.
WINDOW_DAYS = 60
#: The cargo mass assumed per TEU when the shipper gives none.
ASSUMED_TONNES_PER_TEU = Decimal(10)
#: g CO2e per tonne-km, well-to-wheel, by mode: the commonly reproduced GLEC defaults (road:
#: articulated truck, average load; rail: container train; inland water: container barge;
#: sea: a deep-sea container lane at 10 t per TEU). The port overrides them with its licensed
#: GLEC v3 figures through the setting ``CO2E_G_PER_TKM`` (docs/DECISIONS.md).
INTENSITY_G_PER_TKM = {
    TransportMode.ROAD: Decimal(62),
    TransportMode.RAIL: Decimal(22),
    TransportMode.WATER: Decimal(31),
    TransportMode.SEA: Decimal(8),
}
#: The orders a comparison can be ranked in.
RANKINGS = ("time", "price", "co2e")
NONE_IN_WINDOW = _l("No departure that takes this shipment in the next %(days)d days.")


@dataclass
class Corridor:
    """One route's answer: its first departure that fits with what it means for the
    shipment, or ``departure`` None with the ``reason``."""

    route: Route
    destination: str | None
    cargo_tonnes: Decimal
    cargo_tonnes_assumed: bool
    departure: Departure | None = None
    station_cutoff: datetime | None = None
    arrives_at: datetime | None = None
    transit_days: Decimal | None = None
    quote: pricing.Quote | None = None
    unpriced: str | None = None
    co2e_kg: Decimal | None = None
    reason: str | None = None

    @property
    def available_teu(self) -> Decimal | None:
        return None if self.departure is None else self.departure.free_teu


def intensities() -> dict[TransportMode, Decimal]:
    """The intensities in use: the defaults, each overridden by ``CO2E_G_PER_TKM`` (keys the
    mode's name, values g CO2e per t-km)."""
    configured = current_app.config.get("CO2E_G_PER_TKM") or {}
    chosen = dict(INTENSITY_G_PER_TKM)
    for mode, value in configured.items():
        chosen[TransportMode[getattr(mode, "name", mode)]] = Decimal(str(value))
    return chosen


def compare(
    session: Session,
    origin: str,
    size_type: str,
    quantity: int,
    earliest: date | None = None,
    destination: str | None = None,
    gross_weight_kg: Decimal | None = None,
    now: datetime | None = None,
    sort: str = "time",
) -> list[Corridor]:
    """Each active route's first departure that takes ``quantity`` × ``size_type`` from the
    station ``origin`` (code) to ``destination`` (a place code, optional), departing from
    ``earliest`` (a Beijing day, default today; an earlier day counts from today) for
    ``WINDOW_DAYS`` days: still SCHEDULED, before the station's cut-off, with the TEU free
    (and the mass, when given, within a weight limit). Ranked by ``sort`` (``rank``).

    Raises ``Invalid`` by field for an unknown or closed station, an unknown size-type or
    destination, a quantity below 1, or a mass the containers cannot carry.
    """
    now = now or utcnow()
    station, lines, tonnes, assumed = _shipment(session, origin, size_type, quantity,
                                                destination, gross_weight_kg)  # fmt: skip
    earliest = max(earliest or local_today(now), local_today(now))
    teu = total_teu(lines, current_app.config["TEU_PER_45FT"])
    figures = destination_figures(session, destination) if destination else {}
    answers = []
    for route in session.scalars(routes_query().where(Route.active)):
        entry = Corridor(route, destination, tonnes, assumed)
        answers.append(entry)
        if destination and destination not in {p.code for p in offered_destinations(route)}:
            entry.reason = _l("This route does not go to %(place)s.", place=destination)
            continue
        entry.departure = first_fit(session, route, station, teu, gross_weight_kg,
                                    earliest, now)  # fmt: skip
        if entry.departure is None:
            entry.reason = _l(NONE_IN_WINDOW, days=WINDOW_DAYS)
            continue
        km, hours = figures.get(route.id, (None, None))
        _describe(session, entry, station, lines, gross_weight_kg, km, hours, now)
    return rank(answers, sort)


def _shipment(session, origin, size_type, quantity, destination, gross_weight_kg):
    """The station, the lines and the cargo tonnes (given or assumed), or ``Invalid``."""
    errors = {}
    station = session.scalar(select(Station).where(Station.code == origin, Station.active))
    if station is None:
        errors["origin_station"] = [_l("No such station.")]
    if size_type not in SIZE_TYPES:
        errors["size_type"] = [_l("Choose one of: %(codes)s.", codes=", ".join(SIZE_TYPES))]
    if quantity < 1:
        errors["quantity"] = [_l("From 1 to %(max)d.", max=100)]
    if destination and session.scalar(select(Place.id).where(Place.code == destination)) is None:
        errors["destination"] = [_l("No such place.")]
    if errors:
        raise Invalid(errors=errors)
    lines = [(size_type, quantity)]
    if gross_weight_kg is None:
        teu = total_teu(lines, current_app.config["TEU_PER_45FT"])
        return station, lines, teu * ASSUMED_TONNES_PER_TEU, True
    limit = cargo_limit_kg(lines)
    if gross_weight_kg > limit:
        raise Invalid(errors={"gross_weight_kg": [_l(
            "The containers booked can carry at most %(limit)s kg of cargo"
            " (maximum gross less typical tare of each).", limit=f"{limit:,}",
        )]})  # fmt: skip
    return station, lines, Decimal(gross_weight_kg) / 1000, False


def destination_figures(session: Session, code: str) -> dict[int, tuple[int | None, int | None]]:
    """Per route id, the kilometres and hours of its last leg to the place ``code`` where
    they differ from the leg's own (None where they do not)."""
    rows = session.execute(
        select(
            route_destinations.c.route_id,
            route_destinations.c.distance_km,
            route_destinations.c.transit_hours,
        )
        .join(Place, Place.id == route_destinations.c.place_id)
        .where(Place.code == code)
    )
    return {route_id: (km, hours) for route_id, km, hours in rows}


def first_fit(
    session: Session,
    route: Route,
    station: Station,
    teu: Decimal,
    gross_weight_kg: Decimal | None,
    earliest: date,
    now: datetime,
) -> Departure | None:
    """The route's first departure (by ``departs_at``) from the start of ``earliest`` and
    within ``WINDOW_DAYS`` days that takes bookings from ``station`` at ``now`` and has room
    for ``teu`` (and ``gross_weight_kg`` under a weight limit)."""
    start = local_day_start(earliest)
    stmt = (
        select(Departure)
        .where(
            Departure.route_id == route.id,
            Departure.status == DepartureStatus.SCHEDULED,
            Departure.departs_at >= start,
            Departure.departs_at < start + timedelta(days=WINDOW_DAYS),
            # the station's cut-off (``station_cutoff``) after now
            Departure.cutoff_at > now + timedelta(hours=station.feeder_hours),
            Departure.capacity_teu - Departure.held_teu >= teu,
        )
        .options(selectinload(Departure.leg_plans))
        .order_by(Departure.departs_at, Departure.id)
        .limit(1)
    )
    if gross_weight_kg is not None:
        stmt = stmt.where(
            or_(
                Departure.capacity_kg.is_(None),
                Departure.held_kg + gross_weight_kg <= Departure.capacity_kg,
            )
        )
    return session.scalar(stmt)


def _describe(session, entry: Corridor, station, lines, gross_weight_kg, km, hours, now):
    """Fill in the departure's cut-off, arrival, transit days, price and CO2e."""
    departure = entry.departure
    entry.station_cutoff = station_cutoff(departure, station)
    start, entry.arrives_at = journey(departure, station, hours)
    if start is not None and entry.arrives_at is not None:
        days = Decimal((entry.arrives_at - start).total_seconds()) / 86_400
        entry.transit_days = days.quantize(Decimal("0.1"))
    entry.co2e_kg = co2e_kg(departure.route, station, entry.cargo_tonnes, km)
    try:
        entry.quote = pricing.quote(session, departure, station, lines, False,
                                    gross_weight_kg, now)  # fmt: skip
    except pricing.Unpriced as error:
        entry.unpriced = error.message


def journey(
    departure: Departure, station: Station, last_leg_hours: int | None = None
) -> tuple[datetime | None, datetime | None]:
    """When the shipment leaves ``station`` and when it arrives, by the departure's leg plan:
    from the first leg it travels (less the station's trucking hours to the hub when the
    route has no road leg of its own) to the end of its last leg, or, with
    ``last_leg_hours`` (a destination's own), that many hours after the last leg leaves.
    Either is None when the plan does not know it."""
    plans = leg_plan(departure)
    travelled = [p for p in plans if p.seq in {leg.seq for leg in _legs(departure.route, station)}]
    if not travelled:
        return None, None
    start = travelled[0].planned_departure
    if start is not None and not _has_road_leg(departure.route) and _is_substation(station):
        start -= timedelta(hours=station.feeder_hours)
    last = travelled[-1]
    end = last.planned_arrival
    if last_leg_hours is not None:
        end = None
        if last.planned_departure is not None:
            end = last.planned_departure + timedelta(hours=last_leg_hours)
    return start, end


def co2e_kg(
    route: Route, station: Station, tonnes: Decimal, last_leg_km: int | None = None
) -> Decimal | None:
    """kg CO2e of ``tonnes`` of cargo from ``station`` on ``route``: Σ km × t × g/t-km ÷ 1000
    over the legs travelled, a road feeder over the station's ``feeder_km`` (the route's own
    road leg, or one added for a sub-station when the route has none), the last leg over
    ``last_leg_km`` when given. None when a distance needed is not known."""
    factor = intensities()
    distances: list[tuple[TransportMode, int | None]] = []
    legs = _legs(route, station)
    if _is_substation(station) and not _has_road_leg(route):
        distances.append((TransportMode.ROAD, station.feeder_km))
    for n, leg in enumerate(legs):
        km = leg.distance_km
        if n == 0 and leg.mode is TransportMode.ROAD:
            km = station.feeder_km
        if n == len(legs) - 1 and last_leg_km is not None:
            km = last_leg_km
        distances.append((leg.mode, km))
    if not distances or any(km is None for _mode, km in distances):
        return None
    grams = sum((Decimal(km) * tonnes * factor[mode] for mode, km in distances), Decimal(0))
    return grams / 1000


def _legs(route: Route, station: Station):
    return pricing.travelled_legs(route.legs, station)


def _has_road_leg(route: Route) -> bool:
    return bool(route.legs) and route.legs[0].mode is TransportMode.ROAD


def _is_substation(station: Station) -> bool:
    return station.kind is StationKind.SUBSTATION


def rank(entries: list[Corridor], by: str = "time") -> list[Corridor]:
    """``entries`` best first by ``by``: "time" (earliest arrival, then fewest days),
    "price" or "co2e"; an unknown figure after the known ones, a route without a departure
    last, and ties in route order.

    No exchange rates are kept, so prices are compared only within one currency: the
    currency most entries are priced in first (ties by currency code), each currency's
    entries cheapest first, then the next currency's."""
    order = {id(entry): n for n, entry in enumerate(entries)}
    if by == "price":
        counts = Counter(e.quote.currency for e in entries if e.quote is not None)
        currencies = sorted(counts, key=lambda c: (-counts[c], c))

        def key(e):
            if e.quote is None:
                return (e.departure is None, 1, 0, Decimal(0))
            return (False, 0, currencies.index(e.quote.currency), e.quote.total)
    elif by == "co2e":

        def key(e):
            return (e.departure is None, e.co2e_kg is None, e.co2e_kg or Decimal(0))
    else:
        far = datetime.max.replace(tzinfo=UTC)

        def key(e):
            return (
                e.departure is None,
                e.arrives_at is None,
                e.arrives_at or far,
                e.transit_days if e.transit_days is not None else Decimal("Infinity"),
            )

    return sorted(entries, key=lambda e: (key(e), order[id(e)]))


def best(entries: list[Corridor]) -> dict:
    """What a page marks as best: the fewest transit days, the lowest CO2e, and the cheapest
    total of each currency (``{"days": value, "co2e": value, "price": {currency: amount}}``)."""
    days = [e.transit_days for e in entries if e.transit_days is not None]
    co2e = [e.co2e_kg for e in entries if e.co2e_kg is not None]
    price: dict[str, Decimal] = {}
    for e in entries:
        if e.quote is not None:
            total = e.quote.total
            price[e.quote.currency] = min(price.get(e.quote.currency, total), total)
    return {"days": min(days, default=None), "co2e": min(co2e, default=None), "price": price}
