"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set) built
by the migrations, emptied after every test; factories that return callables with defaults."""

import contextlib
import contextvars
import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from config import TestingConfig
from dryport import create_app
from dryport.extensions import db
from dryport.models import (
    HOLDING_STATUSES,
    AuditEntry,
    Booking,
    BookingLine,
    BookingStatus,
    Departure,
    DepartureStatus,
    Role,
    Route,
    Station,
    Tariff,
)
from dryport.services import accounts, credit_codes, customs_release, reports
from dryport.services.clock import local_today, utcnow
from dryport.services.containers import total_teu
from dryport.services.reference_data import seed_reference_data

PASSWORD = "correct-horse-battery"
VALID_USCC = "91110000600037341L"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class IsolatedClient(FlaskClient):
    """Each request runs in a context of its own, as in production: its own application
    context, ``g`` and database session, not those of the test that sends it.

    The test's own session commits first, so the request sees what the test set up, and
    the test, reading afresh afterwards, sees what the request did.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(tmp_path_factory)

    app = create_app(Config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # The schema is dropped and rebuilt: never on a database not meant for tests.
            assert "test" in db.engine.url.database, f"not a test database: {db.engine.url}"
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_tables() -> None:
    db.session.rollback()
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        # DELETE, children first, not TRUNCATE: on tables of a few rows PostgreSQL's
        # TRUNCATE of every table costs about 85 ms, these DELETEs about 10.
        for name in tables:
            conn.execute(text(f"DELETE FROM {name}"))
        if conn.dialect.name == "postgresql":
            # ids start again at 1, as SQLite's do once a table is empty
            conn.execute(
                text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'")
            )


@pytest.fixture(autouse=True)
def _empty_database(app, request):
    """Each test starts with empty tables (the schema stays); tests marked ``shared_data``
    read data that a module fixture loaded once and empties at the module's end."""
    with app.app_context():
        yield
        if request.node.get_closest_marker("shared_data") is None:
            empty_tables()


@pytest.fixture
def make_app(app):
    """Another application on the test database (to add a route, or change a setting); its
    connections are closed afterwards."""
    made = []

    def make(**config):
        other = create_app(type("Cfg", (), {**dict(app.config), **config}))
        other.test_client_class = app.test_client_class
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def db_session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(db_session):
    seed_reference_data(db_session)
    db_session.commit()
    return db_session


@pytest.fixture
def station(seeded):
    def get(code: str) -> Station:
        return seeded.scalar(select(Station).where(Station.code == code))

    return get


@pytest.fixture
def make_company(db_session):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, credit_code: str | None = None):
        n = next(counter)
        if credit_code is None:
            credit_code = credit_codes.make("91610900", f"MA{n:06d}")
        return accounts.get_or_create_company(db_session, name or f"Company {n}", credit_code)

    return make


@pytest.fixture
def make_user(db_session, seeded, make_company):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.SHIPPER, *, email=None, company=None, station="HB", **kw):
        n = next(counter)
        user = accounts.create_user(
            db_session,
            role=role,
            email=email or f"{role.name.lower()}{n}@example.com",
            password=kw.pop("password", PASSWORD),
            company=company or (make_company() if role is Role.SHIPPER else None),
            station_code=station if role is Role.CLERK else None,
            **kw,
        )
        db_session.commit()
        return user

    return make


@pytest.fixture
def make_departure(db_session, seeded):
    def make(route="EAST", *, days=7, capacity=100, cutoff_hours=24, service_no=None, **kw):
        departs = kw.pop("departs_at", None) or utcnow() + timedelta(days=days)
        departure = Departure(
            route=db_session.scalar(select(Route).where(Route.code == route)),
            service_no=service_no or f"T{departs:%m%d%H%M%S}",
            departs_at=departs,
            cutoff_at=departs - timedelta(hours=cutoff_hours),
            capacity_teu=capacity,
            held_teu=Decimal(0),
            held_kg=Decimal(0),
            **kw,
        )
        db_session.add(departure)
        db_session.commit()
        return departure

    return make


@pytest.fixture
def make_booking(db_session, seeded, make_departure):
    """A RECEIVED booking written directly, holding its TEU on the departure."""
    counter = iter(range(1, 100_000))

    def make(company, *, departure=None, origin="HB", lines=(("22G1", 1),), **kw):
        departure = departure or make_departure()
        teu = total_teu(lines)
        booking = Booking(
            reference=f"HKTEST-{next(counter):05d}",
            company=company,
            departure=departure,
            origin_station=db_session.scalar(select(Station).where(Station.code == origin)),
            consignee_name="Duisburg Intermodal GmbH",
            consignee_address="Duisburg, DE",
            cargo_description="Green tea",
            hs_code="090210",
            destination=kw.pop("destination", destination_of(departure)),
            package_count=kw.pop("package_count", 600),
            package_kind=kw.pop("package_kind", "CT"),
            has_dangerous_goods=kw.pop("has_dangerous_goods", kw.get("un_number") is not None),
            gross_weight_kg=kw.pop("gross_weight_kg", Decimal(12000)),
            teu=teu,
            status=kw.pop("status", BookingStatus.RECEIVED),
            **kw,
        )
        booking.lines = [BookingLine(size_type=s, quantity=q) for s, q in lines]
        if booking.status in HOLDING_STATUSES:
            departure.held_teu += teu
            departure.held_kg += booking.gross_weight_kg
        db_session.add(booking)
        db_session.commit()
        return booking

    return make


@pytest.fixture
def count_queries(app):
    """``with count_queries() as seen:`` — the statements run inside, in ``seen``."""

    @contextlib.contextmanager
    def counting():
        seen: list[str] = []

        def note(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", note)

    return counting


@pytest.fixture
def make_tariff(db_session, seeded):
    """A tariff of a seeded route, valid from a year ago with no end unless told otherwise;
    amounts as strings."""

    def make(route="EAST", group="20", amount="1000.00", *, leg_seq=None, currency="CNY",
             valid_from=None, valid_to=None, **surcharges):  # fmt: skip
        tariff = Tariff(
            route=db_session.scalar(select(Route).where(Route.code == route)),
            leg_seq=leg_seq,
            size_group=group,
            currency=currency,
            amount=Decimal(amount),
            dg_surcharge=Decimal(surcharges.pop("dg", "0")),
            reefer_surcharge=Decimal(surcharges.pop("reefer", "0")),
            overweight_surcharge=Decimal(surcharges.pop("overweight", "0")),
            valid_from=valid_from or local_today() - timedelta(days=365),
            valid_to=valid_to,
        )
        assert not surcharges, surcharges
        db_session.add(tariff)
        db_session.commit()
        return tariff

    return make


# ---- booking bodies, for the API and the web form ----------------------------------------

#: A destination of each seeded route, for bookings that do not care which.
DESTINATION = {"EAST": "CNNGB", "XAEU": "DEDUI", "WHSEA": "NLRTM"}


def cargo(**overrides) -> dict:
    """A cargo object as the API takes it: green tea in cartons, no dangerous goods."""
    return {
        "description": "Selenium-rich green tea",
        "hs_code": "090210",
        "packages": {"count": 800, "kind": "CT", "marks": "HK/DUI 1-800"},
        "gross_weight_kg": 18500,
        **overrides,
    }


def destination_of(departure) -> str:
    """A destination of the departure's route (a ``Departure`` or its id): the seeded
    routes' usual one, else the first a route lists (routes made by administrators)."""
    if not isinstance(departure, Departure):
        departure = db.session.get(Departure, departure)
    route = departure.route
    return DESTINATION.get(route.code) or route.destinations[0].code


def booking_body(departure, /, **overrides) -> dict:
    """A valid body of ``POST /api/v1/bookings`` on ``departure`` (a ``Departure`` or its
    id): two 20 ft boxes of tea from Hanbin, to a destination of its route."""
    return {
        "departure_id": departure if isinstance(departure, int) else departure.id,
        "origin_station": "HB",
        "destination": destination_of(departure),
        "consignee": {"name": "Duisburg Intermodal GmbH", "address": "Hafenstraße 1, Duisburg"},
        "cargo": cargo(),
        "containers": [{"size_type": "22G1", "quantity": 2}],
        **overrides,
    }


def cargo_form(**overrides) -> dict:
    """The cargo inputs of the booking form (flat names), as ``cargo()`` says them."""
    return {
        "cargo.description": "Selenium-rich green tea",
        "cargo.hs_code": "090210",
        "cargo.packages.count": "800",
        "cargo.packages.kind": "CT",
        "cargo.packages.marks": "HK/DUI 1-800",
        "cargo.gross_weight_kg": "18500",
        "cargo.has_dangerous_goods": "false",
        **overrides,
    }


def csrf_token(response) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', response.data)
    assert match, "page has no CSRF token"
    return match.group(1).decode()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_token(page)},
        )

    def logout(self):
        page = self.client.get("/departures")
        return self.client.post("/logout", data={"csrf_token": csrf_token(page)})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def api_token(client):
    def get(email: str, password: str = PASSWORD) -> dict:
        response = client.post("/api/v1/tokens", json={"email": email, "password": password})
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return get


def container_rows(*numbers, size_type="22G1", gross_kg=12_000, tare_kg=2_300, **overrides):
    """Confirmation rows for ``numbers`` whose weighed cargo mass, Σ (VGM − tare), is
    ``gross_kg`` (``make_booking``'s default gross), each signed for by a named person."""
    cargo = gross_kg // len(numbers) if numbers else 0
    return [
        {
            "number": number,
            "size_type": size_type,
            "seal": f"AK{index:05d}",
            "tare_kg": tare_kg,
            "vgm_kg": tare_kg + cargo + (gross_kg - cargo * len(numbers) if index == 0 else 0),
            "vgm_method": "METHOD_1",
            "vgm_certified_by": "Wang Fang",
            **overrides,
        }
        for index, number in enumerate(numbers)
    ]


# ---- shipped volume, for the reports -------------------------------------------------

B = BookingStatus


def beijing(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def shipped(db_session, make_departure, make_booking, make_company):
    """A departed departure with bookings, and what it carried recorded for the reports;
    returns the departure."""
    companies = {}

    def make(route, departed_at, bookings, capacity=100, arrived=False):
        departure = make_departure(
            route, departs_at=departed_at, capacity=capacity, departed_at=departed_at,
            status=DepartureStatus.ARRIVED if arrived else DepartureStatus.DEPARTED,
        )  # fmt: skip
        for company, origin, lines, kg, status in bookings:
            if company not in companies:
                companies[company] = make_company(company)
            make_booking(
                companies[company],
                departure=departure,
                origin=origin,
                lines=lines,
                gross_weight_kg=Decimal(kg),
                status=status,
            )
        reports.record_shipped(db_session, [departure.id])  # as ``depart`` does
        return departure

    return make


@pytest.fixture
def march(shipped):
    """Hand-made March 2026 (Beijing time), with its neighbours."""
    # 23:30 on 31 March in Beijing is still March, though it is 15:30 UTC.
    shipped("EAST", beijing(2026, 3, 31, 23, 30), [
        ("Tea", "HB", (("22G1", 2),), 20000, B.DEPARTED),
        ("Silk", "HK", (("45G1", 1),), 15000, B.ARRIVED),
        ("Tea", "HB", (("22G1", 1),), 9000, B.CANCELLED),    # not shipped
    ])  # fmt: skip
    shipped("XAEU", beijing(2026, 3, 5, 10), [
        ("Tea", "ZP", (("42G1", 1), ("22G1", 1)), 30000, B.ARRIVED),
        ("Konjac", "HB", (("22G1", 1),), 8000, B.REJECTED),  # not shipped
    ], capacity=82, arrived=True)  # fmt: skip
    # 00:10 on 1 April in Beijing is April, though it is still 31 March in UTC.
    shipped("EAST", beijing(2026, 4, 1, 0, 10), [("Silk", "HB", (("22G1", 5),), 50000, B.DEPARTED)])
    shipped(
        "WHSEA",
        beijing(2026, 2, 10, 10),
        [("Tea", "HB", (("22G1", 1),), 7000, B.ARRIVED)],
        arrived=True,
    )
    shipped(
        "EAST",
        beijing(2025, 3, 15, 10),
        [("Tea", "HB", (("22G1", 4),), 40000, B.ARRIVED)],
        arrived=True,
    )


# ---- attached documents ----------------------------------------------------------------

#: The smallest files of each accepted format, by the signature they begin with.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def multipart(fields: dict, files: dict | None = None, boundary: str = "dryport-test-boundary"):
    """A ``multipart/form-data`` body, as bytes, and its content type: ``fields`` maps names
    to text, ``files`` names to ``(file name, bytes)``. Built here rather than by Werkzeug's
    test client, which spools a large body to a temporary file it never closes."""
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8", "surrogatepass")
            + b"\r\n"
        )
    for name, (file_name, data) in (files or {}).items():
        file_name = file_name.replace("\\", "\\\\").replace('"', '\\"')  # quoted-string
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode("utf-8", "surrogatepass") + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def make_document(db_session):
    """A document attached to a booking through the service, as ``user`` uploads it."""
    from io import BytesIO

    from dryport.models import DocumentKind
    from dryport.services import documents

    def make(user, booking, *, kind=DocumentKind.INVOICE, name="invoice.pdf", data=PDF):
        document = documents.add_document(
            db_session, user, booking.reference, kind, name, BytesIO(data)
        )
        db_session.commit()
        return document

    return make


def audit_entries(db_session, entity: str) -> list:
    """The audit log's entries about ``entity``, oldest first, as the database has them."""
    db_session.expire_all()
    return db_session.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    ).all()


def row_count(db_session, model) -> int:
    """How many rows ``model``'s table holds, as the database has them."""
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


# ---- customs release, before an international departure leaves --------------------------


def declaration_for(booking) -> str:
    """An 18-digit export declaration number of its own for ``booking`` (Xi'an district)."""
    return f"61012026{booking.id:010d}"


@pytest.fixture
def release_customs(db_session, make_user):
    """Record, through the service as an operator would, customs release of every confirmed
    booking on ``departure`` that lacks it (under the booking's declaration number, or one
    of its own): what a departure of XAEU or WHSEA needs before it departs."""
    operators = []

    def release(departure, released_at=None) -> list[str]:
        if not operators:
            operators.append(make_user(Role.OPERATOR))
        departure_id = departure if isinstance(departure, int) else departure.id
        waiting = db_session.scalars(
            select(Booking).where(
                Booking.departure_id == departure_id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.customs_released_at.is_(None),
            )
        ).all()
        for booking in waiting:
            number = booking.customs_declaration_no or declaration_for(booking)
            customs_release.release(
                db_session, operators[0], booking.reference, number, released_at
            )
        db_session.commit()
        return [booking.reference for booking in waiting]

    return release


# ---- the monthly rail plan -------------------------------------------------------------


@pytest.fixture
def road_route(db_session, seeded):
    """A route with no rail leg: a truck straight to Ningbo."""
    from dryport.models import DocumentType, Leg, Place, TransportMode

    route = Route(
        code="TRUCK", name_zh="公路直达", name_en="Road direct",
        document_type=DocumentType.MULTIMODAL,
        destinations=[db_session.scalar(select(Place).where(Place.code == "CNNGB"))],
        legs=[Leg(seq=1, mode=TransportMode.ROAD, origin_zh="恒口", origin_en="Hengkou",
                  destination_zh="宁波", destination_en="Ningbo")],
    )  # fmt: skip
    db_session.add(route)
    db_session.commit()
    return route


@pytest.fixture
def weekly_history(shipped):
    """What ``route`` shipped in each of the 12 spans of 7 days a rail plan learns from before
    ``anchor`` (its month's first day): 12 whole TEU, oldest first, each on one departure in
    the middle of its span."""
    from dryport.services.plan_trend import history

    def make(route, anchor, teus):
        start = history(anchor).first
        for k, teu in enumerate(teus):
            if teu:
                day = start + timedelta(days=7 * k + 3)
                shipped(route, beijing(day.year, day.month, day.day, 10),
                        [("Tea", "HB", (("22G1", teu),), 1000 * teu, B.DEPARTED)],
                        capacity=200)  # fmt: skip

    return make


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the app's mail settings pointed at it."""
    from tests.mail_server import start_mail_server

    server = start_mail_server()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    server.stop()
