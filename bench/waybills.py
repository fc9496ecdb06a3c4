"""Waybill PDFs: milliseconds per one-page document of each route's kind — the CIM/SMGS note
(XAEU), the consignment order (EAST), the multimodal transport document (WHSEA) — for
bookings with every field their document prints, and seconds for the waybills of a departure
of 100 such bookings printed as one PDF.

    .venv/bin/python -m bench.waybills                   # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench .venv/bin/python -m bench.waybills
"""

import statistics
import time

from sqlalchemy import select

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
from dryport.models import DepartureLeg, Role, Route, User, VgmMethod
from dryport.schemas.bookings import BookingCreateSchema
from dryport.services import accounts, bookings, loading, waybills
from dryport.services.clock import utcnow
from dryport.services.containers import make_number
from dryport.services.demo_tariffs import add_tariffs
from dryport.services.reference_data import DESTINATIONS, seed_reference_data

BOOKINGS = 100
SINGLES = 50  # single documents timed per route
WAYBILL_GOAL = Goal(15)  # ms per single-page waybill
BATCH_GOAL = Goal(2)  # s for the waybills of a 100-booking departure
#: Each route's document, as ``Route.document_type`` picks it.
DOCUMENTS = {
    "XAEU": "CIM/SMGS note",
    "EAST": "consignment order",
    "WHSEA": "multimodal transport document",
}
PAINT = {
    "un_number": "UN1263", "class": "3", "packing_group": "III",
    "proper_shipping_name": "PAINT (water-based, flammable solvent)",
    "emergency_contact": "+86 915 321 0000 (24 h)",
}  # fmt: skip
CUSTOMS = {"declaration_no": "610120261234567890", "invoice_value": "48250.00", "currency": "USD"}
LOADED = ("45G1", 2)  # each booking: two 45 ft boxes


def _people() -> tuple[User, User]:
    """The shipper who books and the Hanbin clerk who confirms; the reference data and the
    demo's tariffs (each booking is priced, its document prints the charges)."""
    seed_reference_data(db.session)
    company = accounts.get_or_create_company(db.session, "Bench Tea", "91110000600037341L")
    company.address = "安康市汉滨区 恒口示范区 Hengkou, Ankang, Shaanxi"
    company.contact_name, company.contact_phone = "王芳 Wang Fang", "+86 915 321 0000"
    shipper = accounts.create_user(
        db.session, role=Role.SHIPPER, email="s@bench.example", password=PASSWORD, company=company
    )
    clerk = accounts.create_user(
        db.session, role=Role.CLERK, email="c@bench.example", password=PASSWORD, station_code="HB"
    )
    admin = accounts.create_user(
        db.session, role=Role.ADMIN, email="a@bench.example", password=PASSWORD
    )
    add_tariffs(db.session, {r.code: r for r in db.session.scalars(select(Route))}, utcnow(), admin)
    return shipper, clerk


def _body(route: str, departure_id: int, n: int) -> dict:
    """The n-th booking of ``route``, as a shipper sends it with everything its document
    prints: destination, parties, packages with marks, customs, a declared value; one in
    five carries dangerous goods; the sea leg on the routes that go on by sea; half the
    multimodal documents negotiable."""
    destinations = DESTINATIONS[route]
    destination = destinations[n % len(destinations)]
    body = {
        "departure_id": departure_id,
        "origin_station": "HB",
        "destination": destination,
        "consignee": {"name": f"Intermodal Consignee {n} GmbH",
                      "address": "Hafenstraße 1, 47119 Duisburg, Deutschland"},
        "notify_party": {"name": "Notify Logistics GmbH", "address": "Hamburg, Deutschland"},
        "cargo": {
            "description": "富硒绿茶 Selenium-rich green tea, 25 kg bags",
            "hs_code": "090210",
            "packages": {"count": 720, "kind": "BG", "marks": f"HK/{destination} 1-720"},
            "gross_weight_kg": 18000,
            "net_weight_kg": 17500,
            **({"dangerous_goods": PAINT} if n % 5 == 0 else {}),
        },
        "containers": [{"size_type": LOADED[0], "quantity": LOADED[1]}],
        "customs": CUSTOMS,
        "declared_value": {"amount": "125000.50", "currency": "USD"},
    }  # fmt: skip
    if route == "EAST":
        body["sea_leg"] = {"ocean_booking_no": f"COSU6{n:09d}", "vessel": "COSCO SHIPPING ARIES",
                           "voyage": "045W", "port_of_discharge": "NLRTM"}  # fmt: skip
    if route == "WHSEA":
        body["sea_leg"] = {"ocean_booking_no": f"COSU7{n:09d}", "vessel": "COSCO SHIPPING UNIVERSE",
                           "voyage": "043W", "port_of_discharge": "DEHAM"}  # fmt: skip
        body["negotiable"] = n % 2 == 0
    return body


def _departure(route: str, service_no: str, days: int) -> int:
    """A departure of ``route`` with its leg plan's train numbers and, on XAEU, its crossing."""
    departure = open_departure(route, service_no, days=days, capacity_teu=1000)
    if route == "XAEU":
        departure.border_crossing = "AKA-DOS"
        departure.leg_plans.append(DepartureLeg(seq=1, service_no="X12345"))
    if route == "WHSEA":
        departure.leg_plans.append(DepartureLeg(seq=3, service_no="YZ2612"))
        departure.leg_plans.append(DepartureLeg(seq=4, service_no="0GX3SW1MA"))
    db.session.flush()
    return departure.id


def _book(shipper: User, clerk: User, route: str, departure_id: int, count: int, first: int):
    """``count`` bookings of ``route`` placed and confirmed through the services."""
    schema = BookingCreateSchema()
    for n in range(first, first + count):
        data = schema.load(_body(route, departure_id, n))
        booking = bookings.place_booking(db.session, shipper, data)
        rows = [
            {"number": make_number("TGH", 2 * n + i), "size_type": LOADED[0], "seal": f"S{n}{i}",
             "tare_kg": 3750, "vgm_kg": 12750, "vgm_method": VgmMethod.METHOD_1,
             "vgm_certified_by": "Wang Fang"}
            for i in range(LOADED[1])
        ]  # fmt: skip
        loading.confirm_load(db.session, clerk, booking.reference, rows)
    db.session.commit()


def _load_routes(count: int) -> dict[str, int]:
    """A departure of each route: ``count`` bookings on XAEU's (the batch), fewer on the
    others (their single documents only); the departures' ids by route."""
    shipper, clerk = _people()
    found, first = {}, 0
    for days, route in enumerate(DOCUMENTS, 10):
        found[route] = _departure(route, f"B{days}", days)
        number = count if route == "XAEU" else min(count, SINGLES)
        _book(shipper, clerk, route, found[route], number, first)
        first += number
    return found


def _singles(departures: dict[str, int]) -> dict[str, list[float]]:
    """Per route, milliseconds of each of up to ``SINGLES`` of its waybills rendered alone,
    after one of each (what a first document of its kind loads). The routes take turns, one
    document each, so that a passing slowdown of the machine weighs on all three alike
    rather than on whichever was timed while it lasted."""
    found = {
        route: waybills.departure_waybills(db.session, departure_id)[:SINGLES]
        for route, departure_id in departures.items()
    }
    for route_waybills in found.values():
        waybills.render_pdf(route_waybills[:1])
    samples: dict[str, list[float]] = {route: [] for route in found}
    for n in range(max(map(len, found.values()))):
        for route, route_waybills in found.items():
            if n < len(route_waybills):
                start = time.perf_counter()
                waybills.render_pdf([route_waybills[n]])
                samples[route].append((time.perf_counter() - start) * 1000)
    return samples


def run(url: str | None = None, bookings: int = BOOKINGS) -> list[Figure]:
    """Per route, milliseconds per one-page document (median of up to ``SINGLES``), and
    seconds for all the waybills of XAEU's departure of ``bookings`` bookings as one PDF."""
    app = bench_app(database_url(url))
    with app.app_context():
        fresh_schema()
        departures = _load_routes(bookings)
        batch = departures["XAEU"]
        singles = _singles(departures)
        db.session.expire_all()
        start = time.perf_counter()
        found = waybills.departure_waybills(db.session, batch)
        waybills.render_pdf(found)
        seconds = time.perf_counter() - start
        dialect = db.engine.dialect.name
        db.engine.dispose()
    figures = [
        Figure(f"waybill, one page: {route} {DOCUMENTS[route]}", dialect,
               statistics.median(samples), "ms", goal=WAYBILL_GOAL)
        for route, samples in singles.items()
    ]  # fmt: skip
    goal = BATCH_GOAL if len(found) >= BOOKINGS else None
    name = f"waybills of a {len(found)}-booking departure (XAEU)"
    figures.append(Figure(name, dialect, seconds, "s", goal=goal))
    figures.append(Figure(f"{name}, per page", dialect, seconds * 1000 / len(found), "ms"))
    return figures


def main() -> None:
    print(table(run()))


if __name__ == "__main__":
    main()
