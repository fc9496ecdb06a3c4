"""The client's address behind reverse proxies: ``X-Forwarded-For`` counts only when
``PROXY_COUNT`` says how many proxies stand in front, and then only that many hops back."""

from flask import request
from sqlalchemy import select

from dryport.models import AuditEntry

PROXY = {"REMOTE_ADDR": "10.20.0.5"}  # the proxy's own address, as the socket shows it


def _whoami(app):
    """The app with a route that shows what it believes about the client."""
    app.add_url_rule(
        "/_whoami", "whoami", lambda: {"address": request.remote_addr, "scheme": request.scheme}
    )
    return app.test_client()


def test_forwarded_headers_are_ignored_by_default(make_app):
    client = _whoami(make_app())
    seen = client.get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base=PROXY,
    ).get_json()
    assert seen == {"address": "10.20.0.5", "scheme": "http"}


def test_behind_one_proxy_its_forwarded_address_and_scheme_count(make_app):
    client = _whoami(make_app(PROXY_COUNT=1))
    seen = client.get(
        "/_whoami",
        # The client wrote the first address itself; the proxy appended the real one.
        headers={"X-Forwarded-For": "198.51.100.66, 203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base=PROXY,
    ).get_json()
    assert seen == {"address": "203.0.113.7", "scheme": "https"}


def test_the_security_log_notes_the_forwarded_address_only_when_configured(make_app, db_session):
    wrong = {"email": "nobody@example.com", "password": "wrong-password-1"}
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    for proxies in (0, 1):
        client = make_app(PROXY_COUNT=proxies).test_client()
        reply = client.post("/api/v1/tokens", json=wrong, headers=forwarded, environ_base=PROXY)
        assert reply.status_code == 401
    db_session.expire_all()
    addresses = [
        entry.changes["address"][1]
        for entry in db_session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign_in_failed").order_by(AuditEntry.id)
        )
    ]
    assert addresses == ["10.20.0.5", "203.0.113.7"]


def test_rate_limits_count_per_forwarded_client_only_behind_a_proxy(make_app, monkeypatch):
    from dryport.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    wrong = {"email": "nobody@example.com", "password": "wrong-password-1"}

    def attempts(app, addresses):
        client = app.test_client()
        return [
            client.post(
                "/api/v1/tokens", json=wrong, headers={"X-Forwarded-For": a}, environ_base=PROXY
            ).status_code
            for a in addresses
        ]

    direct = make_app(RATELIMIT_ENABLED=True, SIGN_IN_LIMIT="2 per minute")
    # Without a proxy configured, a client cannot dodge the limit by inventing addresses.
    assert attempts(direct, ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) == [401, 401, 429]
    proxied = make_app(RATELIMIT_ENABLED=True, SIGN_IN_LIMIT="2 per minute", PROXY_COUNT=1)
    # Behind the proxy, each client has its own count.
    assert attempts(proxied, ["192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.9"]) == [
        401, 401, 429, 401,
    ]  # fmt: skip
