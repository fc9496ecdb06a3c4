"""Slow clients reaching gunicorn straight, with its production settings: the other requests
keep being served, promptly (``tests/deployment/test_proxy.py``: many more, behind the proxy).

Bounded: a handful of slow clients on 127.0.0.1 for ``SLOW_FOR`` seconds, while one client
sends ordinary requests one after another."""

import pytest

from dryport.extensions import db
from tests.concurrency.conftest import start_server, stop_server, wait_until_up
from tests.concurrency.slow_clients import durations_among_slow_clients

WORKERS = 2  # a small server: the production threads per worker are what is tested
SLOW_CLIENTS = 6
SLOW_FOR = 12.0  # seconds each slow client takes over its request
PROMPT = 2.0  # seconds an ordinary request may take while they do


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    with app.app_context():
        db.engine.dispose()
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    server = start_server(url, tmp_path_factory.mktemp("server"), workers=WORKERS, threads=None)
    wait_until_up(server)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.mark.parametrize("trickles", ["headers", "body"])
def test_a_handful_of_slow_clients_do_not_stall_the_others(server, trickles):
    """Trickling a body, too: a request waits for one of its process's few slots to run the
    app (``dryport.admission``) only once its whole body is in. Taken before, the six slow
    bodies held every slot of both workers (two each) and nothing else was answered."""
    durations = durations_among_slow_clients(
        server.base, clients=SLOW_CLIENTS, seconds=SLOW_FOR, timeout=PROMPT * 2,
        trickles=trickles,
    )  # fmt: skip
    late = [round(d, 2) for d in durations if d > PROMPT]
    assert len(durations) >= 5 and not late, f"{len(late)} of {len(durations)} late: {late}"
