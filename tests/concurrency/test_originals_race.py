"""Two operators print the same revision's originals at once, through gunicorn with several
workers: exactly one gets the PDF, every other a 409, and the timeline holds one event. The
same race against a server that reads and then writes (``naive_originals_wsgi``) must print
more than once, which proves the test can fail."""

import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import BookingEvent, EventType, Role
from tests.concurrency.conftest import _serve
from tests.conftest import PASSWORD
from tests.pdf import conftest as pdf_fixtures

confirmed = pdf_fixtures.confirmed  # the fixture

CLIENTS = 8


@pytest.fixture(scope="module")
def naive_originals_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_originals_wsgi:app", tmp_path_factory)


def _post(server, path: str, headers: dict) -> int:
    request = urllib.request.Request(server.base + path, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def _race(server, db_session, confirmed, make_user):
    booking = confirmed("WHSEA")
    operators = [make_user(Role.OPERATOR) for _ in range(2)]
    db_session.commit()
    headers = [server.token(o.email, PASSWORD) for o in operators]
    for token in headers:  # a token's first use of the hour writes its time: not in the race
        assert server.request("GET", "/api/v1/stations", headers=token).status == 200
    path = f"/api/v1/bookings/{booking.reference}/waybill/originals"
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = Counter(pool.map(lambda i: _post(server, path, headers[i % 2]), range(CLIENTS)))
    db_session.rollback()
    events = db_session.scalar(
        select(func.count()).where(
            BookingEvent.booking_id == booking.id,
            BookingEvent.type == EventType.ORIGINALS_PRINTED,
        )
    )
    return statuses, events


def test_only_one_of_many_prints_the_originals(server, db_session, confirmed, make_user):
    statuses, events = _race(server, db_session, confirmed, make_user)
    assert statuses == Counter({200: 1, 409: CLIENTS - 1}), statuses
    assert events == 1


def test_the_read_then_write_control_is_caught(
    naive_originals_server, db_session, confirmed, make_user
):
    statuses, events = _race(naive_originals_server, db_session, confirmed, make_user)
    assert statuses[200] > 1 or events > 1, f"the naive claim passed: {statuses}"
