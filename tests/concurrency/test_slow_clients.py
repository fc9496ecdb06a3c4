"""Slow clients (slowloris: a request sent a few bytes at a time) reaching gunicorn straight,
with its production settings: the other requests keep being served, promptly.

Bounded: a handful of slow clients on 127.0.0.1 for ``SLOW_FOR`` seconds, while one client
sends ordinary requests one after another."""

import socket
import threading
import time
import urllib.request

import pytest

from dryport.extensions import db
from tests.concurrency.conftest import start_server, stop_server, wait_until_up

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


def _slow_client(port: int, stop: threading.Event) -> None:
    """Open a request and send its headers a byte now and then, until ``stop`` or
    ``SLOW_FOR`` seconds."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        deadline = time.monotonic() + SLOW_FOR
        while time.monotonic() < deadline and not stop.wait(1.0):
            try:
                sock.sendall(b"X")  # one more byte of a header that never ends
            except OSError:
                return  # the server gave up on it: fine


def test_a_handful_of_slow_clients_do_not_stall_the_others(server):
    port = int(server.base.rsplit(":", 1)[1])
    stop = threading.Event()
    slow = [threading.Thread(target=_slow_client, args=(port, stop)) for _ in range(SLOW_CLIENTS)]
    for thread in slow:
        thread.start()
    time.sleep(2)  # the slow clients hold their connections now
    durations = []
    try:
        end = time.monotonic() + SLOW_FOR - 4
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(server.base + "/healthz", timeout=PROMPT * 2) as r:  # noqa: S310 - loopback
                    assert r.status == 200
                durations.append(time.monotonic() - started)
            except OSError:
                durations.append(float("inf"))
    finally:
        stop.set()
        for thread in slow:
            thread.join()
    late = [round(d, 2) for d in durations if d > PROMPT]
    assert len(durations) >= 5 and not late, f"{len(late)} of {len(durations)} late: {late}"
