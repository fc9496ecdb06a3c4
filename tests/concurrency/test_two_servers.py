"""Two app servers, one PostgreSQL database: two gunicorn servers with several workers each,
on two ports as two hosts would run them, counting rate limits in Redis.

Shippers book and cancel and clerks confirm through both at once; afterwards nothing is
overbooked, lost or duplicated, every booking is whole, and no request failed with a 5xx.
On a departure with station quotas, shippers of four stations book, wait and cancel through
both while an operator replans it: neither a quota nor the pool is overdrawn, and no waiting
booking is left beside room it fits (``ledger``).
Then one server is stopped (SIGTERM) while bookings run through it: what it answered 201 is
there exactly once, what it had in flight either finishes or leaves no trace, and its
clients carry on through the other server with the same Idempotency-Key.

PostgreSQL only: SQLite is one file on one host.
"""

import itertools
import os
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dryport.extensions import db
from dryport.models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Departure,
    EventType,
    IdempotencyKey,
    Role,
)
from dryport.services.containers import make_number, total_teu
from tests.concurrency import ledger
from tests.concurrency.conftest import (
    NO_ANSWER,
    Reply,
    Server,
    start_server,
    stop_server,
    wait_until_up,
)
from tests.concurrency.test_quota_waitlist_race import body as waitlist_body
from tests.concurrency.test_quota_waitlist_race import set_quotas
from tests.conftest import PASSWORD, cargo

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
SIGN_IN_LIMIT = "5 per minute"
WORKERS = 3  # per server
# Booked container lines: 1, 2 and 2 TEU.
LINES = (
    [{"size_type": "22G1", "quantity": 1}],
    [{"size_type": "42G1", "quantity": 1}],
    [{"size_type": "22G1", "quantity": 2}],
)
TARE = {"2": 2300, "4": 3750}


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class Pair:
    servers: tuple[Server, Server]
    shared_limits: bool  # rate limits counted in Redis
    prefix: str
    addresses = itertools.count(1)

    def client(self) -> dict:
        """Headers of a client of its own: the servers trust one proxy (PROXY_COUNT=1), so
        each client's sign-ins are counted apart, as behind the real proxy."""
        return {"X-Forwarded-For": f"203.0.113.{next(self.addresses)}"}


@pytest.fixture(scope="module")
def pair(app, tmp_path_factory):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip(
                "two app servers share one PostgreSQL database; SQLite is one file for the "
                "servers of one host (set TEST_DATABASE_URL to run this)"
            )
        db.engine.dispose()  # no connection of ours may hold a lock the workers wait for
    shared = _redis_reachable()
    prefix = f"dryport-test-{uuid.uuid4().hex[:12]}"
    env = {
        "PROXY_COUNT": "1",
        "SIGN_IN_LIMIT": SIGN_IN_LIMIT,
        "RATELIMIT_STORAGE_URI": REDIS_URL if shared else "memory://",
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    log_dir = tmp_path_factory.mktemp("two-servers")
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    servers = tuple(start_server(url, log_dir, workers=WORKERS, env=env) for _ in range(2))
    try:
        for server in servers:
            wait_until_up(server)
        yield Pair(servers, shared, prefix)
    finally:
        stop_server(*servers)
        if shared:
            store = redis.Redis.from_url(REDIS_URL)
            for key in store.scan_iter(f"*{prefix}*"):
                store.delete(key)


def _body(departure_id: int, lines: list) -> dict:
    return {
        "departure_id": departure_id,
        "origin_station": "HK",
        "destination": "CNNGB",  # the departures are EAST's
        "consignee": {"name": "Ningbo Port Logistics", "address": "Beilun, Ningbo"},
        "cargo": cargo(description="Konjac flour", hs_code="110620", gross_weight_kg=15000),
        "containers": lines,
    }


_serials = itertools.count(1)


def _containers(lines: list, gross_kg: float) -> list[dict]:
    """One container record per requested unit, with a valid ISO 6346 number never used,
    weighing what the booking declares (``gross_kg``) within a kilogram a box."""
    rows = []
    cargo = int(gross_kg) // sum(line["quantity"] for line in lines)
    for line in lines:
        for _ in range(line["quantity"]):
            serial = next(_serials)
            rows.append({
                "number": make_number("HKT", serial), "size_type": line["size_type"],
                "seal": f"SL{serial:06d}", "tare_kg": TARE[line["size_type"][0]],
                "vgm_kg": TARE[line["size_type"][0]] + cargo, "vgm_certified_by": "Wang Fang",
            })  # fmt: skip
    return rows


def _tracebacks(server: Server) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if "Traceback" in line]


def _departure_state(session, departure_id: int):
    """The departure's held TEU and its bookings, read afresh."""
    session.rollback()
    session.expire_all()
    held = session.scalar(select(Departure.held_teu).where(Departure.id == departure_id))
    bookings = session.scalars(
        select(Booking)
        .where(Booking.departure_id == departure_id)
        .options(
            selectinload(Booking.lines),
            selectinload(Booking.events),
            selectinload(Booking.containers),
            selectinload(Booking.waybills),
        )
    ).all()
    return held, bookings


def _not_whole(bookings) -> list:
    """Bookings that are not whole: lines that do not add up to the TEU, a timeline without
    its creation, a confirmation without its containers, waybill or event, a cancellation
    without its event."""
    problems = []
    for booking in bookings:
        events = Counter(event.type for event in booking.events)
        units = sum(line.quantity for line in booking.lines)
        teu = total_teu((line.size_type, line.quantity) for line in booking.lines)
        if not booking.lines or teu != booking.teu:
            problems.append((booking.reference, "lines", teu, booking.teu))
        if events[EventType.CREATED] != 1:
            problems.append((booking.reference, "created events", events[EventType.CREATED]))
        if booking.status is BookingStatus.CONFIRMED and (
            len(booking.containers) != units
            or not booking.waybills
            or not events[EventType.CONFIRMED]
        ):
            problems.append((booking.reference, "confirmation", len(booking.containers), units))
        if booking.status is BookingStatus.CANCELLED and events[EventType.CANCELLED] != 1:
            problems.append((booking.reference, "cancel events", events[EventType.CANCELLED]))
        if booking.status is BookingStatus.RECEIVED and set(events) != {EventType.CREATED}:
            problems.append((booking.reference, "events of a received booking", events))
    return problems


CAPACITY, SHIPPERS, CLIENTS, ATTEMPTS = 60, 6, 12, 10


def test_bookings_cancels_and_confirmations_through_two_servers_add_up(
    pair, db_session, make_user, make_departure
):
    servers = pair.servers
    departure_id = make_departure(capacity=CAPACITY).id
    shippers = [make_user(Role.SHIPPER) for _ in range(SHIPPERS)]
    clerk = make_user(Role.CLERK, station="HK")
    # A token from one server is good on the other: they share the database.
    tokens = [
        servers[i % 2].token(shipper.email, PASSWORD, pair.client())
        for i, shipper in enumerate(shippers)
    ]
    clerk_token = servers[1].token(clerk.email, PASSWORD, pair.client())
    log: list[tuple[str, Server, Reply, str | None]] = []  # kind, server, reply, reference
    shippers_done = threading.Event()

    def shipper(i: int) -> None:
        headers = tokens[i % SHIPPERS]
        for n in range(ATTEMPTS):
            here, there = servers[(i + n) % 2], servers[(i + n + 1) % 2]
            body = _body(departure_id, LINES[(i + n) % len(LINES)])
            reply = here.send("POST", "/api/v1/bookings", body, headers)
            log.append(("book", here, reply, None))
            if reply.status == 201 and (i + n) % 4 == 0:  # one in four changes its mind
                reference = reply.body["reference"]
                cancel = there.send("POST", f"/api/v1/bookings/{reference}/cancel", {}, headers)
                log.append(("cancel", there, cancel, reference))

    def clerk_at_work(k: int) -> None:
        """Confirm about two in three of the waiting bookings; the two clerks take them in
        opposite orders, so they sometimes race for one."""
        for rounds in itertools.count():
            last = shippers_done.is_set()
            server = servers[(k + rounds) % 2]
            query = f"?departure_id={departure_id}&status=RECEIVED&page_size=100"
            listing = server.send("GET", "/api/v1/bookings" + query, None, clerk_token)
            log.append(("list", server, listing, None))
            waiting = listing.body if listing.status == 200 else []
            chosen = [b for b in waiting if int(b["reference"][-1]) % 3]
            for booking in (chosen if k else chosen[::-1])[:4]:
                reference = booking["reference"]
                other = servers[(k + rounds + 1) % 2]
                containers = _containers(booking["containers"], booking["cargo"]["gross_weight_kg"])
                body = {"containers": containers, "version": booking["version"]}
                reply = other.send(
                    "POST", f"/api/v1/bookings/{reference}/confirm", body, clerk_token
                )
                log.append(("confirm", other, reply, reference))
            if last:
                return
            time.sleep(0.05)

    started = time.monotonic()
    clients = [threading.Thread(target=shipper, args=(i,)) for i in range(CLIENTS)]
    clerks = [threading.Thread(target=clerk_at_work, args=(k,)) for k in range(2)]
    for thread in clients + clerks:
        thread.start()
    for thread in clients:
        thread.join(timeout=60)
    shippers_done.set()
    for thread in clerks:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in clients + clerks), "the clients did not finish"
    elapsed = time.monotonic() - started

    answers = Counter((kind, reply.status) for kind, _, reply, _ in log)
    print(f"{len(log)} requests in {elapsed:.1f} s through two servers: {dict(answers)}")
    allowed = {"book": {201, 409}, "cancel": {200}, "confirm": {200, 409}, "list": {200}}
    odd = [(k, s.base, r.status, r.body) for k, s, r, _ in log if r.status not in allowed[k]]
    assert not odd, odd  # no 5xx, no failed connection, nothing unexpected
    refusals = [r.body for k, _, r, _ in log if k == "book" and r.status == 409]
    # It filled up: refusals say what is left. (A refusal that a cancel overtook between the
    # hold and the reading of what is left asks the client to try again instead.)
    assert any("available_teu" in body for body in refusals), refusals
    for server in servers:
        assert any(s is server and r.status == 201 for k, s, r, _ in log), "one server idled"
        assert any(s is server and k == "confirm" and r.status == 200 for k, s, r, _ in log)

    created = [r.body["reference"] for k, _, r, _ in log if k == "book" and r.status == 201]
    assert len(created) == len(set(created)), "a reference was given twice"
    cancelled = {ref for k, _, r, ref in log if k == "cancel" and r.status == 200}
    confirmed = {ref for k, _, r, ref in log if k == "confirm" and r.status == 200}
    expected = {
        ref: BookingStatus.CANCELLED
        if ref in cancelled
        else BookingStatus.CONFIRMED
        if ref in confirmed
        else BookingStatus.RECEIVED
        for ref in created
    }
    held, bookings = _departure_state(db_session, departure_id)
    assert Counter(b.reference for b in bookings) == Counter(created)  # none lost, none extra
    assert {b.reference: b.status for b in bookings} == expected
    live = sum((b.teu for b in bookings if b.status in HOLDING_STATUSES), 0)
    assert held == live <= CAPACITY
    assert _not_whole(bookings) == []
    numbers = [c.number for b in bookings if b.status in HOLDING_STATUSES for c in b.containers]
    assert len(numbers) == len(set(numbers))
    assert not _tracebacks(servers[0]) and not _tracebacks(servers[1])


# Station quotas and the waitlist through both servers: Hanbin and Xunyang have quotas, the
# hub and Ziyang book in the pool; everyone asks to wait when it is full.
QUOTAS, ORIGINS = {"HB": 6, "XY": 4}, ("HB", "XY", "HK", "ZY")


def test_quotas_and_the_waitlist_through_two_servers_add_up(
    pair, db_session, make_user, make_departure
):
    servers = pair.servers
    departure_id = make_departure(capacity=24, days=8).id
    shippers = [make_user(Role.SHIPPER) for _ in range(SHIPPERS)]
    operator = make_user(Role.OPERATOR)
    tokens = [
        servers[i % 2].token(shipper.email, PASSWORD, pair.client())
        for i, shipper in enumerate(shippers)
    ]
    operator_token = servers[0].token(operator.email, PASSWORD, pair.client())
    db_session.rollback()  # no read snapshot of ours may outlive the servers' writes
    set_quotas(servers[0], operator_token, departure_id, QUOTAS)
    log: list[tuple[str, Server, Reply]] = []

    def shipper(i: int) -> None:
        headers, origin = tokens[i % SHIPPERS], ORIGINS[i % len(ORIGINS)]
        for n in range(8):
            here, there = servers[(i + n) % 2], servers[(i + n + 1) % 2]
            body = waitlist_body(departure_id, 1 + (i + n) % 2, origin, waitlist=True)
            reply = here.send("POST", "/api/v1/bookings", body, headers)
            log.append(("book", here, reply))
            if reply.status == 201 and (i + n) % 3 == 0:  # one in three changes its mind
                reference = reply.body["reference"]
                log.append(
                    ("cancel", there,
                     there.send("POST", f"/api/v1/bookings/{reference}/cancel", {}, headers))
                )  # fmt: skip

    def operator_at_work() -> None:
        """Raise the capacity twice, then Hanbin's quota with it, through either server."""
        for k in range(3):
            time.sleep(0.3)
            server = servers[k % 2]
            read = server.send("GET", f"/api/v1/departures/{departure_id}", None, operator_token)
            change = {
                "version": read.body["version"],
                "capacity_teu": read.body["capacity_teu"] + 2,
            }
            if k == 2:
                change["quotas"] = [{"station": "HB", "teu": 8}, {"station": "XY", "teu": 4}]
            path = f"/api/v1/departures/{departure_id}"
            log.append(("replan", server, server.send("PATCH", path, change, operator_token)))

    threads = [threading.Thread(target=shipper, args=(i,)) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=operator_at_work))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "the clients did not finish"

    answers = Counter((kind, reply.status) for kind, _, reply in log)
    print(f"quotas and waitlist through two servers: {dict(answers)}")
    # 409: a replan on a version another replan changed; 422: the pool had no room left
    # for Hanbin's larger quota.
    allowed = {"book": {201}, "cancel": {200}, "replan": {200, 409, 422}}
    odd = [(k, s.base, r.status, r.body) for k, s, r in log if r.status not in allowed[k]]
    assert not odd, odd  # no 5xx, no failed connection, nothing unexpected
    for server in servers:
        assert any(s is server and k == "book" for k, s, _ in log), "one server idled"
    created = [r.body["reference"] for k, _, r in log if k == "book"]
    state = ledger.read(db_session, departure_id)
    assert sorted(b.reference for b in state.bookings) == sorted(created)  # none lost or extra
    assert ledger.problems(state) == []
    assert state.with_status(BookingStatus.WAITLISTED), "the departure never filled up"
    assert any(b.promotions for b in state.bookings), "no room freed while bookings waited"
    assert not _tracebacks(servers[0]) and not _tracebacks(servers[1])


def test_the_sign_in_limit_counts_across_both_servers(pair, make_user):
    if not pair.shared_limits:
        pytest.skip(
            f"Redis does not answer at {REDIS_URL}: without it each server process counts "
            "sign-ins for itself (start redis-server, or set TEST_REDIS_URL)"
        )
    a, b = pair.servers
    user = make_user(Role.OPERATOR)
    client = pair.client()
    wrong = {"email": user.email, "password": "wrong-password-123"}
    statuses = [
        server.send("POST", "/api/v1/tokens", wrong, client).status for server in (a, a, a, b, b, b)
    ]
    # 5 per minute: three failures on A and two on B use them up.
    assert statuses == [401, 401, 401, 401, 401, 429]
    right = {"email": user.email, "password": PASSWORD}
    assert a.send("POST", "/api/v1/tokens", right, client).status == 429  # even the right one
    assert b.send("POST", "/api/v1/tokens", right, pair.client()).status == 201  # others not
    assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{pair.prefix}*"))


GRACE = 4  # seconds gunicorn gives its workers to finish, then kills them


@dataclass
class Attempt:
    started: float
    ended: float
    first: Reply  # from the server that is stopped
    final: Reply  # the same request again through the other server, if the first got none


def test_a_server_stopped_mid_load_loses_no_booking_and_leaves_none_half_written(
    app, pair, db_session, make_user, make_departure, tmp_path
):
    steady = pair.servers[1]
    departure_id = make_departure(capacity=150, days=9).id
    untouched_id = make_departure(capacity=10, days=10).id
    shippers = [make_user(Role.SHIPPER) for _ in range(4)]
    tokens = [steady.token(s.email, PASSWORD, pair.client()) for s in shippers]
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    # The real app, plus pauses a request can ask for inside its booking transaction.
    stopping = start_server(
        url, tmp_path, "tests.concurrency.paused_wsgi:app", workers=2, threads=4,
        graceful_timeout=GRACE,
    )  # fmt: skip
    wait_until_up(stopping)

    attempts: list[Attempt] = []
    doomed: list[Reply] = []
    enough = threading.Event()

    def client(i: int) -> None:
        for n in itertools.count():
            if enough.is_set():
                return
            headers = {**tokens[i % len(tokens)], "Idempotency-Key": f"po-{i}-{n}"}
            body = _body(departure_id, LINES[(i + n) % len(LINES)])
            started = time.monotonic()
            pause = {"X-Test-Pause-Before-Hold": "0.3"}
            first = stopping.send("POST", "/api/v1/bookings", body, {**headers, **pause})
            ended = time.monotonic()
            final = first
            if first.status == NO_ANSWER:  # the client retries elsewhere with the same key
                final = steady.send("POST", "/api/v1/bookings", body, headers)
            attempts.append(Attempt(started, ended, first, final))
            time.sleep(0.02)

    def hold_and_hang() -> None:
        """Holds TEU on the other departure, uncommitted, past the grace period."""
        headers = {**tokens[0], "Idempotency-Key": "hangs", "X-Test-Pause-After-Hold": "60"}
        body = _body(untouched_id, LINES[0])
        doomed.append(stopping.send("POST", "/api/v1/bookings", body, headers))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    threads.append(threading.Thread(target=hold_and_hang))
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    signalled = time.monotonic()
    stopping.process.send_signal(signal.SIGTERM)
    stopping.process.wait(timeout=GRACE + 15)
    stopped = time.monotonic()
    time.sleep(0.5)  # the clients carry on through the other server
    enough.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "the clients did not finish"
    after = [
        stopping.send("GET", "/healthz"),
        stopping.send("POST", "/api/v1/bookings", _body(departure_id, LINES[0]), tokens[0]),
    ]
    stop_server(stopping)

    firsts = Counter(a.first.status for a in attempts)
    print(f"stopped {stopped - signalled:.1f} s after SIGTERM; first answers {dict(firsts)}")
    # No 5xx anywhere; the stopped server answered or failed at the connection, and every
    # booking request got its answer in the end.
    assert set(firsts) <= {201, 409, NO_ANSWER}, firsts
    assert {a.final.status for a in attempts} <= {201, 409}
    assert firsts[NO_ANSWER] > 0, "no client noticed the server stop"
    in_flight = [a for a in attempts if a.started < signalled < a.ended]
    assert any(a.first.status == 201 for a in in_flight), "nothing in flight was finished"
    late = [a for a in attempts if a.started > stopped]
    assert late and all(a.first.status == NO_ANSWER for a in late)
    assert [reply.status for reply in after] == [NO_ANSWER, NO_ANSWER]
    assert [reply.status for reply in doomed] == [NO_ANSWER]  # killed after the grace period

    created = [a.final.body["reference"] for a in attempts if a.final.status == 201]
    assert len(created) == len(set(created)), "a retried request was booked twice"
    held, bookings = _departure_state(db_session, departure_id)
    assert Counter(b.reference for b in bookings) == Counter(created)
    live = sum((b.teu for b in bookings if b.status in HOLDING_STATUSES), 0)
    assert held == live <= 150
    assert _not_whole(bookings) == []
    # The transaction killed mid-way left nothing: no booking, no held TEU, no used key.
    held, bookings = _departure_state(db_session, untouched_id)
    assert held == 0 and bookings == []
    assert db_session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "hangs")) is None
    log = stopping.log.read_text()
    assert "Handling signal: term" in log and not _tracebacks(stopping), log[-3000:]
    assert not _tracebacks(steady)
