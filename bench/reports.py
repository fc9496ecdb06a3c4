"""The monthly and the annual report on 1,000,000 bookings: each one's time against
hand-written SQL of the same figures on the same database (a ratio), the number of queries
each issues, the PDF's time per page, and what recording one departure's shipped volume adds
to ``depart``.

    .venv/bin/python -m bench.reports                          # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.reports
    BENCH_BOOKINGS=100000 .venv/bin/python -m bench.reports    # a smaller run
"""

import os
import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
from sqlalchemy import bindparam, event, func, insert, select, text

from bench.common import (
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    median_seconds,
    settle,
    table,
    uscc,
)
from dryport.db import UTCDateTime
from dryport.extensions import db
from dryport.models import Booking, BookingLine, Departure, DepartureStatus, Route, Station
from dryport.services import accounts, annual, reports
from dryport.services.clock import LOCAL_TZ, local_day_start, local_today, utcnow
from dryport.services.reference_data import seed_reference_data
from dryport.services.report_pdf import render_report

BOOKINGS = 1_000_000
BATCH = 20_000
ROUNDS = 5
RATIO_GOAL = Goal(1.5, of_ratio=True)
PDF_PAGE_GOAL = Goal(10)  # ms per page

HAND_WRITTEN = """
SELECT r.code, s.code, SUM(b.teu), SUM(b.gross_weight_kg), COUNT(b.id)
FROM bookings b
JOIN departures d ON d.id = b.departure_id
JOIN routes r ON r.id = d.route_id
JOIN stations s ON s.id = b.origin_station_id
WHERE b.status IN ('DEPARTED', 'ARRIVED') AND d.status IN ('DEPARTED', 'ARRIVED')
  AND d.departed_at >= :start AND d.departed_at < :end
GROUP BY r.code, s.code
"""

#: Every figure of the report in hand-written SQL, as one would write it without the ORM:
#: the month's route × station volume (above) and units, its top shippers and departures, and
#: the 13 months from the same month a year before by month (the trend, last month and last
#: year: volume, units, departures). :b0 ... :b13 are the months' first moments.
_SHIPPED = """
FROM bookings b JOIN departures d ON d.id = b.departure_id
WHERE b.status IN ('DEPARTED', 'ARRIVED') AND d.status IN ('DEPARTED', 'ARRIVED')
"""
_MONTH = "CASE " + " ".join(f"WHEN d.departed_at < :b{n + 1} THEN {n}" for n in range(13)) + " END"
HAND_WRITTEN_ALL = [
    HAND_WRITTEN,
    f"""SELECT d.route_id, b.origin_station_id, SUM(l.quantity)
    {_SHIPPED.replace("WHERE", "JOIN booking_lines l ON l.booking_id = b.id WHERE")}
    AND d.departed_at >= :start AND d.departed_at < :end
    GROUP BY d.route_id, b.origin_station_id""",
    f"""SELECT c.name, SUM(b.teu), SUM(b.gross_weight_kg), COUNT(b.id)
    {_SHIPPED.replace("WHERE", "JOIN companies c ON c.id = b.company_id WHERE")}
    AND d.departed_at >= :start AND d.departed_at < :end
    GROUP BY c.id, c.name ORDER BY SUM(b.teu) DESC, c.name LIMIT 10""",
    """SELECT r.code, d.service_no, d.departed_at, d.capacity_teu, d.held_teu
    FROM departures d JOIN routes r ON r.id = d.route_id
    WHERE d.status IN ('DEPARTED', 'ARRIVED') AND d.departed_at >= :start AND d.departed_at < :end
    ORDER BY d.departed_at, d.id""",
    f"""SELECT {_MONTH} AS month, SUM(b.teu), SUM(b.gross_weight_kg), COUNT(b.id) {_SHIPPED}
    AND d.departed_at >= :b0 AND d.departed_at < :b13 GROUP BY month""",
    f"""SELECT {_MONTH} AS month, SUM(l.quantity)
    {_SHIPPED.replace("WHERE", "JOIN booking_lines l ON l.booking_id = b.id WHERE")}
    AND (d.departed_at >= :b0 AND d.departed_at < :b1
         OR d.departed_at >= :b11 AND d.departed_at < :b12)
    GROUP BY month""",
    f"""SELECT {_MONTH.replace("d.", "")} AS month, COUNT(*) FROM departures
    WHERE status IN ('DEPARTED', 'ARRIVED') AND departed_at >= :b0 AND departed_at < :b13
    GROUP BY month""",
]


#: The annual report's figures in hand-written SQL over the bookings: the TEU of this year so
#: far and of last year's same days by month (Beijing time), route and origin station, and
#: this year's units likewise; then what the report reads beside them (the year's targets,
#: the stations, the routes). :m0 ... :m24 are the first moments of last year's 12 months,
#: this year's and the next year's; :y0-:y1 this year so far, :l0-:l1 last year's same days.
_YEAR_MONTH = (
    "CASE " + " ".join(f"WHEN d.departed_at < :m{n + 1} THEN {n}" for n in range(24)) + " END"
)
_SO_FAR = "d.departed_at >= :y0 AND d.departed_at < :y1"
_LAST_YEAR = "d.departed_at >= :l0 AND d.departed_at < :l1"
_ANNUAL_REFERENCE = [
    "SELECT s.code, t.target_teu FROM annual_targets t"
    " LEFT JOIN stations s ON s.id = t.station_id WHERE t.year = :year",
    "SELECT id, code, name_zh, name_en, kind FROM stations ORDER BY code",
    "SELECT id, code, name_zh, name_en FROM routes ORDER BY code",
]
ANNUAL_HAND_WRITTEN = [
    f"""SELECT {_YEAR_MONTH} AS month, d.route_id, b.origin_station_id, SUM(b.teu)
    {_SHIPPED} AND ({_SO_FAR} OR {_LAST_YEAR})
    GROUP BY month, d.route_id, b.origin_station_id""",
    f"""SELECT {_YEAR_MONTH} AS month, d.route_id, b.origin_station_id, SUM(l.quantity)
    {_SHIPPED.replace("WHERE", "JOIN booking_lines l ON l.booking_id = b.id WHERE")}
    AND {_SO_FAR}
    GROUP BY month, d.route_id, b.origin_station_id""",
    *_ANNUAL_REFERENCE,
]
#: The same over what the departures carried as recorded (``shipped_volume``), the table the
#: report reads: the stricter baseline.
ANNUAL_HAND_WRITTEN_RECORDED = [
    f"""SELECT {_YEAR_MONTH} AS month, d.route_id, v.origin_station_id, SUM(v.teu),
    SUM(CASE WHEN {_SO_FAR} THEN v.units ELSE 0 END)
    FROM shipped_volume v JOIN departures d ON d.id = v.departure_id
    WHERE d.status IN ('DEPARTED', 'ARRIVED') AND ({_SO_FAR} OR {_LAST_YEAR})
    GROUP BY month, d.route_id, v.origin_station_id""",
    *_ANNUAL_REFERENCE,
]


def _annual_params(year: int, today: date) -> dict[str, datetime | int]:
    """The moments the annual SQL compares with: each month's first (local), this year so
    far, and last year's same days (a 29 February in progress against 1-28 February)."""
    params: dict[str, datetime | int] = {"year": year}
    for n in range(25):
        params[f"m{n}"] = local_day_start(date(year - 1 + n // 12, n % 12 + 1, 1))
    params["y0"], params["l0"] = params["m12"], params["m0"]
    params["y1"] = local_day_start(today) + timedelta(days=1)
    before = date(year - 1, today.month, min(today.day, reports.last_day(
        date(year - 1, today.month, 1)).day))  # fmt: skip
    params["l1"] = local_day_start(before) + timedelta(days=1)
    return params


def _statements(sqls: list[str]):
    """The statements with their moments bound as the app stores them (UTC, naive on SQLite)."""
    moments = [f"m{n}" for n in range(25)] + ["y0", "y1", "l0", "l1"]
    out = []
    for sql in sqls:
        statement = text(sql)
        used = [name for name in moments if f":{name}" in sql]
        out.append(statement.bindparams(*[bindparam(n, type_=UTCDateTime()) for n in used]))
    return out


def _check_annual(report, rows) -> None:
    """The hand-written SQL gives the report's totals: the same figures are compared."""
    teu = sum((r[3] for r in rows[0] if r[0] >= 12), Decimal(0))
    last_year = sum((r[3] for r in rows[0] if r[0] < 12), Decimal(0))
    units = sum(r[3] for r in rows[1])
    ours = (report.totals.teu, report.totals.last_year_teu, report.totals.units)
    if (teu, last_year, units) != ours:
        raise RuntimeError(f"annual report {ours} != hand-written SQL {(teu, last_year, units)}")


def _load(rng: random.Random, count: int) -> date:
    seed_reference_data(db.session)
    stations = [s.id for s in db.session.scalars(select(Station))]
    routes = list(db.session.scalars(select(Route)))
    companies = [
        accounts.get_or_create_company(db.session, f"Bench {n}", uscc("MC", n)).id
        for n in range(200)
    ]
    now = utcnow()
    departures = []
    for n in range(3 * 365):  # three a day for three years
        departs = now - timedelta(hours=8 * n + 24)
        departures.append(Departure(
            route=routes[n % 3], service_no=f"B{n}", departs_at=departs,
            cutoff_at=departs - timedelta(hours=24), capacity_teu=100_000,
            held_teu=Decimal(0), held_kg=Decimal(0), status=DepartureStatus.ARRIVED,
            departed_at=departs, arrived_at=departs + timedelta(days=3),
        ))  # fmt: skip
    db.session.add_all(departures)
    db.session.flush()
    ids = [d.id for d in departures]
    db.session.commit()
    statuses = ["ARRIVED"] * 8 + ["DEPARTED", "CANCELLED"]
    with click.progressbar(range(0, count, BATCH), label=f"{count:,} bookings") as bar:
        for start in bar:
            rows, lines = [], []
            for n in range(start, min(start + BATCH, count)):
                rows.append({
                    "id": n + 1, "reference": f"HKB-{n:08d}", "company_id": rng.choice(companies),
                    "departure_id": rng.choice(ids), "origin_station_id": rng.choice(stations),
                    "consignee_name": "C", "consignee_address": "A", "cargo_description": "Tea",
                    "hs_code": "090210", "gross_weight_kg": Decimal(rng.randint(8000, 24000)),
                    "teu": Decimal(rng.choice((1, 2))), "status": rng.choice(statuses),
                    "version": 1, "created_at": now, "updated_at": now,
                })  # fmt: skip
                lines.append({"booking_id": n + 1, "size_type": "22G1", "quantity": 1})
            db.session.execute(insert(Booking), rows)
            db.session.execute(insert(BookingLine), lines)
            db.session.commit()
    reports.record_shipped(db.session)  # as each departure's ``depart`` would have
    settle()
    return (now - timedelta(days=200)).astimezone(LOCAL_TZ).date().replace(day=1)


def run(url: str | None = None, bookings: int = BOOKINGS) -> list[Figure]:
    """The monthly report over ``bookings`` generated bookings: its JSON figures against the
    hand-written GROUP BY (a ratio), the PDF's time per page, and the queries it issues."""
    app = bench_app(database_url(url))
    with app.app_context():
        fresh_schema()
        month = _load(random.Random(11), bookings)
        start, end = reports.month_range(month)
        queries = 0

        def count(*args, **kwargs):
            nonlocal queries
            queries += 1

        event.listen(db.engine, "before_cursor_execute", count)
        report = reports.monthly_report(db.session, month)
        event.remove(db.engine, "before_cursor_execute", count)
        ours = median_seconds(lambda: reports.monthly_report(db.session, month), ROUNDS)
        hand = median_seconds(
            lambda: db.session.execute(text(HAND_WRITTEN), {"start": start, "end": end}).all(),
            ROUNDS,
        )
        months = [reports.month_start(reports.add_months(month, n)) for n in range(-12, 2)]
        params = {"start": start, "end": end} | {f"b{n}": m for n, m in enumerate(months)}
        statements = [text(sql) for sql in HAND_WRITTEN_ALL]
        hand_all = median_seconds(
            lambda: [db.session.execute(sql, params).all() for sql in statements], ROUNDS
        )
        # What ``depart`` adds to record what a train carried: one departure at a time.
        departed = db.session.scalars(select(Departure.id).limit(ROUNDS)).all()
        recorded = iter(departed)
        record = median_seconds(
            lambda: reports.record_shipped(db.session, [next(recorded)]), ROUNDS
        )
        per_departure = bookings // db.session.scalar(select(func.count(Departure.id)))
        db.session.rollback()
        render_report(report)  # fonts are registered once per process
        pdf = render_report(report)
        pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
        per_page = median_seconds(lambda: render_report(report), ROUNDS) / pages
        annual_figures = _annual()
        dialect = db.engine.dialect.name
        db.engine.dispose()
    hand_ms, hand_all_ms = hand * 1000, hand_all * 1000
    size = f"{bookings // 1000:,}k"
    return [
        Figure(f"report JSON figures, {size} bookings", dialect, ours * 1000, "ms",
               baseline=hand_ms, goal=RATIO_GOAL),
        Figure(f"report JSON figures against all in hand SQL, {size}", dialect, ours * 1000,
               "ms", baseline=hand_all_ms),
        Figure("report queries issued", dialect, queries, "queries"),
        Figure(f"recording what a departure carried (~{per_departure:,} bookings)", dialect,
               record * 1000, "ms"),
        Figure(f"report PDF per page ({pages} pages)", dialect, per_page * 1000, "ms",
               goal=PDF_PAGE_GOAL),
        *(Figure(name.format(size=size), dialect, *rest) for name, *rest in annual_figures),
    ]  # fmt: skip


def _annual() -> list[tuple]:
    """The annual report of this year so far: its time against the same figures in
    hand-written SQL over the bookings (the goal) and over the recorded ``shipped_volume``,
    and the queries it issues; as (name, figure, unit, baseline, baseline unit, goal)."""
    today = local_today()
    year = today.year
    params = _annual_params(year, today)
    by_hand = _statements(ANNUAL_HAND_WRITTEN)
    recorded = _statements(ANNUAL_HAND_WRITTEN_RECORDED)
    queries = 0

    def counted(*args, **kwargs):
        nonlocal queries
        queries += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    report = annual.annual_report(db.session, year, today)
    event.remove(db.engine, "before_cursor_execute", counted)
    _check_annual(report, [db.session.execute(sql, params).all() for sql in by_hand])
    ours = median_seconds(lambda: annual.annual_report(db.session, year, today), ROUNDS) * 1000
    hand = median_seconds(lambda: [db.session.execute(s, params).all() for s in by_hand], ROUNDS)
    hand_recorded = median_seconds(
        lambda: [db.session.execute(s, params).all() for s in recorded], ROUNDS
    )
    db.session.rollback()
    return [
        (f"annual report {year} so far, {{size}} bookings", ours, "ms", hand * 1000, "ms",
         RATIO_GOAL),
        ("annual report against hand SQL over shipped_volume", ours, "ms",
         hand_recorded * 1000, "ms"),
        ("annual report queries issued", queries, "queries"),
    ]  # fmt: skip


def main() -> None:
    figures = run(bookings=int(os.environ.get("BENCH_BOOKINGS", BOOKINGS)))
    print(
        f"\nmedian of {ROUNDS}; the baseline of the first rows is the hand-written GROUP BY of the"
        " month's volume by route and station (less than the report computes); 'all in hand SQL'"
        " is every figure of the report in hand-written SQL (HAND_WRITTEN_ALL, seven queries)"
    )
    print(table(figures))


if __name__ == "__main__":
    main()
