"""Webhooks: a shipper's company registers HTTPS endpoints and receives its bookings' events.

Delivered through the outbox (``services.outbox``, shared with mail): every timeline event
of a booking is noted in the session that makes it, its delivery rows are written by that
session's own commit, and the HTTP calls happen afterwards, outside any transaction, by the
app process's dispatcher thread and the ``flask dryport webhooks --loop`` worker, each
delivery taken by compare-and-set and retried with exponential back-off; the shipper sees
each delivery, its attempts and its last answer in the delivery log.

Each request carries ``Dryport-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`` computed with
the endpoint's secret over ``"<t>.<body>"``, as the receiver checks it (see ``signature``).
"""

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, event, exists, func, select, update
from sqlalchemy.orm import Session

from dryport.models import (
    BookingEvent,
    Company,
    DeliveryStatus,
    Role,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from dryport.services import outbox
from dryport.services.access import require_role
from dryport.services.clock import utcnow
from dryport.services.errors import Conflict, Invalid, NotFound
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search

log = logging.getLogger(__name__)

MAX_ENDPOINTS = 5
MAX_URL_LENGTH = 2000
SIGNATURE_HEADER = "Dryport-Signature"
LEASE = outbox.LEASE
PING = "ping"

# Why an attempt failed, as stored in the log; shown translated on the shipper's page.
ERRORS = {
    "address": _l("The address resolves to a private or local network."),
    "dns": _l("The host name could not be resolved."),
    "connect": _l("The connection was refused or broke."),
    "timeout": _l("No answer in time."),
    "tls": _l("The HTTPS certificate was not accepted."),
    "status": _l("The receiver answered with an error status."),
}


ENDPOINT_SORTING = Sorting(
    columns={"created_at": WebhookEndpoint.created_at, "url": WebhookEndpoint.url},
    default=("created_at",),
    tiebreak=WebhookEndpoint.id,
)
DELIVERY_SORTING = Sorting(
    columns={
        "created_at": WebhookDelivery.created_at,
        "next_attempt_at": WebhookDelivery.next_attempt_at,
        "status": WebhookDelivery.status,
        "event_type": WebhookDelivery.event_type,
    },
    default=("-created_at",),
    tiebreak=WebhookDelivery.id,
)


# ---- endpoints ---------------------------------------------------------------------------


def endpoints_query(user: User, sort: Sequence[str] | None = None, q: str | None = None) -> Select:
    """The endpoints of the user's company, oldest first unless ``sort`` says otherwise;
    with ``q``, those whose URL or description contains it (``services.search``)."""
    require_role(user, Role.SHIPPER)
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.company_id == user.company_id)
    stmt = search(stmt, q, WebhookEndpoint.url, WebhookEndpoint.description)
    return order_by(stmt, sort, ENDPOINT_SORTING)


def endpoints(session: Session, user: User) -> list[WebhookEndpoint]:
    """The endpoints of the user's company, oldest first."""
    return list(session.scalars(endpoints_query(user)))


def get_endpoint(session: Session, user: User, endpoint_id: int) -> WebhookEndpoint:
    """One of the user's company's endpoints; another company's is ``NotFound``."""
    require_role(user, Role.SHIPPER)
    found = session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.company_id == user.company_id
        )
    )
    if found is None:
        raise NotFound()
    return found


def create_endpoint(
    session: Session, user: User, url: str, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register ``url`` for the user's company; return it with its secret, shown once.

    A company has at most ``MAX_ENDPOINTS``: beyond, ``Conflict``. Its row is locked before
    the count (PostgreSQL; SQLite's writers take turns already), so registrations at once
    count one after another and the limit holds under any race.
    """
    require_role(user, Role.SHIPPER)
    url = (url or "").strip()
    description = (description or "").strip()
    problem = url_problem(url)
    if problem:
        raise Invalid(errors={"url": [problem]})
    if len(description) > 100:
        raise Invalid(errors={"description": [_l("At most 100 characters.")]})
    session.execute(select(Company.id).where(Company.id == user.company_id).with_for_update())
    count = session.scalar(
        select(func.count()).where(WebhookEndpoint.company_id == user.company_id)
    )
    if count >= MAX_ENDPOINTS:
        raise Conflict(_l("A company may register at most %(n)d endpoints.", n=MAX_ENDPOINTS))
    secret = new_secret()
    endpoint = WebhookEndpoint(
        company_id=user.company_id,
        url=url,
        description=description,
        secret=secret,
        created_by=user,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def rotate_secret(session: Session, user: User, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """A new secret for the endpoint: the old one stops signing at once."""
    endpoint = get_endpoint(session, user, endpoint_id)
    endpoint.secret = new_secret()
    return endpoint, endpoint.secret


def set_active(session: Session, user: User, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Pause or resume an endpoint; events keep being written while it is paused and wait."""
    endpoint = get_endpoint(session, user, endpoint_id)
    resumed = active and not endpoint.active
    endpoint.active = active
    if resumed:  # what waited is due now, not at its old back-off time; not what is in flight
        now = utcnow()
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                ~_in_flight(now),
            )
            .values(next_attempt_at=now)
        )
        _mark_written(session)
    return endpoint


def _in_flight(now: datetime):
    """Deliveries a worker has claimed and may be sending right now (within their lease)."""
    return (WebhookDelivery.last_attempt_at.is_not(None)) & (
        WebhookDelivery.last_attempt_at > now - LEASE
    )


def delete_endpoint(session: Session, user: User, endpoint_id: int) -> WebhookEndpoint:
    """Remove an endpoint with its delivery log."""
    endpoint = get_endpoint(session, user, endpoint_id)
    session.delete(endpoint)
    return endpoint


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def url_problem(url: str):
    """Why ``url`` cannot receive webhooks, or None: HTTPS, a host, no credentials, and
    (unless the configuration allows it) not a private or local address."""
    if not url:
        return _l("Enter the HTTPS address of your receiver.")
    if len(url) > MAX_URL_LENGTH:
        return _l("At most %(n)d characters.", n=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        return _l("Not a valid address.")
    if not url.isascii() or any(c.isspace() or not c.isprintable() for c in url):
        return _l("Not a valid address.")
    if parts.scheme != "https":
        return _l("The address must begin with https://.")
    if not parts.hostname:
        return _l("The address has no host name.")
    if parts.username or parts.password:
        return _l("The address must not carry a user name or password.")
    if parts.fragment:
        return _l("The address must not have a #fragment.")
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"]:
        try:
            ip = ipaddress.ip_address(parts.hostname)
        except ValueError:
            if parts.hostname.lower() == "localhost" or parts.hostname.endswith(".localhost"):
                return ERRORS["address"]
        else:
            if not is_public(ip):
                return ERRORS["address"]
    return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``ip`` is on the public internet, also where an IPv6 address only wraps an IPv4
    one (mapped, 6to4, NAT64) that leads back inside."""
    if ip.version == 6:
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is None and int(ip) >> 32 == 0:  # IPv4-compatible ::a.b.c.d
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(inner)
    elif ip in _IETF_PROTOCOL:
        return False
    return ip.is_global


# ---- the delivery log --------------------------------------------------------------------


def deliveries_query(
    endpoint: WebhookEndpoint, sort: Sequence[str] | None = None, q: str | None = None
) -> Select:
    """The deliveries of ``endpoint`` (found for its owner by ``get_endpoint``), newest first
    unless ``sort`` says otherwise; with ``q``, those whose event type or booking reference
    contains it (``services.search``)."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    stmt = search(stmt, q, WebhookDelivery.event_type, WebhookDelivery.booking_reference)
    return order_by(stmt, sort, DELIVERY_SORTING)


def redeliver(session: Session, user: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now, whatever became of it before (the same event id: a receiver
    that already has it can tell)."""
    require_role(user, Role.SHIPPER)
    delivery = session.scalar(
        select(WebhookDelivery)
        .join(WebhookDelivery.endpoint)
        .where(WebhookDelivery.id == delivery_id, WebhookEndpoint.company_id == user.company_id)
    )
    if delivery is None:
        raise NotFound()
    if delivery.status is DeliveryStatus.PENDING:
        raise Conflict(_l("This delivery is still waiting to be sent."))
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0  # a full series of attempts again
    delivery.last_error = None
    delivery.next_attempt_at = utcnow()
    _mark_written(session)
    return delivery


def send_ping(session: Session, user: User, endpoint_id: int) -> WebhookDelivery:
    """Queue a ``ping`` event to the endpoint, to try the receiver."""
    endpoint = get_endpoint(session, user, endpoint_id)
    now = utcnow()
    event_id = new_event_id()
    delivery = WebhookDelivery(
        endpoint=endpoint,
        event_id=event_id,
        event_type=PING,
        payload={"id": event_id, "type": PING, "created_at": now.isoformat(), "data": {}},
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    _mark_written(session)
    return delivery


def send_limit() -> str:
    """The rate limit of test events and sends-again (Flask-Limiter's notation)."""
    return current_app.config["WEBHOOK_SEND_LIMIT"]


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


# ---- the outbox --------------------------------------------------------------------------


note_event = outbox.note_event  # called by ``bookings.record_event``
_mark_written = outbox.mark_written


def event_type(booking_event: BookingEvent) -> str:
    return "booking." + booking_event.type.name.lower()


#: The endpoints of some companies, paused ones too (their events wait). Built once: every
#: commit that changed a booking asks it.
_LISTENING = select(WebhookEndpoint).where(
    WebhookEndpoint.company_id.in_(bindparam("companies", expanding=True))
)


_READ = "webhooks.endpoints_read"  # in ``session.info``: the endpoints read, by company


def read_endpoints(session: Session, company_ids) -> dict[int, list[WebhookEndpoint]]:
    """The endpoints of these companies (paused ones too), read once a transaction: a
    booking reads its company's before its first write, so that its commit does not ask
    while it holds the departure's row or SQLite's write lock. An endpoint added meanwhile
    gets the events committed after it, as if it had been added just after this commit."""
    read = session.info.setdefault(_READ, {})
    missing = [c for c in set(company_ids) if c not in read]
    if missing:
        for company_id in missing:
            read[company_id] = []
        for endpoint in session.scalars(_LISTENING, {"companies": missing}):
            read[endpoint.company_id].append(endpoint)
    return {c: read[c] for c in company_ids if read[c]}


#: Whether the company bound as ``company_id`` has any endpoint: asked within another read
#: (the booking's departure), so that a company with none is known without a query of its own.
ANY_ENDPOINT = (
    exists()
    .where(WebhookEndpoint.company_id == bindparam("company_id"))
    .correlate(None)
    .label("any_endpoint")
)


def endpoints_known(session: Session, company_id: int, any_endpoint: bool) -> None:
    """Read the company's endpoints now (``read_endpoints``), or, if ``ANY_ENDPOINT`` found
    none in the same transaction, note that it has none without asking again."""
    if any_endpoint:
        read_endpoints(session, [company_id])
    else:
        session.info.setdefault(_READ, {}).setdefault(company_id, [])


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_endpoints(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_READ, None)


def _write_deliveries(session: Session, noted: list[BookingEvent]) -> None:
    """The outbox's writer: a delivery per noted event and endpoint of its company."""
    companies = {e.booking.company_id for e in noted}
    if not companies:
        return
    listening = read_endpoints(session, companies)
    if not listening:
        return
    from dryport.schemas.bookings import BOOKING_SCHEMA  # the API's own view of a booking

    session.flush()
    now = utcnow()
    for booking_event in noted:
        booking = booking_event.booking
        targets = listening.get(booking.company_id)
        if not targets:
            continue
        event_id = new_event_id()
        payload = _json_safe(
            {
                "id": event_id,
                "type": event_type(booking_event),
                "created_at": booking_event.at.isoformat(),
                "data": {
                    "booking": BOOKING_SCHEMA.dump(booking),
                    "event": {
                        "type": booking_event.type.name,
                        "at": booking_event.at.isoformat(),
                        "details": booking_event.details or {},
                    },
                },
            }
        )
        for endpoint in targets:
            session.add(
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_id=event_id,
                    event_type=payload["type"],
                    booking_reference=booking.reference,
                    payload=payload,
                    next_attempt_at=now,
                )
            )
    _mark_written(session)


outbox.register_writer(_write_deliveries)


def _json_safe(payload: dict) -> dict:
    return json.loads(json.dumps(payload, default=str))


# ---- delivering --------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Dryport-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


retry_delay = outbox.retry_delay


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the receiver's HTTP status, if it answered
    error: str | None  # a key of ERRORS, or None on success
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def deliver_due(session: Session, now: datetime | None = None, limit: int = 50) -> dict:
    """Attempt the deliveries that are due; return how many were delivered, will be
    retried, and have failed for good. ``now`` fixes the clock (tests); by default every
    claim and every retry is timed when it happens, not when the batch began."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for delivery_id, due_at in due_deliveries(session, now or utcnow(), limit):
        try:
            result = attempt(session, delivery_id, due_at, now)
        except Exception:  # one bad delivery must not stop the others
            session.rollback()
            log.exception("webhook delivery %s failed", delivery_id)
            continue
        if result is not None:
            counts[result] += 1
    return counts


def due_deliveries(session: Session, now: datetime, limit: int) -> list[tuple[int, datetime]]:
    """The due deliveries of active endpoints, oldest first, as (id, when it came due).
    Deliveries whose last attempt was lost with its worker, and which have no attempts
    left, are failed here."""
    outbox.fail_exhausted(session, WebhookDelivery, now, current_app.config["WEBHOOK_MAX_ATTEMPTS"])
    due = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .join(WebhookDelivery.endpoint)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    session.commit()
    return [tuple(row) for row in due]


def claim(session: Session, delivery_id: int, due_at: datetime, now: datetime) -> int | None:
    """Take a due delivery for one attempt (``outbox.claim``); the number of this attempt,
    or None when another worker took it."""
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    return outbox.claim(session, WebhookDelivery, delivery_id, due_at, now, max_attempts)


def attempt(
    session: Session, delivery_id: int, due_at: datetime, now: datetime | None = None
) -> str | None:
    """One attempt at a due delivery: ``delivered``, ``retrying`` or ``failed``; None when
    another worker has it, or its endpoint is gone."""
    attempts = claim(session, delivery_id, due_at, now or utcnow())
    if attempts is None:
        return None
    config = current_app.config
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # removed with its endpoint meanwhile
        session.commit()
        return None
    url, secret = delivery.endpoint.url, delivery.endpoint.secret
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "dryport-webhooks/1",
        "Dryport-Event": delivery.event_type,
        "Dryport-Event-Id": delivery.event_id,
        "Dryport-Delivery": str(delivery.id),
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
    }
    session.commit()  # no transaction stays open while the receiver is called
    outcome = post(url, body, headers)
    error = None if outcome.ok else f"{outcome.error}: {outcome.detail}"
    return outbox.finish(
        session,
        WebhookDelivery,
        delivery_id,
        attempts,
        error,
        now or utcnow(),
        max_attempts=config["WEBHOOK_MAX_ATTEMPTS"],
        retry_base=config["WEBHOOK_RETRY_BASE_SECONDS"],
        retry_cap=config["WEBHOOK_RETRY_CAP_SECONDS"],
        response_status=outcome.status,
    )


def post(url: str, body: bytes, headers: dict) -> Outcome:
    """POST ``body`` to ``url`` over HTTPS, to the address checked here (no redirects),
    within ``WEBHOOK_TIMEOUT_SECONDS`` for each step and twice that for the whole call."""
    config = current_app.config
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 443
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        return Outcome(None, "dns", str(error)[:200])
    address = infos[0][4][0]
    checked = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone
    if not config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] and not is_public(checked):
        return Outcome(None, "address", "")  # the address itself is not shown to the shipper
    timeout = config["WEBHOOK_TIMEOUT_SECONDS"]
    context = ssl.create_default_context(cafile=config["WEBHOOK_CA_FILE"])
    connection = _PinnedHTTPSConnection(host, port, address, context=context, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # A receiver that answers one byte at a time would pass every per-step timeout: the whole
    # call is cut off at a deadline by shutting the socket down under it.
    watchdog = threading.Timer(2 * timeout, connection.cut_off)
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
    except ssl.SSLError as error:
        return _failure(connection, "tls", str(error))
    except TimeoutError as error:
        return Outcome(None, "timeout", str(error)[:200])
    except Exception as error:  # noqa: BLE001 - whatever the receiver or the network does
        return _failure(connection, "connect", f"{type(error).__name__}: {error}")
    finally:
        watchdog.cancel()
        connection.close()
    if connection.was_cut_off:
        return Outcome(None, "timeout", f"no complete answer in {2 * timeout} s")
    if 200 <= response.status < 300:
        return Outcome(response.status, None)
    return Outcome(response.status, "status", f"HTTP {response.status}")


def _failure(connection, error: str, detail: str) -> Outcome:
    if connection.was_cut_off:
        return Outcome(None, "timeout", "the whole call took too long")
    return Outcome(None, error, detail[:200])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address that was checked, not to a second resolution of the name
    (which could point elsewhere); the certificate is still checked against the name."""

    def __init__(self, host, port, address, *, context, timeout):
        super().__init__(host, port, context=context, timeout=timeout)
        self._address = address
        self._context = context

    was_cut_off = False

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)

    def cut_off(self) -> None:
        """Called by the watchdog at the deadline: whatever is blocked on the socket fails."""
        self.was_cut_off = True
        if self.sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing is blocked on it
                self.sock.shutdown(socket.SHUT_RDWR)


outbox.register_channel("webhooks", deliver_due)
