"""The year's report (DESIGN §14): TEU shipped so far against the zone's target, against the
same period of last year, a projection, by month, by origin station against its target and
by route. Shipped as the monthly report counts it (``services.reports``): what departed
trains carried (``ShippedVolume``), by the day their train left, Beijing time.

Like for like, always, with the monthly report's rules (``reports.Period``): a finished month
is compared with the whole of last year's month, the month in progress with the same days of
last year's (days 1 to today; a day the shorter month lacks is not there to compare: a
29 February in progress is set against 1 to 28 February). The year so far is the finished
months plus the days of the month in progress, and last year's same period is the sum of
those same comparisons, so the year's figures are the sum of the months'. Against nothing
(last year shipped nothing in the period) there is no percentage: None, "n/a" on every face.

The projection is the run rate: TEU so far ÷ days elapsed (today included) × days in the
year. It knows no season; a finished year's projection is what it shipped, and a year not
begun has none.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from dryport.models import Departure, Route, ShippedVolume, Station
from dryport.services.clock import local_day_end, local_day_start, local_today
from dryport.services.reference_data import list_stations, routes_query
from dryport.services.reports import (
    ZERO,
    Change,
    Period,
    add_months,
    change,
    departed_in,
    last_day,
)
from dryport.services.targets import year_targets

DONE, IN_PROGRESS, TO_COME = "done", "in_progress", "to_come"


@dataclass
class Compared:
    """What a row shipped in the period counted and in last year's same period."""

    teu: Decimal = ZERO
    units: int = 0
    last_year_teu: Decimal = ZERO

    @property
    def growth(self) -> Change:
        return change(self.teu, self.last_year_teu)


@dataclass
class MonthRow(Compared):
    month: date = date.min
    state: str = TO_COME
    #: The days counted this year (None for a month to come) and last year's compared with
    #: them (the whole month for a month to come: shown beside it, not compared).
    period: Period | None = None
    last_year_period: Period | None = None


@dataclass
class AnnualReport:
    year: int
    today: date
    #: The last day counted: today while the year runs, 31 December after; None before.
    last: date | None
    last_year_last: date | None
    totals: Compared
    target_teu: int | None
    projected_teu: Decimal | None
    by_month: list[MonthRow]
    by_station: list[tuple[Station, Compared, int | None]]
    by_route: list[tuple[Route, Compared]]

    @property
    def in_progress(self) -> bool:
        return self.last is not None and self.last.year == self.today.year

    @property
    def days_elapsed(self) -> int:
        return (self.last - date(self.year, 1, 1)).days + 1 if self.last else 0

    @property
    def days_in_year(self) -> int:
        return (date(self.year + 1, 1, 1) - date(self.year, 1, 1)).days

    @property
    def target_pct(self) -> float | None:
        return percent_of(self.totals.teu, self.target_teu)


def percent_of(teu: Decimal, target: int | None) -> float | None:
    """``teu`` as a percentage of ``target``, None without one (or against 0)."""
    return round(100 * float(teu) / target, 1) if target else None


def annual_report(session: Session, year: int, today: date | None = None) -> AnnualReport:
    """The figures of ``year`` up to ``today`` (Beijing time; all of it for a past year,
    nothing for a year to come), each against last year's same days (see the module).

    Four queries whatever the data: the stations, the routes, what the departures that left
    in the periods compared carried (summed by the database per period, route and origin
    station), the year's targets."""
    today = today or local_today()
    last = min(today, date(year, 12, 31)) if today >= date(year, 1, 1) else None
    months = [_month(date(year, m, 1), last) for m in range(1, 13)]
    stations = list_stations(session)
    routes = list(session.scalars(routes_query(legs=False)))
    by_station = {s.id: Compared() for s in stations}
    by_route = {r.id: Compared() for r in routes}
    totals = Compared()
    for index, route_id, station_id, teu, units in _shipped(session, months):
        row = months[index % 12]
        rows = (row, totals, by_station[station_id], by_route[route_id])
        if index < 12:  # this year's month, its days so far
            for compared in rows:
                compared.teu += teu
                compared.units += units
        else:  # last year's same days; its whole month beside a month to come, compared to none
            for compared in rows if row.period is not None else rows[:1]:
                compared.last_year_teu += teu
    targets = year_targets(session, year)
    zone = targets.get(None)
    compared_months = [m for m in months if m.period is not None]
    return AnnualReport(
        year=year,
        today=today,
        last=last,
        last_year_last=compared_months[-1].last_year_period.last if compared_months else None,
        totals=totals,
        target_teu=zone.target_teu if zone else None,
        projected_teu=_projection(totals.teu, last, year),
        by_month=months,
        by_station=[
            (s, by_station[s.id], targets[s.code].target_teu if s.code in targets else None)
            for s in stations
        ],
        by_route=[(r, by_route[r.id]) for r in routes],
    )


def _month(first: date, last: date | None) -> MonthRow:
    """A month of the year as ``last`` (the last day counted) finds it."""
    a_year_before = add_months(first, -12)
    if last is None or last < first:
        return MonthRow(month=first, state=TO_COME, last_year_period=Period.of(a_year_before, None))
    if last >= last_day(first):
        days, state = None, DONE
    else:
        days, state = last.day, IN_PROGRESS
    return MonthRow(
        month=first, state=state, period=Period.of(first, days),
        last_year_period=Period.of(a_year_before, days),
    )  # fmt: skip


def _projection(teu: Decimal, last: date | None, year: int) -> Decimal | None:
    """The run rate over the whole year, to the whole TEU (see the module)."""
    if last is None:
        return None
    first = date(year, 1, 1)
    elapsed = (last - first).days + 1
    in_year = (date(year + 1, 1, 1) - first).days
    return (teu * in_year / elapsed).quantize(Decimal(1), ROUND_HALF_UP)


def _shipped(session: Session, months: list[MonthRow]):
    """What the departures that left in the periods compared carried, summed in the database
    per period, route and origin station: (period, route id, station id, TEU, units), the
    period ``n`` (0-11) for this year's month ``n + 1`` as counted, ``12 + n`` for last year's
    days set against it (or its whole month beside a month to come). A few hundred rows
    whatever the data, where the departures of two years are thousands."""
    periods = [(n, row.period) for n, row in enumerate(months) if row.period is not None]
    periods += [(12 + n, row.last_year_period) for n, row in enumerate(months)]
    bounds = [(n, local_day_start(p.first), local_day_end(p.last)) for n, p in periods]
    period = case(
        *((and_(Departure.departed_at >= start, Departure.departed_at < end), n)
          for n, start, end in bounds)
    ).label("period")  # fmt: skip
    carried = (
        select(period, Departure.route_id, ShippedVolume.origin_station_id,
               ShippedVolume.teu, ShippedVolume.units)
        .join(ShippedVolume, ShippedVolume.departure_id == Departure.id)
        .where(*departed_in(min(b[1] for b in bounds), max(b[2] for b in bounds)))
        .subquery()
    )  # fmt: skip
    return session.execute(
        select(carried.c.period, carried.c.route_id, carried.c.origin_station_id,
               func.sum(carried.c.teu), func.sum(carried.c.units))
        .where(carried.c.period.is_not(None))
        .group_by(carried.c.period, carried.c.route_id, carried.c.origin_station_id)
    ).all()  # fmt: skip
