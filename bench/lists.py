"""Booking lists at 100,000 bookings: page times of a shipper's, a clerk's and an operator's
list, on the web and the API, with the query plans' index use.

    .venv/bin/python -m bench.lists                      # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.lists
    BENCH_BOOKINGS=10000 .venv/bin/python -m bench.lists # a smaller run
"""

import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

import click
from sqlalchemy import insert, select, text

from bench.common import (
    PASSWORD,
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    settle,
    table,
    uscc,
)
from dryport.extensions import db
from dryport.models import Booking, BookingStatus, Departure, Role, Route, Station
from dryport.services import accounts
from dryport.services.clock import utcnow
from dryport.services.reference_data import seed_reference_data

BOOKINGS = 100_000
ROUNDS = 30
PAGE_GOAL = Goal(50)  # ms, p95
PATHS = (
    ("shipper", ["/bookings/", "/bookings/?page=40", "/api/v1/bookings?page_size=25"]),
    ("clerk", ["/bookings/", "/bookings/?status=RECEIVED"]),
    ("operator", ["/bookings/", "/bookings/?page=2000", "/api/v1/bookings?page_size=100"]),
)


def _load(rng: random.Random, count: int) -> dict:
    seed_reference_data(db.session)
    stations = list(db.session.scalars(select(Station)))
    routes = list(db.session.scalars(select(Route)))
    companies = [
        accounts.get_or_create_company(db.session, f"Bench {n}", uscc("MB", n)) for n in range(50)
    ]
    users = {
        "shipper": accounts.create_user(
            db.session,
            role=Role.SHIPPER,
            email="s@bench.example",
            password=PASSWORD,
            company=companies[0],
        ),
        "clerk": accounts.create_user(
            db.session,
            role=Role.CLERK,
            email="c@bench.example",
            password=PASSWORD,
            station_code="HB",
        ),
        "operator": accounts.create_user(
            db.session, role=Role.OPERATOR, email="o@bench.example", password=PASSWORD
        ),
    }
    now = utcnow()
    departures = []
    for n in range(400):
        departs = now + timedelta(days=n - 300)
        departures.append(
            Departure(
                route=routes[n % 3],
                service_no=f"B{n}",
                departs_at=departs,
                cutoff_at=departs - timedelta(hours=24),
                capacity_teu=10_000,
                held_teu=Decimal(0),
                held_kg=Decimal(0),
            )
        )
    db.session.add_all(departures)
    db.session.flush()
    rows = []
    with click.progressbar(range(count), label=f"{count:,} bookings") as bar:
        for n in bar:
            departure = departures[n % len(departures)]
            rows.append(
                {
                    "reference": f"HKB-{n:07d}",
                    "company_id": rng.choice(companies).id,
                    "departure_id": departure.id,
                    "origin_station_id": rng.choice(stations).id,
                    "consignee_name": "Consignee",
                    "consignee_address": "Address",
                    "cargo_description": "Cargo",
                    "hs_code": "090210",
                    "gross_weight_kg": Decimal(10000),
                    "teu": Decimal(1),
                    "status": rng.choice(list(BookingStatus)).name,
                    "version": 1,
                    "created_at": now - timedelta(minutes=n),
                    "updated_at": now,
                }
            )
            if len(rows) == 5000:
                db.session.execute(insert(Booking), rows)
                rows = []
    if rows:
        db.session.execute(insert(Booking), rows)
    settle()
    return {who: user.email for who, user in users.items()}


def _time(client, path: str, headers=None) -> tuple[float, float]:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run(url: str | None = None, bookings: int = BOOKINGS) -> tuple[list[Figure], list[str]]:
    """Page times (p95 of ``ROUNDS`` requests) of each role's lists over ``bookings``
    generated bookings, and whether each role's list query uses an index; with the plans."""
    app = bench_app(database_url(url), WTF_CSRF_ENABLED=False)
    with app.app_context():
        fresh_schema()
        users = _load(random.Random(7), bookings)
        dialect = db.engine.dialect.name
        plans = _plans()
    figures = []
    for who, paths in PATHS:
        client = app.test_client()
        client.post("/login", data={"email": users[who], "password": PASSWORD})
        token = client.post(
            "/api/v1/tokens", json={"email": users[who], "password": PASSWORD}
        ).get_json()["token"]
        for path in paths:
            headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api") else None
            _, p95 = _time(client, path, headers)
            name = f"list p95 {who} {path}"
            figures.append(Figure(name, dialect, p95, "ms", goal=PAGE_GOAL))
    indexed = sum(1 for _, uses_index, _ in plans if uses_index)
    figures.append(
        Figure("list plans using an index", dialect, indexed, "of 3", goal=Goal(3, at_most=False))
    )
    with app.app_context():
        db.engine.dispose()
    return figures, [f"{who}: {plan}" for who, _, plan in plans]


def _plans() -> list[tuple[str, bool, str]]:
    """Each role's list query's plan, and whether it reads the bookings through an index."""
    postgres = db.engine.dialect.name == "postgresql"
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    queries = {
        "shipper": "SELECT id FROM bookings WHERE company_id = 1 "
        "ORDER BY created_at DESC, id DESC LIMIT 25",
        "clerk": "SELECT id FROM bookings WHERE origin_station_id = 2 "
        "ORDER BY created_at DESC, id DESC LIMIT 25",
        "operator": "SELECT id FROM bookings ORDER BY created_at DESC, id DESC LIMIT 25",
    }
    plans = []
    for who, sql in queries.items():
        plan = " | ".join(str(row[-1]) for row in db.session.execute(text(explain + sql)))
        uses_index = (
            ("Index" in plan and "Seq Scan" not in plan)
            if postgres
            else ("USING INDEX" in plan or "USING COVERING INDEX" in plan)
        )
        plans.append((who, uses_index, plan))
    return plans


def main() -> None:
    figures, plans = run(bookings=int(os.environ.get("BENCH_BOOKINGS", BOOKINGS)))
    print(f"\npage times in ms, p95 over {ROUNDS} requests")
    print(table(figures))
    print("\nquery plans:")
    for line in plans:
        print("  " + line)


if __name__ == "__main__":
    main()
