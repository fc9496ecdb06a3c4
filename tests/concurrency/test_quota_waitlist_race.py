"""Station quotas and the waitlist under real races (DESIGN §14), through gunicorn with
several workers on the test database (SQLite or PostgreSQL); what each race leaves is worked
out again from the bookings (``ledger``).

- Many bookings at once from stations with a quota and from stations without: neither a
  quota nor the pool is overdrawn, every counter is what the bookings hold, and exactly what
  fits is booked.
- Holders cancel and operators raise the capacity at once on a full departure with a long
  waitlist: exactly the room freed is promoted, oldest first, and no waiting booking fits
  the room left.
- Shippers join the waitlist while the departure's one holder cancels: no join misses the
  room that freed (a lost wake-up).

Each race is run again against a server with the guarantee removed (``naive_quota_wsgi``,
``naive_promote_wsgi``, ``naive_join_wsgi``), which the same checks must catch.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from dryport.extensions import db
from dryport.models import HOLDING_STATUSES, BookingStatus, Role
from tests.concurrency import ledger
from tests.concurrency.conftest import (
    _serve,
    racing_operators,
    racing_users,
    start_server,
    stop_server,
    wait_until_up,
)
from tests.conftest import cargo


def body(departure_id: int, teu: int, origin: str = "HK", waitlist: bool = False) -> dict:
    """A booking of ``teu`` TEU (one 40 ft box for 2, else 20 ft boxes) from ``origin``."""
    boxes = (
        [{"size_type": "42G1", "quantity": 1}]
        if teu == 2
        else [{"size_type": "22G1", "quantity": teu}]
    )
    return {
        "departure_id": departure_id,
        "origin_station": origin,
        "destination": "CNNGB",  # the departures are EAST's
        "consignee": {"name": "Ningbo Port Logistics", "address": "Beilun, Ningbo"},
        "cargo": cargo(description="Konjac flour", hs_code="110620", gross_weight_kg=15000),
        "containers": boxes,
        "waitlist": waitlist,
    }


def set_quotas(server, operator: dict, departure_id: int, quotas: dict) -> dict:
    """Give the departure its station quotas through the API; return it as answered."""
    read = server.request("GET", f"/api/v1/departures/{departure_id}", headers=operator)
    wanted = [{"station": code, "teu": teu} for code, teu in quotas.items()]
    reply = server.request(
        "PATCH", f"/api/v1/departures/{departure_id}",
        {"version": read.body["version"], "quotas": wanted}, operator,
    )  # fmt: skip
    assert reply.status == 200, reply
    return reply.body


def raise_capacity(server, operator: dict, departure_id: int, by: int = 1) -> int:
    """Read the departure and raise its capacity by ``by`` on the version read; the answer's
    status (409 when another change came between)."""
    read = server.request("GET", f"/api/v1/departures/{departure_id}", headers=operator)
    change = {"version": read.body["version"], "capacity_teu": read.body["capacity_teu"] + by}
    return server.send("PATCH", f"/api/v1/departures/{departure_id}", change, operator).status


def at_once(tasks, clients: int) -> list:
    """Run ``tasks`` (callables) from ``clients`` threads at once; their results in order."""
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(lambda task: task(), tasks))


def answers(replies) -> Counter:
    return Counter(reply.status for reply in replies)


@pytest.fixture(scope="module")
def naive_quota_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_quota_wsgi:app", tmp_path_factory)


@pytest.fixture(scope="module")
def naive_promote_server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    yield from _serve(app, "tests.concurrency.naive_promote_wsgi:app", tmp_path_factory)


@pytest.fixture(scope="module")
def naive_join_server(app, tmp_path_factory):
    """Threads enough for a whole round at once: a joiner pausing in its thread must not
    keep a cancel waiting for one (the cancel would then come after the joins, and find
    them waiting); and no sweep, which would promote what the control left waiting."""
    with app.app_context():
        db.engine.dispose()
    server = start_server(
        str(app.config["SQLALCHEMY_DATABASE_URI"]),
        tmp_path_factory.mktemp("server"),
        "tests.concurrency.naive_join_wsgi:app",
        threads=JOINERS * len(CANCEL_AFTER) + len(CANCEL_AFTER),
        env={"SWEEP_SECONDS": "0"},
    )
    wait_until_up(server)
    try:
        yield server
    finally:
        stop_server(server)


# ---- quotas and the pool --------------------------------------------------------------------

CAPACITY, QUOTAS = 30, {"HB": 8, "XY": 6}  # a pool of 16
# (origin, TEU a booking, bookings): Hanbin books 40 ft boxes beyond its quota, Xunyang 20 ft
# ones beyond its own; the hub and Ziyang have no quota and ask more 1-TEU bookings than the
# pool has TEU, Shiquan 2-TEU ones.
DEMAND = (("HB", 2, 10), ("XY", 1, 12), ("HK", 1, 12), ("ZY", 1, 12), ("SQ", 2, 6))
CLIENTS = 16


def _quota_rush(server, db_session, make_user, make_departure):
    """Run the rush; return the ledger's problems (and what else went wrong) and the answers.

    What fits, whatever the order: the pool only fills (nothing is cancelled or released),
    so once a 1-TEU booking without quota is refused the pool is full for good — and there
    are more of them than the pool has TEU. A quota station's unused quota stays a multiple
    of its bookings' size, and its bookings beyond its quota are refused only once it is
    used up. So the departure ends full: the TEU booked are the capacity exactly (how many
    bookings that is depends on which sizes came first), each quota used by its station."""
    departure_id = make_departure(capacity=CAPACITY).id
    (operator,) = racing_operators(server, db_session, make_user, n=1)
    shippers = racing_users(server, db_session, make_user, Role.SHIPPER, n=4)
    set_quotas(server, operator, departure_id, QUOTAS)
    calls = [
        (origin, teu, ("POST", "/api/v1/bookings", body(departure_id, teu, origin)))
        for origin, teu, count in DEMAND
        for _ in range(count)
    ]
    calls = calls[::2] + calls[1::2]  # the stations interleaved
    tasks = [
        lambda call=call, headers=shippers[n % 4]: server.send(*call, headers)
        for n, (_origin, _teu, call) in enumerate(calls)
    ]
    replies = at_once(tasks, CLIENTS)

    state = ledger.read(db_session, departure_id)
    found = ledger.problems(state)
    statuses = answers(replies)
    if set(statuses) - {201, 409}:
        found.append(f"unexpected answers: {statuses}")
    if any("available_teu" not in r.body for r in replies if r.status == 409):
        found.append("a refusal without the free TEU")
    booked = sum(
        (teu for (_o, teu, _c), r in zip(calls, replies, strict=True) if r.status == 201), 0
    )
    if booked != CAPACITY:
        found.append(f"{booked} TEU booked in {statuses[201]} bookings: what fits is {CAPACITY}")
    for code, teu in QUOTAS.items():  # a quota is its station's, whoever books first
        if state.held_by(code) < teu:
            found.append(f"{code} holds {state.held_by(code)} TEU of its quota of {teu}")
    holding = state.with_status(*HOLDING_STATUSES)
    if len(holding) != statuses[201] or len(state.bookings) != len(holding):
        found.append(f"{statuses[201]} bookings answered 201, {len(state.bookings)} written")
    return found, statuses


def test_racing_bookings_overdraw_neither_a_quota_nor_the_pool(
    server, db_session, make_user, make_departure
):
    found, statuses = _quota_rush(server, db_session, make_user, make_departure)
    assert found == [], found
    assert statuses[409] > 0


def test_the_unlocked_quota_control_is_caught(
    naive_quota_server, db_session, make_user, make_departure
):
    found, _ = _quota_rush(naive_quota_server, db_session, make_user, make_departure)
    assert any(p.startswith("overdrawn") for p in found), found
    print("unlocked quota control caught:", found)


# ---- promotions while room frees --------------------------------------------------------

HOLDERS = (1, 2) * 6  # TEU of the bookings that fill the departure
CANCELLED = 6  # holders who cancel (every other one)
# TEU of the waiting bookings, oldest first: more 1-TEU ones than the room that can free.
WAITING = (1, 3, 1, 2) * 11
WITHDRAWN = (3, 7, 11, 15)  # waiting bookings (2 TEU each) whose shippers cancel them
RAISES = 4  # capacity raises of 1 TEU, two operators twice each
WAVES, WAVE_GAP = 4, 0.12  # the frees start in waves: at once, and while others promote


def staggered(task, n: int):
    """``task``, started in wave ``n % WAVES``."""

    def run():
        time.sleep(n % WAVES * WAVE_GAP)
        return task()

    return run


def _free_room(server, db_session, make_user, make_departure):
    """Fill a departure, queue a waitlist, then free room in a race; return what went wrong.

    The room that frees — the holders' TEU cancelled, the raises that won and the 2-TEU
    waiting bookings that were promoted before their cancel — is less than the 1-TEU waiting
    bookings need: some of them still wait at the end, so the departure ends full, and every
    booking promoted is older than every 1-TEU booking that waits."""
    departure_id = make_departure(capacity=sum(HOLDERS)).id
    operators = racing_operators(server, db_session, make_user, n=2)
    shippers = racing_users(server, db_session, make_user, Role.SHIPPER, n=4)

    def place(teu, n, waitlist):
        call = ("POST", "/api/v1/bookings", body(departure_id, teu, "HK", waitlist))
        return lambda: server.request(*call, shippers[n % 4])

    holders = at_once([place(teu, n, False) for n, teu in enumerate(HOLDERS)], 8)
    queued = at_once([place(teu, n, True) for n, teu in enumerate(WAITING)], 8)
    assert {r.status for r in holders + queued} == {201}, answers(holders + queued)
    assert {r.body["status"] for r in queued} == {"WAITLISTED"}
    for n in WITHDRAWN:
        assert WAITING[n] == 2

    def cancel(reply, n):
        path = f"/api/v1/bookings/{reply.body['reference']}/cancel"
        return lambda: server.send("POST", path, {}, shippers[n % 4])

    tasks = [cancel(holders[n], n) for n in range(0, 2 * CANCELLED, 2)]
    tasks += [cancel(queued[n], n) for n in WITHDRAWN]
    tasks += [
        lambda o=operators[n % 2]: raise_capacity(server, o, departure_id) for n in range(RAISES)
    ]
    tasks = tasks[::3] + tasks[1::3] + tasks[2::3]
    results = at_once([staggered(task, n) for n, task in enumerate(tasks)], len(tasks))

    state = ledger.read(db_session, departure_id)
    found = ledger.problems(state) + ledger.order_problems(state)
    cancels = answers(r for r in results if not isinstance(r, int))
    raises = Counter(r for r in results if isinstance(r, int))
    if set(cancels) != {200} or set(raises) - {200, 409}:
        found.append(f"unexpected answers: cancels {cancels}, raises {raises}")
    if state.capacity != sum(HOLDERS) + raises[200]:
        found.append(f"{raises[200]} raises of 1 TEU won, the capacity is {state.capacity}")
    if state.held_by() != state.capacity:
        found.append(f"{state.held_by()} TEU held of {state.capacity}: it should end full")
    waiting = state.with_status(BookingStatus.WAITLISTED)
    if not any(b.teu == 1 for b in waiting):
        found.append("no 1-TEU booking waits: the race freed more room than planned")
    return found, results


def test_promotions_under_racing_frees_fill_exactly_the_room_oldest_first(
    server, db_session, make_user, make_departure
):
    found, _ = _free_room(server, db_session, make_user, make_departure)
    assert found == [], found


def test_the_unlocked_promotion_control_is_caught(
    naive_promote_server, db_session, make_user, make_departure
):
    found, _ = _free_room(naive_promote_server, db_session, make_user, make_departure)
    # Two frees close together give the same room to the same waiting bookings: promoted
    # twice, a held TEU count that is not the bookings', room left beside those who wait.
    assert any(
        p.startswith(("the departure counts", "promoted more", "lost wake-up")) for p in found
    ), found
    print("unlocked promotion control caught:", found)


# ---- joins racing the room that frees ---------------------------------------------------

ROUNDS = 4
# Per round, four full departures (one 2-TEU holder each): three shippers join the waitlist
# of each with 1-TEU bookings while its holder cancels — at once on the first departure, a
# little and then longer after the joins on the others (after they were refused: before
# they are on the waitlist, were joining slow). The later cancels keep the window open on a
# loaded machine, where a join takes longer to be refused.
JOINERS, CANCEL_AFTER = 3, (0.0, 0.25, 0.75, 1.5)


def _join_while_freed(server, db_session, make_user, make_departure):
    """Race joins and a cancel on each departure; return what went wrong. Whatever the
    order, two of the three joiners hold the 2 TEU freed and the third waits."""
    departures = [
        make_departure(capacity=2, days=3 + n).id for n in range(ROUNDS * len(CANCEL_AFTER))
    ]
    shippers = racing_users(server, db_session, make_user, Role.SHIPPER, n=4)
    references = []
    for n, departure_id in enumerate(departures):
        reply = server.request("POST", "/api/v1/bookings", body(departure_id, 2), shippers[n % 4])
        assert reply.status == 201, reply
        references.append(reply.body["reference"])
    replies = {}

    def send(key, delay, call, headers):
        time.sleep(delay)
        replies[key] = server.send(*call, headers)

    for round_ in range(ROUNDS):
        threads = []
        for offset, delay in enumerate(CANCEL_AFTER):
            n = round_ * len(CANCEL_AFTER) + offset
            for j in range(JOINERS):
                call = ("POST", "/api/v1/bookings", body(departures[n], 1, "HK", True))
                threads.append(threading.Thread(
                    target=send, args=((n, j), 0, call, shippers[(n + j + 1) % 4])
                ))  # fmt: skip
            cancel = ("POST", f"/api/v1/bookings/{references[n]}/cancel", {})
            threads.append(
                threading.Thread(target=send, args=((n, "cancel"), delay, cancel, shippers[n % 4]))
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    found = []
    if {r.status for r in replies.values()} != {200, 201}:
        found.append(f"unexpected answers: {answers(replies.values())}")
    for n, departure_id in enumerate(departures):
        state = ledger.read(db_session, departure_id)
        found += [f"departure {n}: {problem}" for problem in ledger.problems(state)]
        waiting = state.with_status(BookingStatus.WAITLISTED)
        if state.held_by() != Decimal(2) or len(waiting) != JOINERS - 2:
            found.append(
                f"departure {n}: {state.held_by()} TEU held, {len(waiting)} waiting: "
                "two 1-TEU joiners fit"
            )
    return found


def test_joins_racing_a_cancel_miss_no_room(server, db_session, make_user, make_departure):
    found = _join_while_freed(server, db_session, make_user, make_departure)
    assert found == [], found


def test_the_unlocked_join_control_is_caught(
    naive_join_server, db_session, make_user, make_departure
):
    found = _join_while_freed(naive_join_server, db_session, make_user, make_departure)
    assert any("lost wake-up" in p for p in found), found
    print("unlocked join control caught:", found)
