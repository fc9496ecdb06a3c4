"""Volume statistics (DESIGN §7): one query layer for the dashboard, the monthly report in
PDF, CSV and JSON, and the command line, so that they always agree.

Shipped volume of month M (Asia/Shanghai calendar): the bookings in DEPARTED or ARRIVED whose
departure actually departed in M. What a departure carried is grouped by origin station and
by shipper's company once, when it departs (``record_shipped``, into ``ShippedVolume`` and
``ShippedVolumeByCompany``): from then on it cannot change, so a report sums those rows
instead of grouping the bookings again; it reads no booking at all. The number of queries is
fixed, whatever the amount of data.

A month in progress is compared like-for-like: its days so far against the same days of the
month before and of the same month a year before (``Period``); a finished month against the
whole of those months. A change against a base of zero has no percentage (``Change.percent``
is None: "n/a" on every face).
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, delete, func, insert, literal_column, select, union_all
from sqlalchemy.orm import Session

from dryport.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Company,
    Departure,
    DepartureStatus,
    Route,
    ShippedVolume,
    ShippedVolumeByCompany,
    Station,
)
from dryport.services.clock import local_day_start, local_today, to_local
from dryport.services.departures import LEFT, OPEN_DEPARTURE
from dryport.services.digits import whole_number
from dryport.services.plan_trend import PlanAgainstActual, against_actual
from dryport.services.reference_data import list_stations, routes_query

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


def last_day(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last`` of one month (Asia/Shanghai calendar), both included."""

    first: date
    last: date

    @classmethod
    def of(cls, month: date, days: int | None) -> "Period":
        """The month's first ``days`` days (as many as it has), or all of it for None."""
        end = last_day(month)
        return cls(month, end if days is None else end.replace(day=min(days, end.day)))

    @property
    def whole_month(self) -> bool:
        return self.last == last_day(self.first)

    def __contains__(self, moment: datetime) -> bool:
        return self.first <= to_local(moment).date() <= self.last


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


#: A percentage against a base of zero, as the exports (in both languages) print it.
NOT_COMPARABLE = "无可比 n/a"


@dataclass
class Change:
    absolute: float
    percent: float | None  # None when the base is zero: there is nothing to compare with

    def percent_text(self) -> str:
        """As the PDF and the CSV print it: ``+12.5%``, or n/a against nothing."""
        return NOT_COMPARABLE if self.percent is None else f"{self.percent:+.1f}%"


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
    #: The days counted (the month so far while it runs) and what the same days of the month
    #: before and of the same month a year before carried: the like-for-like comparison.
    period: Period
    previous_period: Period
    last_year_period: Period
    previous_same_days: Figures
    last_year_same_days: Figures
    departures: list[dict] = field(default_factory=list)
    #: Per route, the rail plan's expectation of the days counted against what they shipped,
    #: and its departures planned against those run (``plan_trend.against_actual``); no day
    #: is counted (None) while the month is still to come.
    plan_vs_actual: list[tuple[str, PlanAgainstActual]] = field(default_factory=list)
    plan_period: Period | None = None

    @property
    def plan_rows(self) -> list[tuple[str | None, PlanAgainstActual, Change]]:
        """Each route's plan against actual, then the month's (route None), each with the
        change from expected to shipped (no percentage against 0 expected)."""
        totals = PlanAgainstActual()
        for _, row in self.plan_vs_actual:
            totals.add(row)
        return [(route, row, change(row.teu_shipped, row.teu_expected))
                for route, row in [*self.plan_vs_actual, (None, totals)]]  # fmt: skip

    @property
    def mom(self) -> dict[str, Change]:
        """Against the same days of the month before (all of it for a finished month)."""
        return changes(self.totals, self.previous_same_days)

    @property
    def yoy(self) -> dict[str, Change]:
        """Against the same days of the same month a year before."""
        return changes(self.totals, self.last_year_same_days)


def changes(now: Figures, before: Figures) -> dict[str, Change]:
    """Each figure of ``now`` against ``before``."""
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
        parsed = date(whole_number(year), whole_number(month), 1)
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 2100 else None


def monthly_report(session: Session, month: date, today: date | None = None) -> MonthlyReport:
    """Every figure of the month: totals, by route, by origin station, route × station, top
    shippers, the month before, the same month a year before, the 12-month trend, load factor
    per route, the month's departures, and the rail plan's expectation against what shipped
    (``plan_trend``: learned from the 12 weeks before the month, inside the window read).

    While ``month`` runs (``today``, Beijing time, falls in it) it is compared with the same
    days of the month before and of last year's month; a finished month with the whole ones.

    Five queries whatever the data: routes and stations, the departures of the 13 months from
    the same month a year before (and in the same statement those planned for the month),
    what they carried by origin station (``ShippedVolume``), the top shippers of the month
    (from what the month's departures carried per company, ``ShippedVolumeByCompany``)."""
    window = _Window(month)
    today = today or local_today()
    days = today.day if (today.year, today.month) == (month.year, month.month) else None
    periods = [Period.of(first, days) for first in window.firsts]
    plan_period = periods[CURRENT] if month <= today else None
    routes = {r.id: r for r in session.scalars(routes_query(legs=False))}
    stations = {s.id: s for s in list_stations(session)}
    departures, planned = _departures(session, window, {id_: r.code for id_, r in routes.items()})
    current = [d for d in departures if d["month"] == CURRENT]
    by_id = {d["id"]: d for d in departures}
    cells: dict[tuple[str, str], Figures] = {}
    by_month = [Figures() for _ in range(window.months)]
    same_days = [Figures() for _ in range(window.months)]
    carried = []  # what each departure carried, for the plan's history
    for (departure_id, station), figures in sorted(_volume(session, by_id).items()):
        departure = by_id[departure_id]
        carried.append((departure["route"], departure["departed_at"], figures.teu))
        by_month[departure["month"]].add(figures)
        if departure["departed_at"] in periods[departure["month"]]:
            same_days[departure["month"]].add(figures)
        if departure["month"] == CURRENT:
            key = (departure["route"], stations[station].code)
            cells.setdefault(key, Figures()).add(figures)
    for d in departures:
        by_month[d["month"]].departures += 1
        same_days[d["month"]].departures += d["departed_at"] in periods[d["month"]]
    by_route = {r.code: RouteRow(r.code, r.name_zh, r.name_en, Figures()) for r in routes.values()}
    by_station = {s.code: Figures() for s in stations.values()}
    for (route, station), figures in cells.items():
        by_route[route].figures.add(figures)
        by_station[station].add(figures)
    for row in current:
        entry = by_route[row["route"]]
        entry.figures.departures += 1
        entry.capacity_teu += row["capacity_teu"]
        entry.held_teu += row["held_teu"]
    return MonthlyReport(
        month=month,
        totals=by_month[CURRENT],
        by_route=list(by_route.values()),
        by_station=[(s, by_station[s.code]) for s in stations.values()],
        route_station=cells,
        top_shippers=_top_shippers(session, [d["id"] for d in current]),
        previous_month=by_month[PREVIOUS],
        same_month_last_year=by_month[LAST_YEAR],
        trend=[(window.firsts[i], by_month[i].teu) for i in range(1, window.months)],
        departures=[{k: v for k, v in d.items() if k in DEPARTURE_KEYS} for d in current],
        period=periods[CURRENT],
        previous_period=periods[PREVIOUS],
        last_year_period=periods[LAST_YEAR],
        previous_same_days=same_days[PREVIOUS],
        last_year_same_days=same_days[LAST_YEAR],
        plan_period=plan_period,
        plan_vs_actual=against_actual(
            month,
            plan_period.last if plan_period else None,
            actual=[(r.code, r.figures.teu, r.figures.departures) for r in by_route.values()],
            shipped=carried,
            planned=planned,
        ),
    )


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
            Departure.status.in_(OPEN_DEPARTURE),
            Departure.departs_at >= bounds[0],
            Departure.departs_at < bounds[-1],
        )
        .group_by(Route.code, bucket)
    ).all()
    table: dict = {"weeks": [monday + timedelta(weeks=n) for n in range(weeks)], "routes": {}}
    for code, index, teu in rows:
        table["routes"].setdefault(code, [ZERO] * weeks)[index] = teu or ZERO
    return table


def record_shipped(session: Session, departure_ids: list[int] | None = None) -> None:
    """Group what departed departures carried by origin station into ``ShippedVolume`` and
    by shipper's company into ``ShippedVolumeByCompany``: the given ones
    (``operations.depart`` names the one that has just left) or, without ids, every departed
    departure (after a bulk load). Their rows are written anew, both tables in the caller's
    transaction."""
    session.flush()
    departed = select(Departure.id).where(Departure.status.in_(LEFT))
    if departure_ids is not None:
        departed = departed.where(Departure.id.in_(departure_ids))
    plain = {"synchronize_session": False}  # no recorded row is ever loaded as an object
    for table, by in (
        (ShippedVolume, Booking.origin_station_id),
        (ShippedVolumeByCompany, Booking.company_id),
    ):
        carried = (
            select(Booking.departure_id, by, func.sum(Booking.teu),
                   func.sum(Booking.gross_weight_kg), func.count(Booking.id), _units())
            .where(Booking.departure_id.in_(departed), Booking.status.in_(SHIPPED))
            .group_by(Booking.departure_id, by)
        )  # fmt: skip
        columns = ["departure_id", by.key, "teu", "gross_weight_kg", "bookings", "units"]
        session.execute(
            delete(table).where(table.departure_id.in_(departed)), execution_options=plain
        )
        session.execute(insert(table).from_select(columns, carried), execution_options=plain)


def _units():
    """The units (containers) of the bookings grouped: the quantities of their lines."""
    per_booking = (
        select(func.sum(BookingLine.quantity))
        .where(BookingLine.booking_id == Booking.id)
        .scalar_subquery()
    )
    return func.coalesce(func.sum(per_booking), 0)


def departed_in(start: datetime, end: datetime):
    """The departures that actually left between ``start`` and ``end``: what shipped in a
    period is counted by the moment its train left (the reports, the statements)."""
    return (
        Departure.status.in_(LEFT),
        Departure.departed_at >= start,
        Departure.departed_at < end,
    )


#: Months of a report's window by their index: the same month a year before, the one before
#: the report's month, the report's month (the last). The trend is every month but the first.
LAST_YEAR, PREVIOUS, CURRENT = 0, 11, 12
DEPARTURE_KEYS = ("route", "service_no", "departed_at", "capacity_teu", "held_teu", "load_factor")


class _Window:
    """The 13 calendar months (Asia/Shanghai) ending with ``month``."""

    months = CURRENT + 1

    def __init__(self, month: date):
        self.firsts = [add_months(month, n) for n in range(-CURRENT, 1)]
        self.bounds = [month_start(m) for m in self.firsts] + [month_start(add_months(month, 1))]

    def month_of(self, moment: datetime) -> int:
        return bisect_right(self.bounds, moment) - 1


def _departures(session, window: _Window, route_codes: dict[int, str]):
    """The departures that left in the window, in the order they left, each with the index of
    its month; and, read in the same statement, (route, departs_at) of each departure of the
    report's month that is not cancelled (the rail plan's)."""
    columns = (Departure.id, Departure.route_id, Departure.service_no, Departure.capacity_teu,
               Departure.held_teu)  # fmt: skip
    left = select(*columns, Departure.departed_at, literal_column("0").label("planned")).where(
        *departed_in(window.bounds[0], window.bounds[-1])
    )
    planned = select(*columns, Departure.departs_at, literal_column("1")).where(
        Departure.departs_at >= window.bounds[CURRENT],
        Departure.departs_at < window.bounds[-1],
        Departure.status != DepartureStatus.CANCELLED,
    )
    both = union_all(left, planned)
    rows = session.execute(
        both.order_by(both.selected_columns.departed_at, both.selected_columns.id)
    ).all()
    left_rows = [
        {"id": id_, "month": window.month_of(departed), "route": route_codes.get(route),
         "service_no": service, "departed_at": departed, "capacity_teu": capacity,
         "held_teu": held, "load_factor": float(held / capacity) if capacity else None}
        for id_, route, service, capacity, held, departed, plan in rows if not plan
    ]  # fmt: skip
    return left_rows, [(route_codes.get(row[1]), row[5]) for row in rows if row[6]]


def _volume(session, departure_ids) -> dict[tuple[int, int], Figures]:
    """What the departures carried, per departure and origin station id (``ShippedVolume``).
    By the ids already read: on PostgreSQL each statement reads afresh, and a train that left
    since belongs to the next report, with its departure."""
    rows = session.execute(
        select(ShippedVolume.departure_id, ShippedVolume.origin_station_id, ShippedVolume.teu,
               ShippedVolume.units, ShippedVolume.gross_weight_kg, ShippedVolume.bookings)
        .where(ShippedVolume.departure_id.in_(list(departure_ids)))
    )  # fmt: skip
    return {(departure, station): Figures(*figures) for departure, station, *figures in rows}


def _top_shippers(session, departure_ids: list[int], limit: int = 10) -> list[tuple[str, Figures]]:
    """The companies that shipped most TEU on the departures, from what each departure
    carried per company (``ShippedVolumeByCompany``), by the ids already read (as
    ``_volume``): a row per company a departure carried for, not each of the month's
    bookings and its lines. Summed per company id before the names are joined."""
    recorded = ShippedVolumeByCompany
    volume = (
        select(recorded.company_id, func.sum(recorded.teu).label("teu"),
               func.sum(recorded.units).label("units"),
               func.sum(recorded.gross_weight_kg).label("gross"),
               func.sum(recorded.bookings).label("n"))
        .where(recorded.departure_id.in_(departure_ids))
        .group_by(recorded.company_id)
        .subquery()
    )  # fmt: skip
    rows = session.execute(
        select(Company.name, volume.c.teu, volume.c.units, volume.c.gross, volume.c.n)
        .join(volume, volume.c.company_id == Company.id)
        .order_by(volume.c.teu.desc(), Company.name)
        .limit(limit)
    )
    return [(name, Figures(teu, units, gross, n)) for name, teu, units, gross, n in rows]
