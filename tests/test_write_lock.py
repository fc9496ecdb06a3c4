"""When a unit of work takes SQLite's write lock (``dryport.db``): at its first statement for
every writing request and command, at its first write for a view marked
``lock_at_first_write`` (placing a booking), so that other writers wait only for its writes."""

import sqlite3
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, exc, func, select, update

from dryport.db import BUSY_TIMEOUT_MS, LOCK_AT_FIRST_WRITE, begin_immediate, write_intent
from dryport.extensions import db
from dryport.models import Booking, Departure
from tests.api.test_bookings import booking_body
from tests.conftest import PASSWORD, csrf_token

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


#: What another writer commits between the booking's reads and its first write, and what the
#: booking must then answer: its reads were stale, its write under the lock must not be.
MEANWHILE = {
    "room left": ("UPDATE departures SET held_teu = held_teu + 6 WHERE id = ?", 201, 8),
    "full meanwhile": ("UPDATE departures SET held_teu = held_teu + 9 WHERE id = ?", 409, 9),
    "cut-off moved into the past": (
        "UPDATE departures SET cutoff_at = datetime('now', '-1 day') WHERE id = ?",
        409,
        0,
    ),
}


@pytest.mark.parametrize("meanwhile", MEANWHILE)
def test_a_booking_read_before_another_writer_commits_is_decided_under_the_lock(
    app, client, sqlite_file, make_user, make_departure, api_token, other_writer, meanwhile
):
    statement, status, held = MEANWHILE[meanwhile]
    make_user(email="s@example.com")
    departure_id = make_departure(capacity=10).id
    body = booking_body(departure_id)  # 2 TEU
    headers = api_token("s@example.com")
    client.get("/api/v1/bookings", headers=headers)  # a token's use is noted once an hour
    reached, answers = threading.Event(), []

    def after_its_reads(conn, cursor, sql, *args):
        if sql.startswith("SELECT stations"):  # the last read: the hold is next
            reached.set()

    def place():
        try:
            answers.append(FlaskClient(app).post("/api/v1/bookings", json=body, headers=headers))
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            answers.append(error)

    other_writer.execute("BEGIN IMMEDIATE")
    event.listen(db.engine, "after_cursor_execute", after_its_reads)
    request = threading.Thread(target=place)
    try:
        request.start()
        assert reached.wait(timeout=30), "the booking never read the station"
        other_writer.execute(statement, (departure_id,))
        other_writer.commit()
        request.join(timeout=30)
        assert not request.is_alive()
    finally:
        event.remove(db.engine, "after_cursor_execute", after_its_reads)
        if other_writer.in_transaction:
            other_writer.rollback()
        request.join(timeout=30)

    answer = answers[0]
    assert not isinstance(answer, BaseException), answer
    assert answer.status_code == status, answer.get_json()
    db.session.rollback()  # a fresh snapshot
    assert db.session.scalar(select(Departure.held_teu).where(Departure.id == departure_id)) == held
    assert db.session.scalar(select(func.count()).select_from(Booking)) == (status == 201)
    assert _lock_is_free(sqlite_file)  # given back with the commit or the rollback


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


def test_a_writer_waits_for_the_lock_then_takes_it(sqlite_file, other_writer):
    """``begin_immediate`` waits while another connection writes and takes the lock once it
    commits; the connection keeps its busy timeout for every other statement."""
    other_writer.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(sqlite_file, isolation_level=None, timeout=15, check_same_thread=False)
    took = threading.Event()

    def take():
        begin_immediate(waiter)
        took.set()

    thread = threading.Thread(target=take)
    thread.start()
    try:
        assert not took.wait(0.3)  # still waiting: the lock is held
        other_writer.execute("COMMIT")
        assert took.wait(5)
        assert waiter.in_transaction and not _lock_is_free(sqlite_file)
        assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    finally:
        thread.join(5)
        waiter.rollback()
        waiter.close()


def test_a_writer_gives_up_after_the_busy_timeout(sqlite_file, other_writer, monkeypatch):
    monkeypatch.setattr("dryport.db.BUSY_TIMEOUT_MS", 200)
    other_writer.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(sqlite_file, isolation_level=None, timeout=15)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            begin_immediate(waiter)
        assert not waiter.in_transaction
        assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == 200
    finally:
        waiter.close()


def test_a_unit_of_work_that_cannot_get_the_lock_fails_as_any_statement_would(
    sqlite_file, other_writer, monkeypatch
):
    """Through the engine, the give-up is SQLAlchemy's ``OperationalError``, as the error of
    any statement is, whichever of the two places took the lock."""
    monkeypatch.setattr("dryport.db.BUSY_TIMEOUT_MS", 200)
    other_writer.execute("BEGIN IMMEDIATE")
    for intent in (True, LOCK_AT_FIRST_WRITE):

        def write():
            db.session.execute(update(Departure).values(version=Departure.version))

        with pytest.raises(exc.OperationalError, match="locked"):
            _in_intent(intent, write)


@pytest.mark.parametrize("language, title", [("zh", "系统繁忙"), ("en", "Busy")], ids=["zh", "en"])
def test_a_request_that_cannot_get_the_lock_is_told_to_retry(
    client, make_user, make_departure, api_token, other_writer, monkeypatch, language, title
):
    """Another writer holds the lock past the busy timeout: 503 with Retry-After, in the
    caller's language, and nothing written; the same request then goes through."""
    make_user(email="s@example.com")
    departure = make_departure()
    headers = api_token("s@example.com") | {"Accept-Language": language}
    client.get("/api/v1/bookings", headers=headers)  # a token's use is noted once an hour
    monkeypatch.setattr("dryport.db.BUSY_TIMEOUT_MS", 200)
    other_writer.execute("BEGIN IMMEDIATE")

    response = client.post("/api/v1/bookings", json=booking_body(departure.id), headers=headers)

    assert response.status_code == 503, response.get_json()
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["title"] == title
    other_writer.execute("ROLLBACK")
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    retried = client.post("/api/v1/bookings", json=booking_body(departure.id), headers=headers)
    assert retried.status_code == 201, retried.get_json()


def test_a_page_that_cannot_get_the_lock_says_so(
    client, auth, make_user, other_writer, monkeypatch
):
    make_user(email="s@example.com")
    page = client.get("/login")
    monkeypatch.setattr("dryport.db.BUSY_TIMEOUT_MS", 200)
    other_writer.execute("BEGIN IMMEDIATE")
    response = client.post(
        "/login",
        data={"email": "s@example.com", "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "系统繁忙" in response.get_data(as_text=True)
