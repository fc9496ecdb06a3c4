"""The corridor comparison (``services.corridors.compare``): p95 of the API's
``GET /api/v1/corridors`` and of the web page ``/corridors`` through the test client, for a
shipper, with a realistic timetable: every route running for 90 days, most departures of the
first weeks full (the comparison reads past them), and the demo's tariffs (each answer is
priced).

    .venv/bin/python -m bench.corridors                   # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.corridors
"""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from bench.common import (
    PASSWORD,
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    get_ms,
    open_departure,
    settle,
    table,
)
from dryport.extensions import db
from dryport.models import DepartureLeg, Role, Route
from dryport.services import accounts
from dryport.services.clock import utcnow
from dryport.services.demo_tariffs import add_tariffs
from dryport.services.reference_data import seed_reference_data

ROUNDS = 30
GOAL = Goal(50)  # ms, p95
DAYS = 90
#: A shipment as a shipper asks for it: station, boxes, and where it goes with its mass, or not.
QUERIES = {
    "2 x 42G1": "origin_station=HB&size_type=42G1&quantity=2",
    "4 x 45G1 to DEHAM, 60 t": (
        "origin_station=HB&size_type=45G1&quantity=4&destination=DEHAM&gross_weight_kg=60000"
    ),
    "10 x 22G1 to DEHAM by CO2e": (
        "origin_station=HB&size_type=22G1&quantity=10&destination=DEHAM&sort=co2e"
    ),
}
PATHS = [("API", f"/api/v1/corridors?{query}", label) for label, query in QUERIES.items()] + [
    ("web", f"/corridors?{query}", label) for label, query in list(QUERIES.items())[1:]
]


def _load() -> str:
    """The timetable, the tariffs and a shipper; the shipper's e-mail."""
    seed_reference_data(db.session)
    company = accounts.get_or_create_company(db.session, "Bench Tea", "91110000600037341L")
    shipper = accounts.create_user(
        db.session, role=Role.SHIPPER, email="s@bench.example", password=PASSWORD, company=company
    )
    admin = accounts.create_user(
        db.session, role=Role.ADMIN, email="a@bench.example", password=PASSWORD
    )
    now = utcnow()
    add_tariffs(db.session, {r.code: r for r in db.session.scalars(select(Route))}, now, admin)
    for route in ("EAST", "XAEU", "WHSEA"):
        for day in range(-30, DAYS):  # a month already gone, then the next three
            departure = open_departure(route, f"{route[0]}{day + 100}", days=day,
                                       capacity_teu=100)  # fmt: skip
            if day < 21 and day % 7:  # the first three weeks nearly all full
                departure.held_teu = Decimal(99)
            if route == "XAEU":
                departure.border_crossing = "AKA-DOS"
                departure.leg_plans.append(DepartureLeg(seq=1, service_no=f"X{day + 100}"))
                # the international train a day after the feeder leaves the hub
                departure.leg_plans.append(DepartureLeg(
                    seq=2, service_no=f"X{day + 200}",
                    planned_departure=departure.departs_at + timedelta(days=1),
                ))  # fmt: skip
    settle()
    return shipper.email


def _check(answer: list[dict], label: str) -> None:
    """What is timed is the whole comparison: a priced departure on more than one route."""
    priced = [e for e in answer if e["departure_id"] and e["total"] is not None]
    if len(priced) < 2:
        raise RuntimeError(f"{label}: fewer than two routes answered with a price: {answer}")


def run(url: str | None = None, rounds: int = ROUNDS) -> list[Figure]:
    """p95 of ``rounds`` requests of each path, after one to warm up."""
    app = bench_app(database_url(url), WTF_CSRF_ENABLED=False)
    with app.app_context():
        fresh_schema()
        email = _load()
        dialect = db.engine.dialect.name
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    token = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).get_json()[
        "token"
    ]
    figures = []
    for face, path, label in PATHS:
        headers = {"Authorization": f"Bearer {token}"} if face == "API" else None
        first = client.get(path, headers=headers)  # it builds the templates and schemas
        if face == "API":
            _check(first.get_json(), label)
        samples = get_ms(client, path, rounds, headers)
        p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
        figures.append(Figure(f"corridors p95 {face} {label}", dialect, p95, "ms", goal=GOAL))
    with app.app_context():
        db.engine.dispose()
    return figures


def main() -> None:
    print(f"\np95 over {ROUNDS} requests")
    print(table(run()))


if __name__ == "__main__":
    main()
