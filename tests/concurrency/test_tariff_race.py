"""Two overlapping tariffs posted at the same moment, through gunicorn with several workers:
one is added (201), the other refused (422) for overlapping it, and one tariff is written.
The route's lock makes the second check see the first tariff. The same rounds against a
server that checks without the lock and writes after a pause (``naive_tariffs_wsgi``) must
add both, which proves the test can fail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import SIZE_GROUPS, Tariff
from dryport.services.clock import local_today
from tests.concurrency.conftest import _serve, racing_operators


@pytest.fixture(scope="module")
def naive_tariffs_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_tariffs_wsgi:app", tmp_path_factory)


def _race(server, db_session, make_user) -> list[str]:
    tokens = racing_operators(server, db_session, make_user)
    problems = []
    for group in SIZE_GROUPS:
        calls = [
            ("POST", "/api/v1/tariffs", {
                "route": "XAEU", "size_group": group, "currency": "USD", "amount": amount,
                "valid_from": (local_today() + timedelta(days=days)).isoformat(),
            }, token)
            for amount, days, token in (("4850.00", 10, tokens[0]), ("4900.00", 12, tokens[1]))
        ]  # fmt: skip
        statuses = sorted(reply.status for reply in server.many(calls, clients=2))
        db_session.rollback()
        written = db_session.scalar(
            select(func.count()).select_from(Tariff).where(Tariff.size_group == group)
        )
        if statuses != [201, 422] or written != 1:
            problems.append(f"{group}: answers {statuses}, {written} written")
    return problems


def test_two_overlapping_tariffs_at_once_add_one(server, db_session, make_user):
    problems = _race(server, db_session, make_user)
    assert not problems, problems


def test_the_unlocked_check_control_is_caught(naive_tariffs_server, db_session, make_user):
    problems = _race(naive_tariffs_server, db_session, make_user)
    assert any("2 written" in p for p in problems), problems
