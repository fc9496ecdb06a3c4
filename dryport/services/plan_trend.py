"""What the monthly rail plan (DESIGN §14) expects each route to ship, and the weeks it counts
by; the monthly report holds the same expectation against what the month shipped.

**Weeks.** A plan counts by weeks, Monday to Sunday, clipped to its month (Asia/Shanghai
calendar): a week that began in the month before, or ends in the next, counts only its days
in the month. Each is named by the ISO week of its first day (``2026-W10``).

**Expected TEU.** From what a route shipped, and from nothing else: the TEU its departures
carried (``ShippedVolume``, counted by the moment the train left, as the monthly report counts
it) in each of the 12 spans of 7 days just before the month's first day. The least-squares
line through those 12 figures, against the span's position, gives each week of the plan the
line's value at the week's middle day, times its days ÷ 7 (a clipped week expects its
share), never below 0, rounded to 0.01 TEU. A route with no history expects 0.

What has shipped never changes, so from its first day on a month's plan reads the same
whenever it is read, and the monthly report holds it against what the month shipped. Read
before the month begins (the railway wants it then), the 12 spans end the day before the
plan is read instead (``anchor``): the latest that is known; days not yet lived would count
as nothing shipped and drag the line down.

This module is arithmetic on dates and figures: it reads nothing from the database.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from dryport.services.clock import to_local

HISTORY_SPANS = 12
SPAN_DAYS = 7
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Span:
    """Days ``first`` to ``last`` (Beijing time), both included: a week of a plan, or a span
    of its history."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def week(self) -> str:
        """The ISO week of its first day: ``2026-W10``."""
        year, week, _ = self.first.isocalendar()
        return f"{year}-W{week:02d}"


def plan_weeks(first: date, last: date) -> list[Span]:
    """The weeks (Monday to Sunday) that hold days ``first`` to ``last``, each clipped to
    them: a month's, or the days of it counted so far."""
    weeks = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=6 - start.weekday()), last)
        weeks.append(Span(start, end))
        start = end + timedelta(days=1)
    return weeks


def anchor(first: date, today: date) -> date:
    """The day the history of the plan of the month beginning ``first`` ends before: the
    month's first day, or today while the month is still to come."""
    return min(first, today)


def history(anchor: date) -> Span:
    """The days a plan learns from: the 12 spans of 7 days before ``anchor``."""
    return Span(anchor - timedelta(days=HISTORY_SPANS * SPAN_DAYS), anchor - timedelta(days=1))


def histories(rows: Iterable[tuple[object, datetime, Decimal]], anchor: date) -> dict:
    """``(route, departed_at, TEU)`` rows summed per route into the 12 spans of
    ``history(anchor)``, oldest first; rows outside it are left out."""
    start = history(anchor).first
    found: dict = {}
    for route, departed_at, teu in rows:
        offset = (to_local(departed_at).date() - start).days
        if 0 <= offset < HISTORY_SPANS * SPAN_DAYS:
            found.setdefault(route, [ZERO] * HISTORY_SPANS)[offset // SPAN_DAYS] += teu
    return found


def line(figures: Sequence[Decimal]) -> tuple[Fraction, Fraction]:
    """The least-squares line ``a + b·k`` through ``figures[k]``, exactly: (a, b)."""
    n = len(figures)
    mean_k = Fraction(n - 1, 2)
    mean_y = sum(Fraction(y) for y in figures) / n
    spread = sum((k - mean_k) ** 2 for k in range(n))
    slope = sum((k - mean_k) * (Fraction(y) - mean_y) for k, y in enumerate(figures)) / spread
    return mean_y - slope * mean_k, slope


def expected(
    figures: Sequence[Decimal] | None, anchor: date, weeks: Sequence[Span]
) -> list[Decimal]:
    """What the line through ``figures`` (a route's 12 spans before ``anchor``; None: nothing
    shipped) expects in each of ``weeks``: its value at the week's middle day × days ÷ 7,
    never below 0, to 0.01 TEU."""
    if not figures or not any(figures):
        return [ZERO] * len(weeks)
    a, b = line(figures)
    start = history(anchor).first
    values = []
    for week in weeks:
        # span k covers days 7k to 7k + 6 after ``start``, its middle at 7k + 3.5
        middle = Fraction((week.first - start).days + (week.last - start).days + 1, 2)
        position = (middle - Fraction(SPAN_DAYS, 2)) / SPAN_DAYS
        value = max(a + b * position, Fraction(0)) * week.days / SPAN_DAYS
        values.append(_cents(value))
    return values


def _cents(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def expected_basis(days: Span):
    """The rule of the expectation, in the reader's language, with the ``days`` it learned
    from."""
    return _l(
        "Expected: the least-squares line through the TEU each route shipped in the 12 weeks"
        " %(first)s – %(last)s, taken at each week's middle day and counted for its days, never"
        " below 0.",
        first=days.first.isoformat(),
        last=days.last.isoformat(),
    )


@dataclass
class PlanAgainstActual:
    """A route's (or the month's) expected TEU against what shipped, and its departures
    planned (not cancelled) against those that ran."""

    teu_expected: Decimal = ZERO
    teu_shipped: Decimal = ZERO
    departures_planned: int = 0
    departures_run: int = 0

    def add(self, other: "PlanAgainstActual") -> None:
        self.teu_expected += other.teu_expected
        self.teu_shipped += other.teu_shipped
        self.departures_planned += other.departures_planned
        self.departures_run += other.departures_run


def against_actual(
    first: date,
    last: date | None,
    actual: Iterable[tuple[str, Decimal, int]],
    shipped: Iterable[tuple[str, datetime, Decimal]],
    planned: Iterable[tuple[str, datetime]],
) -> list[tuple[str, PlanAgainstActual]]:
    """Per route of ``actual`` ``(route, TEU shipped, departures run)`` over days ``first``
    to ``last`` of a month (None: the month has not begun, no day is counted): what the plan
    expected in those days (learned from ``shipped``, rows of what departures carried, as
    ``histories`` reads them) and how many of ``planned`` ``(route, departs_at)`` were to
    leave in them."""
    weeks = plan_weeks(first, last) if last else []
    learned = histories(shipped, first)
    counted: dict[str, int] = {}
    for route, departs_at in planned:
        if last and first <= to_local(departs_at).date() <= last:
            counted[route] = counted.get(route, 0) + 1
    return [
        (route, PlanAgainstActual(sum(expected(learned.get(route), first, weeks), ZERO), teu,
                                  counted.get(route, 0), run))
        for route, teu, run in actual
    ]  # fmt: skip
