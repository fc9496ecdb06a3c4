"""Booking lists at 100,000 bookings: page times of a shipper's, a clerk's and an operator's
list, on the web and the API, with the query plans' index use.

    .venv/bin/python -m bench.lists                      # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.lists
"""

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

import click
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select, text

from config import TestingConfig
from dryport import create_app
from dryport.extensions import db
from dryport.models import Booking, BookingStatus, Departure, Role, Route, Station
from dryport.services import accounts
from dryport.services.clock import utcnow
from dryport.services.reference_data import seed_reference_data

BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "100000"))
PASSWORD = "bench-password-1"  # noqa: S105
ROUNDS = 30


def _app():
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='dryport-bench-')}/bench.db"
    )
    config = type(
        "BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    )
    return create_app(config)


def _load(rng: random.Random) -> dict:
    seed_reference_data(db.session)
    stations = list(db.session.scalars(select(Station)))
    routes = list(db.session.scalars(select(Route)))
    companies = [
        accounts.get_or_create_company(db.session, f"Bench {n}", _uscc(n)) for n in range(50)
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
    with click.progressbar(range(BOOKINGS), label="bookings") as bar:
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
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {who: user.email for who, user in users.items()}


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91610900MB{n:07d}"
    return body + uscc.calc_check_digit(body)


def _time(client, path: str, headers=None) -> tuple[float, float]:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    app = _app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            downgrade(revision="base")
        upgrade()
        users = _load(random.Random(7))
        dialect = db.engine.dialect.name
        plans = _plans()
    print(f"\n{BOOKINGS:,} bookings on {dialect}; page times in ms over {ROUNDS} requests")
    print(f"{'list':44} {'p50':>7} {'p95':>7}")
    for who, paths in (
        ("shipper", ["/bookings/", "/bookings/?page=40", "/api/v1/bookings?page_size=25"]),
        ("clerk", ["/bookings/", "/bookings/?status=RECEIVED"]),
        ("operator", ["/bookings/", "/bookings/?page=2000", "/api/v1/bookings?page_size=100"]),
    ):
        client = app.test_client()
        client.post("/login", data={"email": users[who], "password": PASSWORD})
        token = client.post(
            "/api/v1/tokens", json={"email": users[who], "password": PASSWORD}
        ).get_json()["token"]
        for path in paths:
            headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api") else None
            p50, p95 = _time(client, path, headers)
            print(f"{who + ' ' + path:44} {p50:7.1f} {p95:7.1f}")
    print("\nquery plans:")
    for line in plans:
        print("  " + line)


def _plans() -> list[str]:
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    queries = {
        "shipper": "SELECT id FROM bookings WHERE company_id = 1 "
        "ORDER BY created_at DESC, id DESC LIMIT 25",
        "clerk": "SELECT id FROM bookings WHERE origin_station_id = 2 "
        "ORDER BY created_at DESC, id DESC LIMIT 25",
        "operator": "SELECT id FROM bookings ORDER BY created_at DESC, id DESC LIMIT 25",
    }
    lines = []
    for who, sql in queries.items():
        rows = db.session.execute(text(explain + sql)).all()
        lines.append(f"{who}: " + " | ".join(str(row[-1]) for row in rows))
    return lines


if __name__ == "__main__":
    main()
