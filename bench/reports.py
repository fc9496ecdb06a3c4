"""The monthly report on 1,000,000 bookings: its time against a hand-written SQL GROUP BY of
the same shipped volume on the same database (a ratio), and the number of queries it issues.

    .venv/bin/python -m bench.reports                          # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.reports
    BENCH_BOOKINGS=100000 .venv/bin/python -m bench.reports    # a smaller run
"""

import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

import click
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, insert, select, text

from config import TestingConfig
from dryport import create_app
from dryport.extensions import db
from dryport.models import Booking, BookingLine, Departure, DepartureStatus, Route, Station
from dryport.services import accounts, reports
from dryport.services.clock import LOCAL_TZ, utcnow
from dryport.services.reference_data import seed_reference_data

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "1000000"))
BATCH = 20_000
ROUNDS = 5

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


def _load(rng: random.Random) -> date:
    seed_reference_data(db.session)
    stations = [s.id for s in db.session.scalars(select(Station))]
    routes = list(db.session.scalars(select(Route)))
    companies = [
        accounts.get_or_create_company(db.session, f"Bench {n}", _uscc(n)).id for n in range(200)
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
    with click.progressbar(range(0, BOOKINGS, BATCH), label="bookings") as bar:
        for start in bar:
            rows, lines = [], []
            for n in range(start, min(start + BATCH, BOOKINGS)):
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
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return (now - timedelta(days=200)).astimezone(LOCAL_TZ).date().replace(day=1)


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91610900MC{n:07d}"
    return body + uscc.calc_check_digit(body)


def _median(action) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='dryport-bench-')}/bench.db"
    )
    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            downgrade(revision="base")
        upgrade()
        month = _load(random.Random(11))
        start, end = reports.month_range(month)
        queries = 0

        def count(*args, **kwargs):
            nonlocal queries
            queries += 1

        event.listen(db.engine, "before_cursor_execute", count)
        reports.monthly_report(db.session, month)
        event.remove(db.engine, "before_cursor_execute", count)
        ours = _median(lambda: reports.monthly_report(db.session, month))
        totals_only = _median(lambda: reports.totals_of(db.session, month))
        hand = _median(
            lambda: db.session.execute(text(HAND_WRITTEN), {"start": start, "end": end}).all()
        )
        dialect = db.engine.dialect.name
    print(f"\n{BOOKINGS:,} bookings on {dialect}, month {month:%Y-%m}, median of {ROUNDS}:")
    print(f"  hand-written GROUP BY        {hand * 1000:8.1f} ms")
    print(
        f"  shipped totals (2 queries)   {totals_only * 1000:8.1f} ms  "
        f"ratio {totals_only / hand:.2f}"
    )
    print(
        f"  whole monthly report         {ours * 1000:8.1f} ms  ratio {ours / hand:.2f}  "
        f"({queries} queries: matrix, units, departures, shippers, two comparison months "
        f"and the trend)"
    )


if __name__ == "__main__":
    main()
