"""Slow clients (slowloris: a request sent a few bytes at a time) against a server on
127.0.0.1, and how long ordinary requests take meanwhile. Bounded in count and time."""

import socket
import threading
import time
import urllib.request

#: What a slow client sends at once, by what it trickles: its headers (the header that never
#: ends), or its body (complete headers of a JSON POST, the body a byte at a time: the app
#: reads such a body as it comes, in its request hooks).
OPENINGS = {
    "headers": b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    "body": (
        b"POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"
    ),
}


def _slow_client(port: int, seconds: float, stop: threading.Event, trickles: str) -> None:
    """Open a request and send one more byte of it now and then, until ``stop`` or
    ``seconds``."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(OPENINGS[trickles])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.wait(1.0):
            try:
                sock.sendall(b"X" if trickles == "headers" else b" ")
            except OSError:
                return  # the server gave up on it: fine


def durations_among_slow_clients(
    base: str, *, clients: int, seconds: float, timeout: float, trickles: str = "headers"
) -> list[float]:
    """While ``clients`` slow clients trickle their requests (``trickles``: their headers or
    their body) to ``base`` for ``seconds``,
    send ordinary requests to its health check one after another and return how long each
    took (``inf`` for one that failed or took over ``timeout``)."""
    port = int(base.rsplit(":", 1)[1])
    stop = threading.Event()
    slow = [
        threading.Thread(target=_slow_client, args=(port, seconds, stop, trickles))
        for _ in range(clients)
    ]
    for thread in slow:
        thread.start()
    time.sleep(2)  # the slow clients hold their connections now
    durations = []
    try:
        end = time.monotonic() + seconds - 4
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=timeout) as r:  # noqa: S310 - loopback
                    assert r.status == 200
                durations.append(time.monotonic() - started)
            except OSError:
                durations.append(float("inf"))
    finally:
        stop.set()
        for thread in slow:
            thread.join()
    return durations
