"""The monthly rail plan (月度运输计划, DESIGN §14): per route and week of a month, the
figures the railway's monthly ordering asks for.

- **Departures**: the route's departures leaving in the week (Beijing time) that are not
  cancelled.
- **TEU booked**: what live bookings hold on them (``Departure.held_teu``; for a departure
  that has left, what it held when it left).
- **TEU expected**: the trend of what the route shipped in the 12 weeks before the month
  (``plan_trend``: a least-squares line, never below 0). Learned from shipped volume alone,
  which never changes, so from its first day on a month's expectation is the same whenever
  it is read; read earlier, it learns from the 12 weeks before the day it is read.
  A week without a train of the route carries its expected TEU to the route's next week with
  one (``on_trains``): the railway orders wagons for trains, not for weeks.
- **TEU to order**: the larger of expected and booked, the figure wagons are ordered for.
- **Wagons**: for a route with a rail leg, TEU to order ÷ ``WAGON_TEU`` (default 2: a 40 ft
  flat wagon carries two 20 ft containers or one 40 ft), rounded up, week by week; a route
  with no rail leg orders none (None).

A route's totals and the month's are the sums of their weeks (wagons too: each week's are
ordered for that week).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.models import Departure, DepartureStatus, Leg, Route, ShippedVolume, TransportMode
from dryport.services import plan_trend
from dryport.services.clock import local_day_start, local_today, to_local
from dryport.services.plan_trend import ZERO, Span
from dryport.services.reference_data import routes_query
from dryport.services.reports import add_months, departed_in, last_day, month_range


@dataclass
class PlanFigures:
    departures: int = 0
    teu_booked: Decimal = ZERO
    teu_expected: Decimal = ZERO
    teu_planned: Decimal = ZERO
    #: None for a route with no rail leg: it orders no wagons.
    wagons: int | None = None

    def add(self, other: "PlanFigures") -> None:
        self.departures += other.departures
        self.teu_booked += other.teu_booked
        self.teu_expected += other.teu_expected
        self.teu_planned += other.teu_planned
        if other.wagons is not None:
            self.wagons = (self.wagons or 0) + other.wagons


@dataclass
class RoutePlan:
    route: Route
    rail: bool
    weeks: list[PlanFigures]
    totals: PlanFigures = field(default_factory=PlanFigures)


@dataclass
class RailPlan:
    month: date
    weeks: list[Span]
    routes: list[RoutePlan]
    #: Every route's figures of each week, and of the month.
    week_totals: list[PlanFigures]
    totals: PlanFigures
    wagon_teu: int
    history: Span


def default_month(today: date | None = None) -> date:
    """Next month: the railway takes a month's plan before the month begins."""
    return add_months((today or local_today()).replace(day=1), 1)


def wagons(teu: Decimal, wagon_teu: int) -> int:
    """Flat wagons that carry ``teu``: ``teu ÷ wagon_teu``, rounded up."""
    return int((teu / wagon_teu).to_integral_value(ROUND_CEILING))


def monthly_plan(
    session: Session, month: date, today: date | None = None, wagon_teu: int | None = None
) -> RailPlan:
    """The plan of ``month`` (its first day) for every route, per week, as it reads on
    ``today`` (Beijing time; see the module); ``wagon_teu`` defaults to the ``WAGON_TEU``
    setting. A month with nothing booked and no history is a plan of zeros, not an error.

    Four queries whatever the data: the routes, those with a rail leg, the month's departures
    not cancelled, what departures of the 12 weeks learned from carried (``ShippedVolume``)."""
    wagon_teu = wagon_teu or current_app.config["WAGON_TEU"]
    anchor = plan_trend.anchor(month, today or local_today())
    weeks = plan_trend.plan_weeks(month, last_day(month))
    routes = list(session.scalars(routes_query(legs=False)))
    rail = set(
        session.scalars(select(Leg.route_id).where(Leg.mode == TransportMode.RAIL).distinct())
    )
    cells = {r.id: [PlanFigures() for _ in weeks] for r in routes}
    for route_id, departs_at, held in _departures(session, month):
        cell = cells[route_id][_week_of(weeks, to_local(departs_at).date())]
        cell.departures += 1
        cell.teu_booked += held
    learned = plan_trend.histories(_shipped_before(session, anchor), anchor)
    plans = []
    for route in routes:
        row = RoutePlan(route, route.id in rail, cells[route.id])
        trend = plan_trend.expected(learned.get(route.id), anchor, weeks)
        for cell, teu in zip(row.weeks, on_trains(trend, row.weeks), strict=True):
            cell.teu_expected = teu
            cell.teu_planned = max(teu, cell.teu_booked)
            cell.wagons = wagons(cell.teu_planned, wagon_teu) if row.rail else None
            row.totals.add(cell)
        plans.append(row)
    week_totals = [PlanFigures() for _ in weeks]
    totals = PlanFigures()
    for row in plans:
        totals.add(row.totals)
        for total, cell in zip(week_totals, row.weeks, strict=True):
            total.add(cell)
    return RailPlan(month, weeks, plans, week_totals, totals, wagon_teu,
                    plan_trend.history(anchor))  # fmt: skip


def on_trains(trend: list[Decimal], weeks: list[PlanFigures]) -> list[Decimal]:
    """The trend's TEU of each week, moved to the weeks the route has trains: a week without
    a departure carries its TEU to the next week with one (the month's last such weeks, to
    the one before). A route with no departure planned in the month keeps the trend week by
    week: the demand its trains are still to be planned for."""
    trains = [n for n, cell in enumerate(weeks) if cell.departures]
    if not trains:
        return list(trend)
    carried = [ZERO] * len(trend)
    for n, teu in enumerate(trend):
        later = [t for t in trains if t >= n]
        carried[later[0] if later else trains[-1]] += teu
    return carried


def basis(plan: RailPlan):
    """How the plan's figures are reached, in the reader's language."""
    rule = _l(
        "A week without a train carries its expected TEU to the next week with one. To order:"
        " the larger of expected and booked. Wagons, for routes with a rail leg: TEU"
        " to order ÷ %(wagon_teu)s per wagon, rounded up.",
        wagon_teu=plan.wagon_teu,
    )
    return f"{plan_trend.expected_basis(plan.history)} {rule}"


def _week_of(weeks: list[Span], day: date) -> int:
    return next(n for n, week in enumerate(weeks) if day <= week.last)


def _departures(session: Session, month: date):
    """(route id, departs_at, held TEU) of the month's departures that are not cancelled."""
    start, end = month_range(month)
    return session.execute(
        select(Departure.route_id, Departure.departs_at, Departure.held_teu).where(
            Departure.departs_at >= start,
            Departure.departs_at < end,
            Departure.status != DepartureStatus.CANCELLED,
        )
    ).all()


def _shipped_before(session: Session, anchor: date):
    """(route id, departed_at, TEU) of what departures that left in the 12 weeks before
    ``anchor`` carried, per origin station: the monthly report's shipped volume."""
    days = plan_trend.history(anchor)
    return session.execute(
        select(Departure.route_id, Departure.departed_at, ShippedVolume.teu)
        .join(ShippedVolume, ShippedVolume.departure_id == Departure.id)
        .where(*departed_in(local_day_start(days.first), local_day_start(anchor)))
    ).all()
