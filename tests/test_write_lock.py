"""When a unit of work takes SQLite's write lock (``dryport.db``): at its first statement for
every writing request and command, at its first write for a view marked
``lock_at_first_write`` (placing a booking), so that other writers wait only for its writes."""

import sqlite3
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from dryport.db import LOCK_AT_FIRST_WRITE, write_intent
from dryport.extensions import db
from dryport.models import Booking, Departure
from tests.api.test_bookings import booking_body

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def sqlite_file(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")
    return db.engine.url.database


@pytest.fixture
def other_writer(sqlite_file):
    """Another connection, to hold the write lock (``BEGIN IMMEDIATE``) as a long write of
    another request would."""
    connection = sqlite3.connect(sqlite_file, isolation_level=None, timeout=0)
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def _lock_is_free(path: str) -> bool:
    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        probe.close()


def _in_intent(intent, work):
    token = write_intent.set(intent)
    try:
        return work()
    finally:
        db.session.rollback()
        db.session.remove()
        write_intent.reset(token)


def test_a_writing_unit_of_work_locks_at_its_first_statement(sqlite_file, make_departure):
    make_departure()
    db.session.commit()

    def read_only():
        db.session.scalar(select(Departure.id))
        return _lock_is_free(sqlite_file)

    assert _in_intent(True, read_only) is False
    assert _in_intent(False, read_only) is True


def test_lock_at_first_write_reads_without_the_lock_and_locks_at_the_write(
    sqlite_file, make_departure
):
    departure_id = make_departure().id
    db.session.commit()
    seen = []

    def work():
        db.session.scalar(select(Departure.id))
        seen.append(_lock_is_free(sqlite_file))
        db.session.execute(update(Departure).where(Departure.id == departure_id).values(held_teu=1))
        seen.append(_lock_is_free(sqlite_file))
        db.session.commit()
        seen.append(_lock_is_free(sqlite_file))

    _in_intent(LOCK_AT_FIRST_WRITE, work)
    assert seen == [True, False, True]
    assert db.session.scalar(select(Departure.held_teu).where(Departure.id == departure_id)) == 1


def test_a_booking_refused_on_what_it_read_does_not_wait_for_another_writer(
    client, make_user, make_departure, api_token, other_writer
):
    """Placing a booking reads the token, the departure and the station without the lock: a
    request refused on those answers at once while another writer holds the lock. (Were the
    lock taken at its first statement, it would wait out the busy timeout and fail.)"""
    make_user(email="s@example.com")
    departure = make_departure()
    headers = api_token("s@example.com")
    client.get("/api/v1/bookings", headers=headers)  # a token's use is noted once an hour
    other_writer.execute("BEGIN IMMEDIATE")

    response = client.post(
        "/api/v1/bookings", json=booking_body(departure.id, origin_station="XX"), headers=headers
    )

    assert response.status_code == 422, response.get_json()
    assert "origin_station" in response.get_json()["errors"]


def test_a_booking_waits_for_another_writer_then_is_placed_whole(
    app, client, sqlite_file, make_user, make_departure, api_token, other_writer
):
    make_user(email="s@example.com")
    departure = make_departure(capacity=10)
    body = booking_body(departure.id)
    headers = api_token("s@example.com")
    client.get("/api/v1/bookings", headers=headers)  # a token's use is noted once an hour
    other_writer.execute("BEGIN IMMEDIATE")
    answers = []
    another_client = FlaskClient(app)  # the request pushes its own contexts in its thread
    request = threading.Thread(
        target=lambda: answers.append(
            another_client.post("/api/v1/bookings", json=body, headers=headers)
        )
    )
    request.start()
    request.join(timeout=0.5)
    assert answers == []  # it waits at its first write
    other_writer.execute(
        "UPDATE departures SET held_teu = held_teu + 6 WHERE id = ?", (departure.id,)
    )
    other_writer.commit()
    request.join()

    assert answers[0].status_code == 201, answers[0].get_json()
    db.session.rollback()  # a fresh snapshot
    assert db.session.scalar(select(Departure.held_teu).where(Departure.id == departure.id)) == 8
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    assert _lock_is_free(sqlite_file)  # given back with the commit


@pytest.mark.parametrize(
    ("method", "path", "marked"),
    [
        ("POST", "/api/v1/bookings", True),
        ("POST", "/bookings/new", True),
        ("POST", "/api/v1/bookings/HK2611-00001/cancel", False),
        ("POST", "/api/v1/tokens", False),
    ],
)
def test_only_placing_a_booking_locks_at_its_first_write(app, method, path, marked):
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(path, method=method)
    view = app.view_functions[endpoint]
    assert getattr(view, "lock_at_first_write", False) is marked
