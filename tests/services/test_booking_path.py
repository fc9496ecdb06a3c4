"""The booking path's own machinery: reference data kept per process and renewed on every
change, the booking written without the unit of work, references drawn apart on
PostgreSQL, the capacity hold taken last."""

from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, text, update

from dryport.db import utcnow
from dryport.extensions import db
from dryport.models import (
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    Counter,
    Departure,
    EventType,
    Leg,
    Place,
    Route,
    Station,
    Tariff,
    WebhookDelivery,
)
from dryport.services import bookings, reference_cache, sequences, webhooks
from dryport.services.clock import to_local
from dryport.services.errors import CapacityExceeded, Invalid
from tests.conftest import booking_body, cargo


@pytest.fixture
def shipper(make_user):
    return make_user()


def _place(session, shipper, departure, **overrides):
    body = booking_body(departure, **overrides)
    body.setdefault("waitlist", False)
    return bookings.place_booking(session, shipper, body)


def _charges_total(client, headers, departure) -> str:
    response = client.post("/api/v1/bookings", json=booking_body(departure), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["charges"]["total"]


def test_a_second_booking_reads_no_reference_data(
    db_session, shipper, make_departure, make_tariff, count_queries
):
    departure = make_departure("XAEU", capacity=100)
    make_tariff("XAEU", "20", "1000.00")
    _place(db_session, shipper, departure)
    db_session.commit()
    with count_queries() as seen:
        booking = _place(db_session, shipper, departure)
    kept = ("FROM stations", "FROM routes", "FROM places", "FROM tariffs", "FROM legs")
    assert not [s for s in seen if any(table in s for table in kept)], seen
    assert booking.charges["total"] == "2000.00"
    assert booking.destination_place.code == "DEDUI"  # shown without a query either


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: setattr(_station(s, "HB"), "name_en", "Hanbin East"), id="station"),
        pytest.param(lambda s: setattr(_route(s, "XAEU"), "refused_dg_classes", ["3"]), id="route"),
        pytest.param(lambda s: setattr(_legs(s, "XAEU")[0], "transit_hours", 9), id="leg"),
        pytest.param(lambda s: setattr(_place_of(s, "DEDUI"), "name_en", "Duisburg"), id="place"),
        pytest.param(lambda s: _keep(s, _route(s, "XAEU")).destinations.pop(), id="destinations"),
        pytest.param(lambda s: setattr(_tariffs(s)[0], "amount", Decimal(7)), id="tariff"),
        pytest.param(lambda s: s.delete(_tariffs(s)[0]), id="tariff deleted"),
    ],
)
def test_every_change_of_reference_data_renews_their_number(db_session, make_tariff, change):
    make_tariff("XAEU", "20", "1000.00")
    before = db_session.scalar(select(reference_cache.GENERATION))
    assert before is not None  # the seeded data wrote one
    change(db_session)
    db_session.commit()
    assert db_session.scalar(select(reference_cache.GENERATION)) != before


def test_a_booking_change_leaves_the_number_alone(db_session, shipper, make_departure):
    departure = make_departure("XAEU")
    before = db_session.scalar(select(reference_cache.GENERATION))
    booking = _place(db_session, shipper, departure)
    booking.consignee_name = "Another GmbH"
    db_session.commit()
    assert db_session.scalar(select(reference_cache.GENERATION)) == before


def test_a_station_closed_by_another_process_refuses_the_next_booking(
    db_session, shipper, make_departure, make_app
):
    departure = make_departure("XAEU")
    _place(db_session, shipper, departure)  # this app keeps the reference data
    db_session.commit()
    other = make_app()  # another app process on the same database
    with other.app_context():
        _station(db.session, "HB").active = False
        db.session.commit()
    with pytest.raises(Invalid) as refused:
        _place(db_session, shipper, departure)
    assert "origin_station" in refused.value.errors


def test_a_tariff_changed_by_another_process_prices_the_next_booking(
    client, db_session, make_user, make_departure, make_tariff, make_app, api_token
):
    shipper = make_user()
    headers = api_token(shipper.email)
    departure = make_departure("XAEU", capacity=100)
    tariff_id = make_tariff("XAEU", "20", "1000.00").id
    assert _charges_total(client, headers, departure) == "2000.00"
    other = make_app()
    with other.app_context():
        db.session.get(Tariff, tariff_id).amount = Decimal("1500.00")
        db.session.commit()
    assert _charges_total(client, headers, departure) == "3000.00"


def test_without_the_renewal_the_kept_tariff_would_be_stale(
    client, db_session, make_user, make_departure, make_tariff, make_app, api_token, monkeypatch
):
    """The control of the test above: with changes not renewing the number, the app that
    kept the data prices the next booking at the old tariff, and the test above would fail."""
    shipper = make_user()
    headers = api_token(shipper.email)
    departure = make_departure("XAEU", capacity=100)
    tariff_id = make_tariff("XAEU", "20", "1000.00").id
    assert _charges_total(client, headers, departure) == "2000.00"
    monkeypatch.setattr(reference_cache, "renew", lambda session: None)
    other = make_app()
    with other.app_context():
        db.session.get(Tariff, tariff_id).amount = Decimal("1500.00")
        db.session.commit()
    assert _charges_total(client, headers, departure) == "2000.00"


def test_a_change_not_yet_committed_is_read_by_its_own_transaction(
    db_session, shipper, make_departure
):
    departure = make_departure("XAEU")
    _place(db_session, shipper, departure)
    db_session.commit()
    _station(db_session, "HB").active = False
    db_session.flush()  # the same transaction: the kept data are not its truth
    with pytest.raises(Invalid):
        _place(db_session, shipper, departure)
    db_session.rollback()
    assert _place(db_session, shipper, departure).origin_station.code == "HB"


def test_the_kept_data_are_loaded_again_after_their_age(
    db_session, shipper, make_departure, count_queries, monkeypatch
):
    departure = make_departure("XAEU")
    _place(db_session, shipper, departure)
    db_session.commit()
    monkeypatch.setattr(reference_cache, "MAX_AGE", 0.0)
    with count_queries() as seen:
        _place(db_session, shipper, departure)
    assert [s for s in seen if "FROM stations" in s]


def test_a_booking_written_without_the_unit_of_work_is_whole(db_session, shipper, make_departure):
    departure = make_departure("XAEU")
    booking = _place(
        db_session, shipper, departure,
        containers=[{"size_type": "22G1", "quantity": 2}, {"size_type": "45G1", "quantity": 1}],
    )  # fmt: skip
    db_session.commit()
    db_session.expire_all()
    stored = db_session.scalar(select(Booking).where(Booking.reference == booking.reference))
    assert stored.version == 1
    assert stored.status is BookingStatus.RECEIVED
    assert sorted((line.size_type, line.quantity) for line in stored.lines) == [
        ("22G1", 2),
        ("45G1", 1),
    ]
    assert [event.type for event in stored.events] == [EventType.CREATED]
    assert stored.events[0].actor_id == shipper.id
    assert stored.has_dangerous_goods is False and stored.negotiable is False
    assert stored.customs_released_at is None


def test_a_refused_booking_leaves_no_row(db_session, shipper, make_departure):
    departure = make_departure("XAEU", capacity=1)
    with pytest.raises(CapacityExceeded):
        _place(db_session, shipper, departure)
    db_session.rollback()
    for model in (Booking, BookingLine, BookingEvent):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0
    db_session.refresh(departure)
    assert departure.held_teu == 0


def test_a_savepoint_rolled_back_takes_the_booking_out_of_the_session(
    db_session, shipper, make_departure
):
    departure = make_departure("XAEU")
    savepoint = db_session.begin_nested()
    booking = _place(db_session, shipper, departure)
    savepoint.rollback()
    assert booking not in db_session
    assert all(line not in db_session for line in booking.lines)
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_waiting_booking_keeps_version_one_and_is_placed_at_its_refusal(
    client, db_session, make_user, make_departure, api_token
):
    shipper = make_user()
    departure = make_departure("XAEU", capacity=2)
    headers = api_token(shipper.email)
    assert client.post("/api/v1/bookings", json=booking_body(departure), headers=headers)
    body = booking_body(departure, waitlist=True)
    response = client.post("/api/v1/bookings", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "WAITLISTED"
    stored = db_session.scalar(select(Booking).where(Booking.reference == answer["reference"]))
    assert stored.version == answer["version"] == 1
    assert [event.type for event in stored.events] == [EventType.WAITLISTED]
    assert stored.events[0].at == stored.created_at


def test_references_skip_a_number_on_postgresql_only(db_session, shipper, make_departure):
    departure = make_departure("XAEU", capacity=2)
    first = _place(db_session, shipper, departure).reference
    db_session.commit()
    with pytest.raises(CapacityExceeded):
        _place(db_session, shipper, departure)
    db_session.rollback()
    departure.capacity_teu = 4
    db_session.commit()
    third = _place(db_session, shipper, departure).reference
    step = int(third[-5:]) - int(first[-5:])
    postgresql = db.engine.dialect.name == "postgresql"
    assert step == (2 if postgresql else 1)  # the refused one drew a number on PostgreSQL
    counters = db_session.scalars(select(Counter.name)).all()
    month = f"booking:{first[2:6]}"
    assert (month in counters) is not postgresql  # PostgreSQL draws from a sequence instead
    if postgresql:
        drawn = db_session.scalar(text(f"SELECT last_value FROM {sequences.sequence_name(month)}"))
        assert drawn == int(third[-5:])


def _keep(session, obj):
    session.info.setdefault("kept by the test", []).append(obj)  # alive until the commit
    return obj


def _station(session, code) -> Station:
    return session.scalar(select(Station).where(Station.code == code))


def _route(session, code) -> Route:
    return session.scalar(select(Route).where(Route.code == code))


def _legs(session, code) -> list[Leg]:
    return _route(session, code).legs


def _place_of(session, code) -> Place:
    return session.scalar(select(Place).where(Place.code == code))


def _tariffs(session) -> list[Tariff]:
    return list(session.scalars(select(Tariff).order_by(Tariff.id)))


def test_without_a_number_the_reference_data_are_read_each_time(
    db_session, shipper, make_departure, count_queries
):
    departure = make_departure("XAEU")
    db_session.execute(delete(Counter).where(Counter.name == reference_cache.NAME))
    db_session.commit()
    reference_cache.forget()
    for _ in range(2):
        with count_queries() as seen:
            assert _place(db_session, shipper, departure).origin_station.code == "HB"
        assert [s for s in seen if "FROM stations" in s]  # read in the booking's transaction
        db_session.commit()


def test_the_migration_numbers_the_reference_data(app, db_session):
    with db.engine.begin() as connection:
        migration = _migration("f1c7a3e9b5d2")
        connection.execute(delete(Counter).where(Counter.name == reference_cache.NAME))
        _run(migration.upgrade, connection)
    assert db_session.scalar(select(reference_cache.GENERATION)) is not None


def _migration(revision):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate  # noqa: F401 - the app's migrations folder

    from dryport.extensions import migrate

    config = migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).module


def _run(step, connection):
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with Operations.context(MigrationContext.configure(connection)):
        step()


def test_after_its_first_write_a_booking_reads_nothing(
    db_session, shipper, make_departure, count_queries
):
    """From its first write to its commit a booking holds SQLite's write lock, and from its
    hold the departure's row: nothing is read in between, the webhook endpoints included."""
    departure = make_departure("XAEU")
    _place(db_session, shipper, departure)
    db_session.commit()
    with count_queries() as seen:
        _place(db_session, shipper, departure)
        db_session.commit()
    writes = ("INSERT", "UPDATE", "DELETE", "WITH")  # WITH: PostgreSQL's one write
    first_write = next(n for n, s in enumerate(seen) if s.lstrip().startswith(writes))
    assert any("webhook_endpoints" in s for s in seen[:first_write])
    assert [s for s in seen[first_write:] if s.lstrip().startswith("SELECT")] == []


def test_a_company_without_endpoints_is_known_by_the_departures_read(
    db_session, shipper, make_departure, count_queries
):
    departure = make_departure("XAEU")
    with count_queries() as seen:
        _place(db_session, shipper, departure)
        db_session.commit()
    asked = [s for s in seen if "webhook_endpoints" in s]
    assert len(asked) == 1 and "FROM departures" in asked[0], asked


def test_a_company_with_an_endpoint_reads_it_and_is_told(
    db_session, shipper, make_departure, count_queries
):
    endpoint, _ = webhooks.create_endpoint(db_session, shipper, "https://erp.example.com/hook")
    departure = make_departure("XAEU")
    db_session.commit()
    with count_queries() as seen:
        booking = _place(db_session, shipper, departure)
        db_session.commit()
    assert sum("webhook_endpoints" in s for s in seen) == 2  # the EXISTS, then the endpoints
    told = db_session.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.event_type))
    assert [tuple(row) for row in told] == [(endpoint.id, "booking.created")], booking.reference


def test_a_month_numbered_by_the_counter_goes_on_from_it(db_session, shipper, make_departure):
    """A database whose bookings were numbered from the ``counters`` table (a release before
    the sequences): the month's sequence, made at its first draw, starts after the counter."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite draws from the counter")
    departure = make_departure("XAEU")
    month = to_local(utcnow()).strftime("%y%m")
    db_session.execute(
        text(f"DROP SEQUENCE IF EXISTS {sequences.sequence_name('booking:' + month)}")
    )
    db_session.add(Counter(name=f"booking:{month}", value=41))
    db_session.commit()
    assert _place(db_session, shipper, departure).reference == f"HK{month}-00042"
    assert _place(db_session, shipper, departure).reference == f"HK{month}-00043"


def test_a_sequence_made_meanwhile_by_another_process_is_drawn_from(db_session):
    """Two processes drawing a new month's first number at once both make its sequence: the
    one that comes second keeps the other's and draws the next value, without an error."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite draws from the counter")
    sequence = sequences.sequence_name("booking:9912")
    db_session.execute(text(f"CREATE SEQUENCE {sequence} START WITH 7"))
    db_session.commit()
    drawn = [sequences._create_and_draw(db.engine, "booking:9912", sequence) for _ in range(2)]
    assert drawn == [7, 8]


def test_what_the_database_gave_a_new_booking_is_on_its_objects(
    db_session, shipper, make_departure, count_queries
):
    """The booking, its lines and its event are written without the unit of work (on
    PostgreSQL by one statement): the ids, the reference and the server's defaults on the
    objects are what was stored, each line's id its own."""
    departure = make_departure("XAEU", capacity=100)
    _place(db_session, shipper, departure)  # the month's first: its sequence is made
    lines = [{"size_type": "45G1", "quantity": 2}, {"size_type": "22G1", "quantity": 1}]
    with count_queries() as seen:
        booking = _place(db_session, shipper, departure, containers=lines)
    writes = [s for s in seen if not s.lstrip().upper().startswith("SELECT")]
    if db.engine.dialect.name == "postgresql":  # one to hold and write
        assert [s.split()[0] for s in writes] == ["WITH"], writes
        assert "UPDATE departures" in writes[0]
    db_session.commit()
    mine = {
        "id": booking.id,
        "reference": booking.reference,
        "version": booking.version,
        "negotiable": booking.negotiable,
        "payment_term": booking.payment_term,
        "lines": {line.size_type: line.id for line in booking.lines},
        "events": [(event.id, event.type) for event in booking.events],
    }
    db_session.expunge_all()
    stored = db_session.get(Booking, mine["id"])
    assert mine == {
        "id": stored.id,
        "reference": stored.reference,
        "version": 1,
        "negotiable": False,
        "payment_term": stored.payment_term,
        "lines": {line.size_type: line.id for line in stored.lines},
        "events": [(event.id, EventType.CREATED) for event in stored.events],
    }
    assert [line.size_type for line in stored.lines] == ["45G1", "22G1"]  # as asked


def test_a_reference_past_99999_keeps_every_digit(db_session, shipper, make_departure):
    """Five digits at least, never cut: the 100,000th booking of a month is ``-100000``, on
    PostgreSQL (numbered within the statement that writes it) as on SQLite."""
    departure = make_departure("XAEU", capacity=100)
    month = to_local(utcnow()).strftime("%y%m")
    first = _place(db_session, shipper, departure).reference
    assert first == bookings.reference_text(month, int(first[-5:]))
    db_session.commit()
    if db.engine.dialect.name == "postgresql":
        sequence = sequences.sequence_name(f"booking:{month}")
        db_session.execute(text(f"SELECT setval('{sequence}', 99998)"))
    else:
        db_session.execute(
            update(Counter).where(Counter.name == f"booking:{month}").values(value=99998)
        )
    db_session.commit()
    placed = [_place(db_session, shipper, departure).reference for _ in range(2)]
    assert placed == [f"HK{month}-99999", f"HK{month}-100000"]


def _a_new_month(session) -> str:
    """This month as if no booking had been numbered in it yet (its sequence on PostgreSQL,
    its counter on SQLite gone); its ``yymm``."""
    month = to_local(utcnow()).strftime("%y%m")
    if db.engine.dialect.name == "postgresql":
        sequence = sequences.sequence_name(f"booking:{month}")
        session.execute(text(f"DROP SEQUENCE IF EXISTS {sequence}"))
    session.execute(delete(Counter).where(Counter.name == f"booking:{month}"))
    session.commit()
    return month


def test_a_months_first_bookings_in_one_transaction_are_numbered_in_turn(
    db_session, shipper, make_departure
):
    """A bulk upload on the first day of a month: the first booking makes the month's
    sequence (on PostgreSQL), and the ones after it in the same transaction, which may still
    find it missing there, draw the numbers after it."""
    departure = make_departure("XAEU")
    month = _a_new_month(db_session)
    placed = [_place(db_session, shipper, departure).reference for _ in range(3)]
    db_session.commit()
    assert placed == [bookings.reference_text(month, n) for n in (1, 2, 3)]


def _filled_unseen(session, departure) -> None:
    """Another booking took the departure's last TEU since ``departure`` was read: its row
    says full, the object in the session still shows room."""
    session.execute(
        update(Departure)
        .where(Departure.id == departure.id)
        .values(held_teu=departure.capacity_teu)
        .execution_options(synchronize_session=False)
    )
    assert departure.held_teu < departure.capacity_teu


def test_the_hold_is_written_with_the_booking_and_on_the_departure(
    db_session, shipper, make_departure, count_queries
):
    """On PostgreSQL the statement that writes the booking holds its TEU first; the
    departure then shows what its row holds, on both databases, as stored."""
    departure = make_departure("XAEU", capacity=10)
    _place(db_session, shipper, departure)
    before = departure.updated_at
    with count_queries() as seen:
        _place(db_session, shipper, departure, cargo=cargo(gross_weight_kg=1000))
        assert (departure.held_teu, departure.held_kg) == (4, 19500)
    holds = [s for s in seen if "UPDATE departures" in s]
    assert len(holds) == 1
    if db.engine.dialect.name == "postgresql":
        assert holds[0].lstrip().startswith("WITH") and "INSERT INTO bookings" in holds[0]
    db_session.commit()
    db_session.expire_all()
    assert (departure.held_teu, departure.held_kg) == (4, 19500)
    assert departure.updated_at > before


@pytest.mark.parametrize("waitlist", [False, True])
def test_a_departure_filled_since_it_was_read_refuses_or_waitlists(
    db_session, shipper, make_departure, waitlist
):
    """The departure as read had room, its row has none: the hold refuses (on PostgreSQL
    the statement that was to write and hold writes nothing and draws no number), and the
    booking is refused, or waits with the next number."""
    departure = make_departure("XAEU", capacity=4)
    first = _place(db_session, shipper, departure).reference
    db_session.commit()
    _filled_unseen(db_session, departure)
    if not waitlist:
        with pytest.raises(CapacityExceeded):
            _place(db_session, shipper, departure)
        db_session.rollback()
        assert db_session.scalar(select(func.count()).select_from(Booking)) == 1
        return
    booking = _place(db_session, shipper, departure, waitlist=True)
    assert booking.status is BookingStatus.WAITLISTED
    db_session.commit()
    assert int(booking.reference[-5:]) == int(first[-5:]) + 1
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 2


def test_the_months_first_booking_refused_keeps_the_number_it_drew(
    db_session, shipper, make_departure
):
    """The month's first booking, on a departure filled since it was read: on PostgreSQL
    its sequence is made and a number drawn for the statement that was to hold and write
    it, which the hold refuses; the booking then waits with that number, not a second."""
    departure = make_departure("XAEU", capacity=2)
    month = _a_new_month(db_session)
    _filled_unseen(db_session, departure)
    booking = _place(db_session, shipper, departure, waitlist=True)
    assert booking.status is BookingStatus.WAITLISTED
    db_session.commit()
    assert booking.reference == bookings.reference_text(month, 1)
    if db.engine.dialect.name == "postgresql":
        sequence = sequences.sequence_name(f"booking:{month}")
        assert db_session.scalar(text(f"SELECT last_value FROM {sequence}")) == 1
