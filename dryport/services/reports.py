"""Volume statistics (DESIGN §7): one query layer for the dashboard, the monthly report in
PDF, CSV and JSON, and the command line, so that they always agree.

Shipped volume of month M (Asia/Shanghai calendar): the bookings in DEPARTED or ARRIVED whose
departure actually departed in M. Every figure is a GROUP BY on the database; the number of
queries is fixed, whatever the amount of data.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dryport.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Company,
    Departure,
    DepartureStatus,
    Route,
    Station,
)
from dryport.services.clock import local_day_start, local_today
from dryport.services.reference_data import list_routes, list_stations

SHIPPED = (BookingStatus.DEPARTED, BookingStatus.ARRIVED)
ZERO = Decimal(0)


def month_start(month: date) -> datetime:
    return local_day_start(month.replace(day=1))


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_range(month: date) -> tuple[datetime, datetime]:
    """The month's first and the next month's first moment, in Asia/Shanghai."""
    return month_start(month), month_start(add_months(month, 1))


@dataclass
class Figures:
    teu: Decimal = ZERO
    units: int = 0
    gross_kg: Decimal = ZERO
    bookings: int = 0
    departures: int = 0

    @property
    def gross_tonnes(self) -> Decimal:
        return (self.gross_kg / 1000).quantize(Decimal("0.1"))

    def add(self, other: "Figures") -> None:
        self.teu += other.teu
        self.units += other.units
        self.gross_kg += other.gross_kg
        self.bookings += other.bookings

    def as_dict(self) -> dict:
        return {
            "teu": float(self.teu),
            "units": self.units,
            "gross_tonnes": float(self.gross_tonnes),
            "bookings": self.bookings,
            "departures": self.departures,
        }


@dataclass
class Change:
    absolute: float
    percent: float | None  # None when the base is zero


def change(now: Decimal | int, before: Decimal | int) -> Change:
    absolute = float(now) - float(before)
    return Change(absolute, round(100 * absolute / float(before), 1) if before else None)


@dataclass
class RouteRow:
    code: str
    name_zh: str
    name_en: str
    figures: Figures
    capacity_teu: int = 0
    held_teu: Decimal = ZERO

    @property
    def load_factor(self) -> float | None:
        return float(self.held_teu / self.capacity_teu) if self.capacity_teu else None


@dataclass
class MonthlyReport:
    month: date
    totals: Figures
    by_route: list[RouteRow]
    by_station: list[tuple[Station, Figures]]
    route_station: dict[tuple[str, str], Figures]
    top_shippers: list[tuple[str, Figures]]
    previous_month: Figures
    same_month_last_year: Figures
    trend: list[tuple[date, Decimal]]
    departures: list[dict] = field(default_factory=list)

    @property
    def mom(self) -> dict[str, Change]:
        return _changes(self.totals, self.previous_month)

    @property
    def yoy(self) -> dict[str, Change]:
        return _changes(self.totals, self.same_month_last_year)


def _changes(now: Figures, before: Figures) -> dict[str, Change]:
    return {
        "teu": change(now.teu, before.teu),
        "units": change(now.units, before.units),
        "gross_tonnes": change(now.gross_tonnes, before.gross_tonnes),
        "bookings": change(now.bookings, before.bookings),
        "departures": change(now.departures, before.departures),
    }


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` as the first of that month, or None when it is not one."""
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        parsed = date(int(year), int(month), 1)
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 2100 else None


def monthly_report(session: Session, month: date) -> MonthlyReport:
    """Every figure of the month: totals, by route, by origin station, route × station, top
    shippers, the month before, the same month a year before, the 12-month trend, load factor
    per route and the month's departures."""
    start, end = month_range(month)
    cells = _shipped_by_route_station(session, start, end)
    routes = {r.code: r for r in list_routes(session)}
    stations = {s.code: s for s in list_stations(session)}
    by_route = {code: RouteRow(code, r.name_zh, r.name_en, Figures()) for code, r in routes.items()}
    by_station = {code: Figures() for code in stations}
    totals = Figures()
    for (route, station), figures in cells.items():
        by_route[route].figures.add(figures)
        by_station[station].add(figures)
        totals.add(figures)
    departures = _departures(session, start, end)
    for row in departures:
        entry = by_route[row["route"]]
        entry.figures.departures += 1
        entry.capacity_teu += row["capacity_teu"]
        entry.held_teu += row["held_teu"]
    totals.departures = len(departures)
    return MonthlyReport(
        month=month,
        totals=totals,
        by_route=list(by_route.values()),
        by_station=[(stations[code], figures) for code, figures in by_station.items()],
        route_station=cells,
        top_shippers=_top_shippers(session, start, end),
        previous_month=totals_of(session, add_months(month, -1)),
        same_month_last_year=totals_of(session, add_months(month, -12)),
        trend=trend(session, month),
        departures=departures,
    )


def totals_of(session: Session, month: date) -> Figures:
    """The shipped totals of one month (two queries)."""
    start, end = month_range(month)
    totals = Figures()
    for figures in _shipped_by_route_station(session, start, end).values():
        totals.add(figures)
    totals.departures = session.scalar(
        select(func.count()).select_from(Departure).where(*_departed_in(start, end))
    )
    return totals


def trend(session: Session, month: date, months: int = 12) -> list[tuple[date, Decimal]]:
    """TEU shipped in each of the ``months`` months ending with ``month``: one query, the
    months told apart by their Asia/Shanghai boundaries."""
    firsts = [add_months(month, n) for n in range(-months + 1, 1)]
    bounds = [month_start(m) for m in firsts] + [month_start(add_months(month, 1))]
    bucket = case(*((Departure.departed_at < bounds[i + 1], i) for i in range(months)), else_=-1)
    rows = session.execute(
        select(bucket.label("bucket"), func.sum(Booking.teu))
        .join(Booking.departure)
        .where(Booking.status.in_(SHIPPED), *_departed_in(bounds[0], bounds[-1]))
        .group_by(bucket)
    ).all()
    teu = {index: total for index, total in rows}
    return [(first, teu.get(i) or ZERO) for i, first in enumerate(firsts)]


def forward_bookings(session: Session, weeks: int = 8, today: date | None = None) -> dict:
    """TEU held on departures not yet departed, per route and week (weeks from Monday)."""
    today = today or local_today()
    monday = today - timedelta(days=today.weekday())
    bounds = [local_day_start(monday + timedelta(weeks=n)) for n in range(weeks + 1)]
    bucket = case(*((Departure.departs_at < bounds[i + 1], i) for i in range(weeks)), else_=-1)
    rows = session.execute(
        select(Route.code, bucket.label("bucket"), func.sum(Departure.held_teu))
        .join(Departure.route)
        .where(
            Departure.status.in_((DepartureStatus.SCHEDULED, DepartureStatus.CLOSED)),
            Departure.departs_at >= bounds[0],
            Departure.departs_at < bounds[-1],
        )
        .group_by(Route.code, bucket)
    ).all()
    table: dict = {"weeks": [monday + timedelta(weeks=n) for n in range(weeks)], "routes": {}}
    for code, index, teu in rows:
        table["routes"].setdefault(code, [ZERO] * weeks)[index] = teu or ZERO
    return table


def _departed_in(start: datetime, end: datetime):
    return (
        Departure.status.in_((DepartureStatus.DEPARTED, DepartureStatus.ARRIVED)),
        Departure.departed_at >= start,
        Departure.departed_at < end,
    )


def _shipped_by_route_station(session, start, end) -> dict[tuple[str, str], Figures]:
    """TEU, gross mass and bookings (one query) and units (another) per route and station."""
    shipped = (Booking.status.in_(SHIPPED), *_departed_in(start, end))
    cells: dict[tuple[str, str], Figures] = {}
    for route, station, teu, gross, count in session.execute(
        select(Route.code, Station.code, func.sum(Booking.teu), func.sum(Booking.gross_weight_kg),
               func.count(Booking.id))
        .join(Booking.departure).join(Departure.route).join(Booking.origin_station)
        .where(*shipped)
        .group_by(Route.code, Station.code)
    ):  # fmt: skip
        cells[(route, station)] = Figures(teu or ZERO, 0, gross or ZERO, count)
    for route, station, units in session.execute(
        select(Route.code, Station.code, func.sum(BookingLine.quantity))
        .join(BookingLine.booking).join(Booking.departure).join(Departure.route)
        .join(Booking.origin_station)
        .where(*shipped)
        .group_by(Route.code, Station.code)
    ):  # fmt: skip
        cells[(route, station)].units = int(units or 0)
    return cells


def _top_shippers(session, start, end, limit: int = 10) -> list[tuple[str, Figures]]:
    rows = session.execute(
        select(Company.name, func.sum(Booking.teu), func.sum(Booking.gross_weight_kg),
               func.count(Booking.id))
        .join(Booking.company).join(Booking.departure)
        .where(Booking.status.in_(SHIPPED), *_departed_in(start, end))
        .group_by(Company.id, Company.name)
        .order_by(func.sum(Booking.teu).desc(), Company.name)
        .limit(limit)
    )  # fmt: skip
    return [(name, Figures(teu, 0, gross, count)) for name, teu, gross, count in rows]


def _departures(session, start, end) -> list[dict]:
    rows = session.execute(
        select(Route.code, Departure.service_no, Departure.departed_at, Departure.capacity_teu,
               Departure.held_teu)
        .join(Departure.route)
        .where(*_departed_in(start, end))
        .order_by(Departure.departed_at, Departure.id)
    )  # fmt: skip
    return [
        {"route": route, "service_no": service, "departed_at": departed,
         "capacity_teu": capacity, "held_teu": held,
         "load_factor": float(held / capacity) if capacity else None}
        for route, service, departed, capacity, held in rows
    ]  # fmt: skip
