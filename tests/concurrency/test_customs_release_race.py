"""Customs releases racing the depart of their train, through gunicorn with several workers.

Each round, a Europe train with two confirmed bookings: one operator releases both, another
releases both again with another time a moment later, and departs are sent before, between
and after. Whatever the order: every answer is a 200 or a 409; each booking is released
once (the other release a 409); a depart that was refused named bookings of the train; and
when the train departed, every booking on it was released before the depart committed (its
CUSTOMS_RELEASED event comes before its DEPARTED event, and no release is written after).
The same rounds against a server that checks a release without the departure's lock and
writes it after a pause (``naive_customs_wsgi``) must break that, which proves the test can
fail.
"""

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dryport.extensions import db
from dryport.models import BookingEvent, Departure, DepartureStatus, EventType, Role
from dryport.services.clock import utcnow
from tests.concurrency.conftest import _serve
from tests.conftest import PASSWORD, declaration_for
from tests.pdf import conftest as pdf_fixtures

confirmed = pdf_fixtures.confirmed  # the fixture

ROUNDS = 4
FIRST, SECOND = "2026-01-05T14:30:00+08:00", "2026-01-05T15:00:00+08:00"


@pytest.fixture(scope="module")
def naive_customs_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_customs_wsgi:app", tmp_path_factory)


def _at(delay: float, server, call, replies: list) -> threading.Thread:
    def send():
        time.sleep(delay)
        replies.append((call, server.send(*call)))

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _round(server, db_session, confirmed, make_departure, tokens, n: int) -> list[str]:
    """Play one round; return what went wrong (nothing, for a correct server)."""
    db_session.rollback()  # no read of ours may pin SQLite's snapshot under the servers' writes
    departure = make_departure(
        "XAEU",
        border_crossing="KHG-AKL",
        departs_at=utcnow() + timedelta(hours=1),
        service_no=f"XR{n:03d}{int(time.time() * 1000) % 100000:05d}",
    )
    bookings = [confirmed("XAEU", departure=departure) for _ in range(2)]
    db_session.commit()
    references = {b.reference for b in bookings}

    def release(booking, at, token):
        path = f"/api/v1/bookings/{booking.reference}/customs-release"
        return ("POST", path, {"declaration_no": declaration_for(booking), "released_at": at},
                token)  # fmt: skip

    depart = ("POST", f"/api/v1/departures/{departure.id}/depart", None, tokens[0])
    later = 0.3 + 0.03 * (n % 3)  # after the first releases checked, before they wrote
    plan = [(0, release(b, FIRST, tokens[0])) for b in bookings]
    plan += [(later, release(b, SECOND, tokens[1])) for b in bookings]
    plan += [(0, depart), (0.45, depart), (0.6, depart), (1.0, depart)]
    replies: list = []
    for thread in [_at(delay, server, call, replies) for delay, call in plan]:
        thread.join()

    problems = []
    for call, reply in replies:
        if reply.status not in (200, 409):
            problems.append(f"{call[1]}: {reply.status} {reply.body}")
        if call[1].endswith("/depart") and reply.status == 409 and "bookings" in reply.body:
            named = set(reply.body["bookings"])
            if not named or not named <= references:
                problems.append(f"a refused depart named {named}")
    db_session.rollback()  # a fresh read: the snapshot of before the round is gone
    left = db_session.get(Departure, departure.id).status is DepartureStatus.DEPARTED
    for booking in bookings:
        events = db_session.scalars(
            select(BookingEvent)
            .where(BookingEvent.booking_id == booking.id)
            .order_by(BookingEvent.id)
        ).all()
        released = [e for e in events if e.type is EventType.CUSTOMS_RELEASED]
        departed = [e for e in events if e.type is EventType.DEPARTED]
        ok = [
            r for c, r in replies if booking.reference in c[1] and r.status == 200
        ]  # fmt: skip
        if len(released) != 1 or len(ok) != 1:
            problems.append(
                f"{booking.reference}: {len(released)} releases, {len(ok)} answered 200"
            )
        if released:
            recorded = datetime.fromisoformat(released[-1].details["released_at"])
            if db_session.get(type(booking), booking.id).customs_released_at != recorded:
                problems.append(f"{booking.reference}: the release shown is not the one recorded")
        if departed and (not released or released[-1].id > departed[0].id):
            problems.append(f"{booking.reference} departed before customs released it")
        if left and not departed:
            problems.append(f"{booking.reference} stayed behind its train")
    if not left:
        problems.append("the train never departed")
    return problems


def _race(server, db_session, confirmed, make_user, make_departure) -> list[str]:
    operators = [make_user(Role.OPERATOR) for _ in range(2)]
    tokens = [server.token(o.email, PASSWORD) for o in operators]
    for token in tokens:  # a token's first use of the hour writes its time: not in the race
        assert server.request("GET", "/api/v1/stations", headers=token).status == 200
    problems = []
    for n in range(ROUNDS):
        problems += _round(server, db_session, confirmed, make_departure, tokens, n)
    return problems


def test_a_release_racing_the_depart_is_before_it_or_refused(
    server, db_session, confirmed, make_user, make_departure
):
    problems = _race(server, db_session, confirmed, make_user, make_departure)
    assert not problems, problems


def test_the_check_then_write_control_is_caught(
    naive_customs_server, db_session, confirmed, make_user, make_departure
):
    problems = _race(naive_customs_server, db_session, confirmed, make_user, make_departure)
    assert any("departed before customs released it" in p for p in problems), problems
