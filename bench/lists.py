"""Booking lists at 1,000,000 bookings: page times of a shipper's, a clerk's and an
operator's list, on the web and the API — the first page, a deep page reached by cursor, a
status filter, a search — and of the departures boards, with the query plans' index use.

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
from sqlalchemy import bindparam, insert, select, text

from bench.common import (
    PASSWORD,
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    get_ms,
    settle,
    table,
)
from dryport.db import UTCDateTime
from dryport.extensions import db
from dryport.models import Booking, BookingStatus, Company, Departure, Role, Route, Station, User
from dryport.services import accounts, credit_codes
from dryport.services.bookings import bookings_query
from dryport.services.clock import utcnow
from dryport.services.pagination import encode_cursor
from dryport.services.reference_data import seed_reference_data

BOOKINGS = 1_000_000
BATCH = 10_000  # rows per INSERT statement
DEPARTURES = 4_000  # one every six hours: 3,000 gone, 1,000 to come
ROUNDS = 30
PAGE_GOAL = Goal(50)  # ms, p95
#: A reference's digits: one booking in all, so a search for it finds one row or none.
RARE = "0004242"
#: ``{deep:N}``: the cursor after the N-th booking of the role's list, as a reader following
#: "Next" page after page would reach it (N = 1,000 is page 40 of 25; 50,000 page 2,000).
PATHS = (
    ("shipper", [
        "/bookings/", "/bookings/?cursor={deep:1000}", "/api/v1/bookings?page_size=25",
        f"/bookings/?q={RARE}", "/api/v1/bookings?q=bench+0", "/departures",
    ]),
    ("clerk", [
        "/bookings/", "/bookings/?status=RECEIVED", f"/bookings/?q={RARE}",
        "/api/v1/bookings?status=CONFIRMED&cursor={deep:20000}",
    ]),
    ("operator", [
        "/bookings/", "/bookings/?cursor={deep:50000}", "/api/v1/bookings?page_size=100",
        "/bookings/?status=RECEIVED", f"/bookings/?q={RARE}", f"/api/v1/bookings?q={RARE}",
        "/operations/", "/api/v1/departures",
    ]),
)  # fmt: skip


def _credit_code(n: int) -> str:
    return credit_codes.make("91610900", f"MB{n:06d}")


def _step(text: str) -> None:
    click.echo(f"  lists: {text}", err=True)


def _load(rng: random.Random, count: int) -> dict:
    _step("reference data, 50 companies, 3 users")
    seed_reference_data(db.session)
    stations = [s.id for s in db.session.scalars(select(Station))]
    routes = list(db.session.scalars(select(Route)))
    companies = [
        accounts.get_or_create_company(db.session, f"Bench {n}", _credit_code(n)).id
        for n in range(50)
    ]
    company = db.session.get(Company, companies[0])
    users = {
        "shipper": accounts.create_user(
            db.session,
            role=Role.SHIPPER,
            email="s@bench.example",
            password=PASSWORD,
            company=company,
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
    _step(f"{DEPARTURES:,} departures")
    now = utcnow()
    rows = []
    for n in range(DEPARTURES):
        departs = now + timedelta(hours=6 * (n - DEPARTURES * 3 // 4))
        rows.append({
            "route_id": routes[n % 3].id, "service_no": f"B{n}", "departs_at": departs,
            "cutoff_at": departs - timedelta(hours=24), "capacity_teu": 10_000,
            "held_teu": Decimal(0), "held_kg": Decimal(0),
        })  # fmt: skip
    db.session.execute(insert(Departure), rows)
    departures = list(db.session.scalars(select(Departure.id).order_by(Departure.id)))
    db.session.commit()
    statuses = [status.name for status in BookingStatus]
    _step(f"{count:,} bookings, {BATCH:,} to an INSERT")
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        rows = [
            {
                "id": n + 1, "reference": f"HKB-{n:07d}", "company_id": rng.choice(companies),
                "departure_id": departures[n % len(departures)],
                "origin_station_id": rng.choice(stations), "consignee_name": "Consignee",
                "consignee_address": "Address", "cargo_description": "Cargo",
                "hs_code": "090210", "gross_weight_kg": Decimal(10000), "teu": Decimal(1),
                "status": rng.choice(statuses), "version": 1,
                "created_at": now - timedelta(minutes=n), "updated_at": now,
            }
            for n in range(first, min(first + BATCH, count))
        ]  # fmt: skip
        db.session.execute(insert(Booking), rows)
        db.session.commit()
        done = first + len(rows)
        if done % (count // 10 or BATCH) < BATCH or done == count:
            _step(f"{done:,} bookings ({time.perf_counter() - started:.0f} s)")
    if db.engine.dialect.name == "postgresql":  # ids given: the sequence goes on after them
        db.session.execute(text("SELECT setval('bookings_id_seq', (SELECT max(id) FROM bookings))"))
    _step("settling (ANALYZE)")
    settle()
    return {who: user.email for who, user in users.items()}


def _deep_cursors(emails: dict, count: int) -> dict:
    """For each role, ``{deep:N}`` of its paths: the cursor after the N-th booking of its list
    (newest first; N scaled down with a smaller load), read from the database as a reader's
    "Next" would have carried it."""
    cursors = {}
    for who, paths in PATHS:
        user = db.session.scalar(select(User).where(User.email == emails[who]))
        for path in paths:
            if "{deep:" not in path:
                continue
            depth = int(path.split("{deep:")[1].split("}")[0])
            stmt = bookings_query(user, details=False).with_only_columns(
                Booking.created_at, Booking.id
            )
            skip = max(1, depth * count // BOOKINGS) - 1
            row = db.session.execute(stmt.offset(skip).limit(1)).one()
            cursors[(who, depth)] = encode_cursor("-created_at", row)
    return cursors


def _path(who: str, path: str, cursors: dict) -> str:
    if "{deep:" not in path:
        return path
    head, tail = path.split("{deep:")
    depth, rest = tail.split("}", 1)
    return head + cursors[(who, int(depth))] + rest


def _time(client, path: str, headers=None) -> tuple[float, float]:
    samples = get_ms(client, path, ROUNDS, headers)
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run(url: str | None = None, bookings: int = BOOKINGS) -> tuple[list[Figure], list[str]]:
    """Page times (p95 of ``ROUNDS`` requests) of each role's lists and the departures boards
    over ``bookings`` generated bookings, and whether each list's queries use an index; with
    the plans."""
    app = bench_app(database_url(url), WTF_CSRF_ENABLED=False)
    with app.app_context():
        fresh_schema()
        users = _load(random.Random(7), bookings)
        cursors = _deep_cursors(users, bookings)
        dialect = db.engine.dialect.name
        plans = _plans()
    figures = []
    for who, paths in PATHS:
        _step(f"timing {who}'s pages")
        client = app.test_client()
        client.post("/login", data={"email": users[who], "password": PASSWORD})
        token = client.post(
            "/api/v1/tokens", json={"email": users[who], "password": PASSWORD}
        ).get_json()["token"]
        for path in paths:
            headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api") else None
            _, p95 = _time(client, _path(who, path, cursors), headers)
            name = f"list p95 {who} {path}"
            figures.append(Figure(name, dialect, p95, "ms", goal=PAGE_GOAL))
    indexed = sum(1 for _, uses_index, _ in plans if uses_index)
    figures.append(
        Figure(
            "list plans using an index",
            dialect,
            indexed,
            f"of {len(plans)}",
            goal=Goal(len(plans), at_most=False),
        )  # fmt: skip
    )
    with app.app_context():
        db.engine.dispose()
    return figures, [f"{who}: {plan}" for who, _, plan in plans]


#: The lists' queries as the services write them (a page of 25, the next one asked for):
#: each must read the bookings (or departures) through an index, never the whole table.
PLANNED = {
    "shipper": "SELECT id FROM bookings WHERE company_id = 1 "
    "ORDER BY created_at DESC, id DESC LIMIT 26",
    "clerk": "SELECT id FROM bookings WHERE origin_station_id = 2 "
    "ORDER BY created_at DESC, id DESC LIMIT 26",
    "operator": "SELECT id FROM bookings ORDER BY created_at DESC, id DESC LIMIT 26",
    "shipper, after a cursor": "SELECT id FROM bookings WHERE company_id = 1 "
    "AND created_at <= :at AND (created_at, id) < (:at, 500000) "
    "ORDER BY created_at DESC, id DESC LIMIT 26",
    "operator, after a cursor": "SELECT id FROM bookings "
    "WHERE created_at <= :at AND (created_at, id) < (:at, 500000) "
    "ORDER BY created_at DESC, id DESC LIMIT 26",
    "clerk, by status": "SELECT id FROM bookings WHERE origin_station_id = 2 "
    "AND status = 'RECEIVED' ORDER BY created_at DESC, id DESC LIMIT 26",
    "operator, by status": "SELECT id FROM bookings WHERE status = 'RECEIVED' "
    "ORDER BY created_at DESC, id DESC LIMIT 26",
    "shipper, a search's window": "SELECT id FROM bookings WHERE company_id = 1 "
    "ORDER BY created_at DESC, id DESC LIMIT 2000",
    "operator, a search's window": "SELECT id FROM bookings "
    "WHERE created_at <= :at AND (created_at, id) < (:at, 500000) "
    "ORDER BY created_at DESC, id DESC LIMIT 2000",
    "departures board": "SELECT id FROM departures WHERE departs_at >= :at "
    "ORDER BY departs_at, id LIMIT 25",
    "departures board, its bookings": "SELECT departure_id, status, sum(teu) FROM bookings "
    "WHERE departure_id IN (1, 2, 3) GROUP BY departure_id, status",
}


def _plans() -> list[tuple[str, bool, str]]:
    """Each list query's plan, and whether it reads the rows through an index."""
    postgres = db.engine.dialect.name == "postgresql"
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    at = utcnow() - timedelta(days=100)
    plans = []
    for who, sql in PLANNED.items():
        stmt = text(explain + sql)
        if ":at" in sql:
            stmt = stmt.bindparams(bindparam("at", at, type_=UTCDateTime()))
        plan = " | ".join(str(row[-1]) for row in db.session.execute(stmt))
        uses_index = (
            ("Index" in plan and "Seq Scan" not in plan)
            if postgres
            else (
                "USING INDEX" in plan
                or "USING COVERING INDEX" in plan
                or "USING INTEGER PRIMARY KEY" in plan
            )
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
