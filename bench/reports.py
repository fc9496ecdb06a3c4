"""The monthly report on 1,000,000 bookings: its time against a hand-written SQL GROUP BY of
the same shipped volume on the same database (a ratio), the number of queries it issues, the
PDF's time per page, and what recording one departure's shipped volume adds to ``depart``.

    .venv/bin/python -m bench.reports                          # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.reports
    BENCH_BOOKINGS=100000 .venv/bin/python -m bench.reports    # a smaller run
"""

import os
import random
import re
from datetime import date, timedelta
from decimal import Decimal

import click
from sqlalchemy import event, func, insert, select, text

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
from dryport.extensions import db
from dryport.models import Booking, BookingLine, Departure, DepartureStatus, Route, Station
from dryport.services import accounts, reports
from dryport.services.clock import LOCAL_TZ, utcnow
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
