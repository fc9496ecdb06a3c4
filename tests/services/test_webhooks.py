"""Webhooks against a real HTTPS receiver: the outbox is written by the commit that makes the
event (and never by a rollback), deliveries are signed, retried with back-off, logged, and
taken by one worker only."""

import contextlib
import hashlib
import hmac
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dryport.db import write_intent
from dryport.extensions import db
from dryport.models import DeliveryStatus, Role, User, WebhookDelivery, WebhookEndpoint
from dryport.services import webhooks
from dryport.services.bookings import record_event
from dryport.services.clock import utcnow
from dryport.services.errors import Conflict, Invalid, NotFound
from tests.api.test_bookings import booking_body
from tests.webhook_receiver import make_certificate, start_receiver


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def receiver(app, certificate):
    receiver = start_receiver(*certificate)
    app.config["WEBHOOK_CA_FILE"] = str(certificate[0])  # trust the receiver's certificate
    yield receiver
    app.config["WEBHOOK_CA_FILE"] = None
    receiver.stop()


@pytest.fixture
def shipper(make_user, api_token):
    user = make_user(Role.SHIPPER)
    user.headers = api_token(user.email)
    return user


@pytest.fixture
def endpoint(db_session, shipper, receiver):
    endpoint, secret = webhooks.create_endpoint(db_session, shipper, receiver.url, "ERP")
    db_session.commit()
    endpoint.plain_secret = secret
    return endpoint


def deliveries(db_session):
    db_session.expire_all()
    return list(db_session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The check a receiver makes, as the API reference page documents it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    return abs(time.time() - int(fields["t"])) <= tolerance and hmac.compare_digest(
        expected.hexdigest(), fields["v1"]
    )


# ---- registering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the HTTPS address"),
        ("http://erp.example.com/hook", "must begin with https://"),
        ("https://user:pw@erp.example.com/hook", "user name or password"),
        ("https:///hook", "no host name"),
        ("https://erp.example.com:99999/", "Not a valid address"),
        ("https://erp.example.com/" + "a" * 2000, "At most 2000 characters"),
    ],
)
def test_an_unusable_address_is_refused_and_nothing_is_stored(db_session, shipper, url, message):
    with pytest.raises(Invalid) as refused:
        webhooks.create_endpoint(db_session, shipper, url)
    assert message in str(refused.value.errors["url"][0])
    db_session.rollback()
    assert webhooks.endpoints(db_session, shipper) == []


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/x", "https://10.1.2.3/x", "https://localhost/x", "https://[::1]/x"]
)
def test_private_and_local_addresses_are_refused_unless_allowed(app, db_session, shipper, url):
    app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = False
    try:
        with pytest.raises(Invalid) as refused:
            webhooks.create_endpoint(db_session, shipper, url)
        assert "private or local network" in str(refused.value.errors["url"][0])
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = True


def test_a_delivery_to_an_address_that_resolves_privately_is_not_made(
    app, db_session, shipper, endpoint, receiver
):
    """The address is checked again when sending (a name may resolve elsewhere by then)."""
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = False
    try:
        assert webhooks.deliver_due(db.session)["retrying"] == 1
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = True
    assert receiver.requests == []
    assert deliveries(db_session)[0].last_error.startswith("address:")


def test_a_company_has_at_most_five_endpoints(db_session, shipper):
    for n in range(webhooks.MAX_ENDPOINTS):
        webhooks.create_endpoint(db_session, shipper, f"https://erp.example.com/{n}")
    with pytest.raises(Conflict):
        webhooks.create_endpoint(db_session, shipper, "https://erp.example.com/6")


def test_the_endpoint_limit_holds_when_a_company_registers_many_at_once(app, db_session, shipper):
    """Ten registrations at once: each counts the company's endpoints, adds one and waits
    (up to a second) for the others before it commits. Counted without a lock, all ten
    counted none and all ten were kept; the company's row lock makes them take turns."""
    user_id, company_id = shipper.id, shipper.company_id
    db_session.commit()
    ready = threading.Barrier(10)
    answers = []

    def register(n: int) -> None:
        with app.app_context():
            token = write_intent.set(True)  # as a POST request: SQLite writers take turns too
            user = db.session.get(User, user_id)
            try:
                webhooks.create_endpoint(db.session, user, f"https://erp.example.com/{n}")
                # The others may be waiting for this one's lock: then go on after a second.
                with contextlib.suppress(threading.BrokenBarrierError):
                    ready.wait(timeout=1)
                db.session.commit()
                answers.append("created")
            except Conflict:
                db.session.rollback()
                answers.append("refused")
            finally:
                db.session.remove()
                write_intent.reset(token)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = db_session.scalar(
        select(func.count()).where(WebhookEndpoint.company_id == company_id)
    )
    assert created == webhooks.MAX_ENDPOINTS
    assert sorted(answers) == ["created"] * 5 + ["refused"] * 5


def test_endpoints_are_the_companys_own(db_session, make_user, shipper, endpoint):
    colleague = make_user(Role.SHIPPER, company=shipper.company)
    other = make_user(Role.SHIPPER)
    assert webhooks.get_endpoint(db_session, colleague, endpoint.id) == endpoint
    for call in (webhooks.get_endpoint, webhooks.rotate_secret, webhooks.delete_endpoint):
        with pytest.raises(NotFound):
            call(db_session, other, endpoint.id)
    assert webhooks.endpoints(db_session, other) == []


# ---- the outbox ----------------------------------------------------------------------------


def test_a_committed_booking_writes_its_delivery_and_sends_nothing_inside_the_request(
    client, db_session, shipper, endpoint, receiver, make_departure
):
    response = client.post(
        "/api/v1/bookings", json=booking_body(make_departure().id), headers=shipper.headers
    )
    assert response.status_code == 201
    [delivery] = deliveries(db_session)
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.event_type == "booking.created"
    assert delivery.booking_reference == response.get_json()["reference"]
    assert delivery.payload["data"]["booking"]["status"] == "RECEIVED"
    assert receiver.requests == []  # not sent by the request: by a worker, after the commit


def test_a_refused_booking_writes_no_delivery(
    client, db_session, shipper, endpoint, make_departure
):
    full = make_departure(capacity=1)
    response = client.post("/api/v1/bookings", json=booking_body(full.id), headers=shipper.headers)
    assert response.status_code == 409
    assert deliveries(db_session) == []


def test_a_rolled_back_event_writes_no_delivery(db_session, shipper, endpoint, make_booking):
    booking = make_booking(shipper.company)
    from dryport.models import EventType

    record_event(db_session, booking, shipper, EventType.AMENDED)
    db_session.rollback()
    db_session.commit()
    assert deliveries(db_session) == []
    record_event(db_session, booking, shipper, EventType.AMENDED)
    db_session.commit()
    assert [d.event_type for d in deliveries(db_session)] == ["booking.amended"]


def test_only_the_bookings_company_hears_of_it_and_paused_endpoints_wait(
    client, db_session, make_user, api_token, shipper, endpoint, make_departure
):
    other = make_user(Role.SHIPPER)
    client.post(
        "/api/v1/bookings",
        json=booking_body(make_departure().id),
        headers=api_token(other.email),
    )
    assert deliveries(db_session) == []
    webhooks.set_active(db_session, shipper, endpoint.id, False)
    db_session.commit()
    client.post("/api/v1/bookings", json=booking_body(make_departure().id), headers=shipper.headers)
    [waiting] = deliveries(db_session)  # a paused endpoint's events are kept for it
    assert waiting.status is DeliveryStatus.PENDING
    assert webhooks.deliver_due(db.session)["delivered"] == 0
    webhooks.set_active(db_session, shipper, endpoint.id, True)
    db_session.commit()
    assert webhooks.deliver_due(db.session)["delivered"] == 1


def test_an_event_survives_a_savepoint_rolled_back_beside_it(
    db_session, shipper, endpoint, make_booking
):
    """A savepoint that fails and is swallowed (as a counter's first use may) must not take
    the events of its transaction with it, nor write them before the real commit."""
    from dryport.models import EventType

    booking = make_booking(shipper.company)
    record_event(db_session, booking, shipper, EventType.CONFIRMED)
    with db_session.begin_nested():
        db_session.flush()
    try:
        with db_session.begin_nested():
            raise ValueError("a swallowed failure")
    except ValueError:
        pass
    db_session.commit()
    assert [d.event_type for d in deliveries(db_session)] == ["booking.confirmed"]


def test_every_status_change_is_an_event(
    client, db_session, shipper, endpoint, make_user, api_token, make_departure
):
    departure = make_departure()
    created = client.post(
        "/api/v1/bookings", json=booking_body(departure.id), headers=shipper.headers
    ).get_json()
    clerk = api_token(make_user(Role.CLERK, station="HB").email)
    ref = created["reference"]
    client.post(
        f"/api/v1/bookings/{ref}/reject",
        json={"reason": "Seal broken", "version": created["version"]},
        headers=clerk,
    )
    types = [d.event_type for d in deliveries(db_session)]
    assert types == ["booking.created", "booking.rejected"]
    rejected = deliveries(db_session)[1].payload["data"]
    assert rejected["booking"]["status"] == "REJECTED"
    assert rejected["event"]["details"]["reason"] == "Seal broken"


# ---- delivering ----------------------------------------------------------------------------


def test_a_delivery_is_signed_and_logged(db_session, shipper, endpoint, receiver, make_booking):
    booking = make_booking(shipper.company)
    from dryport.models import EventType

    record_event(db_session, booking, shipper, EventType.CANCELLED)
    db_session.commit()
    assert webhooks.deliver_due(db.session) == {"delivered": 1, "retrying": 0, "failed": 0}
    [request] = receiver.requests
    assert request.path == "/hooks/dryport?src=test"
    assert request.headers["Dryport-Event"] == "booking.cancelled"
    assert verify(endpoint.plain_secret, request.headers["Dryport-Signature"], request.body)
    assert not verify("whsec_wrong", request.headers["Dryport-Signature"], request.body)
    assert not verify(endpoint.plain_secret, request.headers["Dryport-Signature"], b"{}")
    assert request.json["data"]["booking"]["reference"] == booking.reference
    assert request.json["id"] == request.headers["Dryport-Event-Id"]
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert webhooks.deliver_due(db.session) == {"delivered": 0, "retrying": 0, "failed": 0}
    assert len(receiver.requests) == 1


def test_a_rotated_secret_signs_from_then_on(db_session, shipper, endpoint, receiver):
    _endpoint, secret = webhooks.rotate_secret(db_session, shipper, endpoint.id)
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    webhooks.deliver_due(db.session)
    signed = receiver.requests[0].headers["Dryport-Signature"]
    assert verify(secret, signed, receiver.requests[0].body)
    assert not verify(endpoint.plain_secret, signed, receiver.requests[0].body)


def test_failures_are_retried_with_doubling_pauses_then_given_up(
    app, db_session, shipper, endpoint, receiver
):
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    receiver.answers = [500] * 3
    now = utcnow()
    waits = []
    for _ in range(3):
        assert webhooks.deliver_due(db.session, now=now)["retrying"] == 1
        [delivery] = deliveries(db_session)
        waits.append((delivery.next_attempt_at - now).total_seconds())
        assert delivery.last_error == "status: HTTP 500" and delivery.response_status == 500
        assert webhooks.deliver_due(db.session, now=now)["retrying"] == 0  # not due yet
        now = delivery.next_attempt_at
    assert 27 <= waits[0] <= 33 and 54 <= waits[1] <= 66 and 108 <= waits[2] <= 132
    assert webhooks.deliver_due(db.session, now=now)["delivered"] == 1
    assert deliveries(db_session)[0].attempts == 4
    assert len(receiver.requests) == 4
    assert len({r.headers["Dryport-Event-Id"] for r in receiver.requests}) == 1

    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    receiver.answers = [503] * app.config["WEBHOOK_MAX_ATTEMPTS"]
    now = utcnow()
    for _ in range(app.config["WEBHOOK_MAX_ATTEMPTS"]):
        webhooks.deliver_due(db.session, now=now)
        now += timedelta(hours=2)
    failed = deliveries(db_session)[1]
    assert failed.status is DeliveryStatus.FAILED
    assert failed.attempts == app.config["WEBHOOK_MAX_ATTEMPTS"]
    webhooks.redeliver(db_session, shipper, failed.id)
    db_session.commit()
    assert webhooks.deliver_due(db.session)["delivered"] == 1


def test_the_back_off_doubles_up_to_its_cap():
    waits = [webhooks.retry_delay(n, 30, 3600).total_seconds() for n in range(1, 10)]
    for n, wait in enumerate(waits, start=1):
        assert 0.9 * min(30 * 2 ** (n - 1), 3600) <= wait <= 1.1 * min(30 * 2 ** (n - 1), 3600)


def test_an_untrusted_certificate_and_a_closed_port_are_failures(
    app, db_session, shipper, endpoint, receiver
):
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    app.config["WEBHOOK_CA_FILE"] = None  # the system's CAs do not know the receiver
    webhooks.deliver_due(db.session)
    assert deliveries(db_session)[0].last_error.startswith("tls:")
    assert receiver.requests == []

    receiver.stop()
    webhooks.deliver_due(db.session, now=utcnow() + timedelta(hours=1))  # its next attempt
    assert deliveries(db_session)[0].last_error.startswith("connect:")


def test_a_paused_endpoint_keeps_its_deliveries_until_resumed(
    db_session, shipper, endpoint, receiver
):
    webhooks.send_ping(db_session, shipper, endpoint.id)
    webhooks.set_active(db_session, shipper, endpoint.id, False)
    db_session.commit()
    assert webhooks.deliver_due(db.session)["delivered"] == 0
    webhooks.set_active(db_session, shipper, endpoint.id, True)
    db_session.commit()
    assert webhooks.deliver_due(db.session)["delivered"] == 1


def test_a_removed_endpoint_takes_its_log_with_it(db_session, shipper, endpoint):
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    webhooks.delete_endpoint(db_session, shipper, endpoint.id)
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


# ---- one worker per delivery ---------------------------------------------------------------


def _two_workers_read_then_attempt(monkeypatch):
    """Both workers read the same due list; the second makes each of its attempts while the
    first is in the middle of sending the same delivery: the worst interleaving."""
    first, second = (db.session.session_factory() for _ in range(2))
    now = utcnow()
    lists = [webhooks.due_deliveries(s, now, 50) for s in (first, second)]
    results = []
    real_post = webhooks.post

    def post_while_the_other_worker_tries(url, body, headers):
        delivery = int(headers["Dryport-Delivery"])
        due_at = dict(lists[1])[delivery]
        monkeypatch.setattr(webhooks, "post", real_post)
        results.append(webhooks.attempt(second, delivery, due_at))
        monkeypatch.setattr(webhooks, "post", post_while_the_other_worker_tries)
        return real_post(url, body, headers)

    monkeypatch.setattr(webhooks, "post", post_while_the_other_worker_tries)
    try:
        results += [webhooks.attempt(first, d, due_at) for d, due_at in lists[0]]
    finally:
        first.close()
        second.close()
    return results


def test_two_workers_never_send_one_delivery_twice(
    db_session, shipper, endpoint, receiver, monkeypatch
):
    for _ in range(3):
        webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    results = _two_workers_read_then_attempt(monkeypatch)
    assert results.count("delivered") == 3 and results.count(None) == 3
    assert len(receiver.requests) == 3


def test_the_broken_claim_without_compare_and_set_is_caught(
    app, db_session, shipper, endpoint, receiver, monkeypatch
):
    """The control: a claim that does not check the due time sends every delivery twice."""

    def naive_claim(session, delivery_id, due_at, now):
        """Takes any PENDING delivery, whoever has it: no compare on the due time."""
        from sqlalchemy import update

        return session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "PENDING")
            .values(attempts=WebhookDelivery.attempts + 1, last_attempt_at=now)
            .returning(WebhookDelivery.attempts)
        ).scalar()

    monkeypatch.setattr(webhooks, "claim", naive_claim)
    for _ in range(3):
        webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    _two_workers_read_then_attempt(monkeypatch)
    assert len(receiver.requests) == 6  # what the real claim prevents


def test_the_app_process_delivers_after_the_commit(
    make_app, certificate, client, db_session, shipper, receiver, make_departure
):
    """With the in-process dispatcher, the booking's commit wakes it: the receiver hears of
    the booking without anybody running a worker."""
    live = make_app(WEBHOOKS_IN_PROCESS=True, WEBHOOK_CA_FILE=str(certificate[0]))
    webhooks.create_endpoint(db_session, shipper, receiver.url)
    db_session.commit()
    try:
        response = live.test_client().post(
            "/api/v1/bookings", json=booking_body(make_departure().id), headers=shipper.headers
        )
        assert response.status_code == 201
        assert receiver.arrived.wait(timeout=15), "nothing delivered"
    finally:
        live.extensions["dryport_outbox"].stop()
    assert (
        receiver.requests[0].json["data"]["booking"]["reference"]
        == (response.get_json()["reference"])
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1::", True),
        ("10.0.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("192.0.0.8", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::127.0.0.1", False),  # IPv4-compatible
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::5db8:d822", True),  # NAT64 of a public address
        ("fd00::1", False),
    ],
)
def test_addresses_that_lead_back_inside_are_not_public(address, public):
    import ipaddress

    assert webhooks.is_public(ipaddress.ip_address(address)) is public


def test_a_receiver_that_answers_a_byte_at_a_time_is_cut_off(app, db_session, shipper, certificate):
    """Every read within the per-step timeout, but the whole answer too slow: a timeout."""
    import socket
    import ssl
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    stop = threading.Event()

    def dribble():
        conn, _addr = listener.accept()
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                if stop.wait(0.5):
                    return
                tls.send(bytes([byte]))

    threading.Thread(target=dribble, daemon=True).start()
    app.config["WEBHOOK_CA_FILE"] = str(certificate[0])
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 1
    try:
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/slow"
        outcome = webhooks.post(url, b"{}", {})
    finally:
        stop.set()
        app.config["WEBHOOK_CA_FILE"] = None
        app.config["WEBHOOK_TIMEOUT_SECONDS"] = 2
        listener.close()
    assert (outcome.ok, outcome.error) == (False, "timeout")


def test_one_broken_delivery_does_not_stop_the_others(
    db_session, shipper, endpoint, receiver, monkeypatch
):
    webhooks.send_ping(db_session, shipper, endpoint.id)
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    real_post, calls = webhooks.post, []

    def post_that_breaks_once(url, body, headers):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("something nobody foresaw")
        return real_post(url, body, headers)

    monkeypatch.setattr(webhooks, "post", post_that_breaks_once)
    assert webhooks.deliver_due(db.session)["delivered"] == 1


def test_a_lost_last_attempt_ends_failed_not_pending_for_ever(app, db_session, shipper, endpoint):
    delivery = webhooks.send_ping(db_session, shipper, endpoint.id)
    delivery.attempts = app.config["WEBHOOK_MAX_ATTEMPTS"]  # its worker died mid-send
    db_session.commit()
    webhooks.deliver_due(db.session)
    assert deliveries(db_session)[0].status is DeliveryStatus.FAILED


def test_sending_again_is_refused_while_a_delivery_waits(db_session, shipper, endpoint):
    delivery = webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    with pytest.raises(Conflict):
        webhooks.redeliver(db_session, shipper, delivery.id)


def test_an_address_with_spaces_or_other_scripts_is_refused(db_session, shipper):
    for url in ("https://erp.example.com/hooks/事件", "https://erp.example.com/a b"):
        with pytest.raises(Invalid):
            webhooks.create_endpoint(db_session, shipper, url)


def test_the_worker_command_sends_what_is_due(runner, db_session, shipper, endpoint, receiver):
    webhooks.send_ping(db_session, shipper, endpoint.id)
    db_session.commit()
    result = runner.invoke(args=["dryport", "webhooks"], env={"DRYPORT_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    assert "Delivered 1, to retry 0, failed 0." in result.output
    assert len(receiver.requests) == 1
