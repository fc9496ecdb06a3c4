"""Sign-in limits hold across the workers of one host, as gunicorn runs them by default.

With Flask-Limiter's ``memory://`` store each worker counted on its own: behind five workers,
48 wrong passwords a minute got through a limit of ten. The default store
(``rate_limits.SQLiteFileStorage``) is shared by the host's workers.
"""

from collections import Counter

import pytest

from dryport.extensions import db
from tests.concurrency.conftest import start_server, stop_server, wait_until_up

LIMIT = 10
ATTEMPTS = 40


@pytest.fixture(scope="module")
def limited_server(app, tmp_path_factory):
    """Four workers, the default rate-limit store, one trusted proxy (so that a test can speak
    for many client addresses)."""
    with app.app_context():
        db.engine.dispose()
    server = start_server(
        str(app.config["SQLALCHEMY_DATABASE_URI"]),
        tmp_path_factory.mktemp("limits"),
        workers=4,
        env={
            "SIGN_IN_LIMIT": f"{LIMIT} per minute",
            "SIGN_IN_ACCOUNT_LIMIT": f"{LIMIT} per minute",
            "PROXY_COUNT": "1",
            "RATELIMIT_STORAGE_URI": "",  # the default, whatever the environment says
        },
    )
    wait_until_up(server)
    yield server
    stop_server(server)
    assert not server.errors, server.log.read_text()


def _statuses(server, attempts) -> Counter:
    calls = [
        ("POST", "/api/v1/tokens", {"email": email, "password": "wrong-password-1"},
         {"X-Forwarded-For": address})
        for email, address in attempts
    ]  # fmt: skip
    return Counter(reply.status for reply in server.many(calls, clients=8))


def test_one_address_gets_the_limit_across_all_workers(limited_server):
    """Wrong passwords for many accounts from one address: ten answered, the rest 429."""
    attempts = [(f"guess{i}@example.com", "198.51.100.7") for i in range(ATTEMPTS)]
    assert _statuses(limited_server, attempts) == {401: LIMIT, 429: ATTEMPTS - LIMIT}


def test_one_account_gets_the_limit_from_any_number_of_addresses(limited_server):
    """Wrong passwords for one account from forty addresses: ten answered, the rest 429."""
    attempts = [("victim@example.com", f"203.0.113.{i + 1}") for i in range(ATTEMPTS)]
    assert _statuses(limited_server, attempts) == {401: LIMIT, 429: ATTEMPTS - LIMIT}
