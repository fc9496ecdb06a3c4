"""Two weekly schedules of one route at the same weekday and time, sent at the same moment
by two operators under different service numbers, through gunicorn with several workers:
both answer 201, one plans the weeks and the other finds them there, and each week has one
departure. The route's lock makes the second check see the first schedule's departures. The
same rounds against a server that checks without the lock and writes after a pause
(``naive_series_wsgi``) must plan the weeks twice, which proves the test can fail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import Departure
from dryport.services.clock import local_today
from tests.concurrency.conftest import _serve, racing_operators

ROUNDS = 3


@pytest.fixture(scope="module")
def naive_series_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_series_wsgi:app", tmp_path_factory)


def _race(server, db_session, make_user) -> list[str]:
    tokens = racing_operators(server, db_session, make_user)
    problems = []
    start = local_today() + timedelta(days=7)
    for weekday in range(1, ROUNDS + 1):
        calls = [
            ("POST", "/api/v1/departures/series", {
                "route": "EAST", "service_no": service, "weekday": weekday, "time": "10:00",
                "cutoff_hours": 24, "capacity_teu": 60, "from": start.isoformat(),
                "to": (start + timedelta(weeks=4)).isoformat(),
            }, token)
            for service, token in (("X9021", tokens[0]), ("X9023", tokens[1]))
        ]  # fmt: skip
        replies = server.many(calls, clients=2)
        db_session.rollback()
        days = db_session.scalar(
            select(func.count(func.distinct(Departure.departs_at))).select_from(Departure)
        )
        written = db_session.scalar(select(func.count()).select_from(Departure))
        statuses = sorted(reply.status for reply in replies)
        if statuses != [201, 201] or written != days:
            problems.append(
                f"weekday {weekday}: answers {statuses}, {written - days} planned twice so far"
            )
    return problems


def test_two_schedules_at_once_plan_each_week_once(server, db_session, make_user):
    problems = _race(server, db_session, make_user)
    assert not problems, problems


def test_the_unlocked_check_control_is_caught(naive_series_server, db_session, make_user):
    problems = _race(naive_series_server, db_session, make_user)
    assert any(not p.endswith(" 0 planned twice so far") for p in problems), problems
