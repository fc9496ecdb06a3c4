"""A roll racing a cancel, a reject or a confirm of the same booking: every answer is a
success or a 409, never a 500 from a deadlock, and what each departure holds is what its
bookings hold.

Departure rows are locked in id order. The race that broke it, played out on purpose
(``race_wsgi`` lets a request pause while it holds a lock): a roll moves the booking from
departure H down to L (L's id is lower); a cancel that read the booking on H waits for H's
lock meanwhile and gets it once the roll commits; a second roll, which read the booking on
L, locks L and waits for H. Had the cancel gone on to release the TEU on L, where the
booking now is, it would lock L after H — out of order, a deadlock. It must instead answer
409 (the booking changed meanwhile). The same race run against a server that does go on
(``unordered_wsgi``) must fail, which proves the test can.
"""

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import HOLDING_STATUSES, Booking, Departure, Role
from dryport.services.containers import make_number
from tests.concurrency.conftest import start_server, stop_server, wait_until_up
from tests.concurrency.test_capacity_http import _body
from tests.conftest import PASSWORD

PAUSE = 0.6  # seconds a request holds its lock: ample for the next step to start
ROUNDS = 3  # each round races one cancel, one reject and one confirm


def _serve(app, module: str, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()  # no connection of ours may hold a lock the workers wait for
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    # 16 requests at once: the nine of a round never queue for a worker.
    server = start_server(url, tmp_path_factory.mktemp("server"), module, threads=4)
    wait_until_up(server)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def race_server(app, tmp_path_factory):
    yield from _serve(app, "tests.concurrency.race_wsgi:app", tmp_path_factory)


@pytest.fixture(scope="module")
def unordered_server(app, tmp_path_factory):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises writers: there is no lock order to get wrong")
    yield from _serve(app, "tests.concurrency.unordered_wsgi:app", tmp_path_factory)


def _at(delay: float, server, call, replies: dict, key) -> threading.Thread:
    def send():
        time.sleep(delay)
        replies[key] = server.send(*call)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _race(server, db_session, make_user, make_departure):
    """Play the race for a cancel, a reject and a confirm, ``ROUNDS`` times; return the
    answers per step and what went wrong with the held TEU (nothing, for a correct server)."""
    emails = [
        make_user(Role.SHIPPER).email,
        make_user(Role.CLERK, station="HK").email,
        make_user(Role.OPERATOR).email,
    ]
    pairs = [
        (make_departure(capacity=10, days=3 + i).id, make_departure(capacity=10, days=40 + i).id)
        for i in range(3 * ROUNDS)
    ]
    db_session.commit()  # no read snapshot of ours may outlive the server's writes
    shipper, clerk, operator = (server.token(email, PASSWORD) for email in emails)
    pause = {"X-Test-Pause-After-Lock": str(PAUSE)}
    replies: dict = {}
    references = [
        server.request("POST", "/api/v1/bookings", _body(high, "22G1"), shipper).body["reference"]
        for _, high in pairs
    ]
    for round_ in range(ROUNDS):
        threads = []
        for offset, kind in enumerate(("cancel", "reject", "confirm")):
            index = 3 * round_ + offset
            low, high = pairs[index]
            ref = references[index]
            roll = f"/api/v1/bookings/{ref}/roll"
            action = {
                "cancel": ({}, shipper),
                "reject": ({"reason": "Damaged"}, clerk),
                "confirm": (
                    {"containers": [{
                        "number": make_number("RLX", index), "size_type": "22G1",
                        "seal": f"S{index}", "tare_kg": 2300, "vgm_kg": 17300,
                        "vgm_certified_by": "Wang Fang",
                    }]},
                    clerk,
                ),
            }[kind]  # fmt: skip
            steps = [  # (start after, step, call)
                (0, "roll down", ("POST", roll, {"departure_id": low}, {**operator, **pause})),
                (PAUSE / 3, kind, ("POST", f"/api/v1/bookings/{ref}/{kind}", action[0],
                                   {**action[1], **pause})),
                (PAUSE * 4 / 3, "roll up", ("POST", roll, {"departure_id": high}, operator)),
            ]  # fmt: skip
            for delay, step, call in steps:
                threads.append(_at(delay, server, call, replies, (index, step)))
        for thread in threads:
            thread.join()

    db_session.rollback()
    problems = []
    for departure_id in [d for pair in pairs for d in pair]:
        held = db_session.scalar(select(Departure.held_teu).where(Departure.id == departure_id))
        booked = db_session.scalar(
            select(func.coalesce(func.sum(Booking.teu), 0)).where(
                Booking.departure_id == departure_id, Booking.status.in_(HOLDING_STATUSES)
            )
        )
        if held != booked:
            problems.append(f"departure {departure_id} holds {held} TEU, its bookings {booked}")
    return {key: reply.status for key, reply in replies.items()}, problems


def test_a_roll_racing_cancel_reject_or_confirm_is_a_409_never_a_deadlock(
    race_server, db_session, make_user, make_departure
):
    answers, problems = _race(race_server, db_session, make_user, make_departure)
    assert problems == []
    assert set(answers.values()) <= {200, 409, 422}, answers  # 422: a roll to where it is
    actions = [status for (_, step), status in answers.items() if not step.startswith("roll")]
    if db.engine.dialect.name == "postgresql":
        assert 409 in actions, f"the race was not met: {answers}"
    else:  # SQLite: a change reads only once it holds the write lock, never a stale booking
        assert set(actions) == {200}, answers


def test_the_unordered_control_is_caught(unordered_server, db_session, make_user, make_departure):
    answers, problems = _race(unordered_server, db_session, make_user, make_departure)
    errors = Counter(status for status in answers.values() if status >= 500)
    assert errors or problems, f"locking out of order passed: the test cannot fail {answers}"
    print("unordered control caught:", errors, problems)
