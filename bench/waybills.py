"""Waybill PDFs: milliseconds per single-page waybill, and seconds for a departure of 100
confirmed bookings printed as one PDF.

    .venv/bin/python -m bench.waybills                   # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.waybills
"""

import statistics
import time
from decimal import Decimal

from bench.common import (
    PASSWORD,
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    open_departure,
    table,
)
from dryport.extensions import db
from dryport.models import Role, VgmMethod
from dryport.services import accounts, bookings, loading, waybills
from dryport.services.containers import make_number
from dryport.services.reference_data import seed_reference_data

BOOKINGS = 100
WAYBILL_GOAL = Goal(15)  # ms per single-page waybill


def _load(count: int) -> int:
    seed_reference_data(db.session)
    company = accounts.get_or_create_company(db.session, "Bench Tea", "91110000600037341L")
    shipper = accounts.create_user(
        db.session, role=Role.SHIPPER, email="s@bench.example", password=PASSWORD, company=company
    )
    clerk = accounts.create_user(
        db.session, role=Role.CLERK, email="c@bench.example", password=PASSWORD, station_code="HB"
    )
    departure = open_departure("XAEU", "X8157", days=10, capacity_teu=1000)
    db.session.flush()
    for n in range(count):
        booking = bookings.place_booking(db.session, shipper, {
            "departure_id": departure.id, "origin_station": "HB", "destination": "DEDUI",
            "consignee": {"name": "Duisburg Intermodal GmbH", "address": "Duisburg, DE"},
            "notify_party": None,
            "cargo": {"description": "富硒绿茶 Selenium-rich green tea", "hs_code": "090210",
                      "packages": {"count": 720, "kind": "BG"},
                      "gross_weight_kg": Decimal(18000), "has_dangerous_goods": False},
            "containers": [{"size_type": "45G1", "quantity": 2}],
        })  # fmt: skip
        rows = [
            {"number": make_number("TGH", 2 * n + i), "size_type": "45G1", "seal": f"S{n}{i}",
             "tare_kg": 3750, "vgm_kg": 12750, "vgm_method": VgmMethod.METHOD_1,
             "vgm_certified_by": "Wang Fang"}
            for i in range(2)
        ]  # fmt: skip
        loading.confirm_load(db.session, clerk, booking.reference, rows)
    db.session.commit()
    return departure.id


def run(url: str | None = None, bookings: int = BOOKINGS) -> list[Figure]:
    """Milliseconds per single-page waybill (median of up to 50) and seconds for all the
    waybills of a departure of ``bookings`` confirmed bookings as one PDF."""
    app = bench_app(database_url(url))
    with app.app_context():
        fresh_schema()
        departure_id = _load(bookings)
        found = waybills.departure_waybills(db.session, departure_id)
        waybills.render_pdf(found[:1])  # the font is registered once per process
        singles = []
        for waybill in found[:50]:
            start = time.perf_counter()
            waybills.render_pdf([waybill])
            singles.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        waybills.render_pdf(waybills.departure_waybills(db.session, departure_id))
        seconds = time.perf_counter() - start
        dialect = db.engine.dialect.name
        db.engine.dispose()
    return [
        Figure("waybill, one page", dialect, statistics.median(singles), "ms", goal=WAYBILL_GOAL),
        Figure(f"waybills of a {len(found)}-booking departure", dialect, seconds, "s"),
    ]


def main() -> None:
    print(table(run()))


if __name__ == "__main__":
    main()
