"""Admission (``dryport.admission``): a process runs at most ``APP_CONCURRENCY`` requests at
once, each only once its body is in (``tests/concurrency/test_slow_clients.py``: the same
through gunicorn, with slow clients)."""

import threading
import time
from io import BytesIO

from werkzeug.test import EnvironBuilder

from dryport import create_app
from dryport.admission import Admission, Turns
from tests.conftest import TestingConfig


class _Counting:
    """A WSGI app that notes how many of its calls run at once, and what body each read."""

    def __init__(self, pause: float = 0.05):
        self.pause, self.running, self.most, self.bodies = pause, 0, 0, []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.bodies.append(environ["wsgi.input"].read(length) if length else b"")
        time.sleep(self.pause)
        with self.lock:
            self.running -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def _environ(body: bytes = b"", stream=None, length: int | None = None) -> dict:
    environ = EnvironBuilder(method="POST", data=body).get_environ()
    if stream is not None:
        environ["wsgi.input"] = stream
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    return environ


def _call(app, environ) -> list[bytes]:
    return list(app(environ, lambda status, headers: None))


def test_no_more_than_the_slots_run_at_once():
    inner = _Counting()
    admitted = Admission(inner, slots=2, body_limit=1024)
    threads = [
        threading.Thread(target=_call, args=(admitted, _environ(b"x" * n))) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inner.most == 2
    assert sorted(inner.bodies) == [b"x" * n for n in range(8)]


def _waiters(slots) -> int:
    """How many threads wait for a place of ``slots``: ours, or a semaphore's (the control)."""
    return slots.waiting if isinstance(slots, Turns) else len(slots._cond._waiters)


def _until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_places_are_given_in_the_order_they_were_asked_for():
    turns, entered = Turns(1), []

    def request(n):
        with turns:
            entered.append(n)

    threads = []
    with turns:  # the one place is taken: the six queue, one after the other
        for n in range(6):
            threads.append(threading.Thread(target=request, args=(n,)))
            threads[-1].start()
            _until(lambda n=n: turns.waiting == n + 1)
    for thread in threads:
        thread.join(10)
    assert entered == list(range(6))
    assert turns.waiting == 0
    with turns:  # the place came back once the last was done
        pass


def _gives_back_and_asks_again(slots) -> list[str]:
    """The main thread holds the one place while another thread waits for it; then it gives
    the place back and at once asks for it again, as a worker's next request would. Who
    got the place first?"""
    order = []

    def waiter():
        with slots:
            order.append("waiting")

    slots.__enter__()
    thread = threading.Thread(target=waiter)
    thread.start()
    _until(lambda: _waiters(slots) == 1)
    slots.__exit__(None, None, None)
    with slots:
        order.append("came back")
    thread.join(10)
    return order


def test_a_place_given_back_goes_to_the_one_waiting_not_to_the_next_to_ask():
    for _ in range(5):
        assert _gives_back_and_asks_again(Turns(1)) == ["waiting", "came back"]


def test_the_control_a_semaphore_lets_the_next_to_ask_take_the_place_first():
    """What ``Turns`` replaced: a semaphore wakes the waiting thread, but the thread that gave
    the place back still runs, asks again and takes it, and the woken one waits again. The
    check above must be able to tell the two apart."""
    orders = [_gives_back_and_asks_again(threading.BoundedSemaphore(1)) for _ in range(5)]
    assert ["came back", "waiting"] in orders


class _Trickle(BytesIO):
    """A body whose reading stalls until ``go`` is set, as a slow client's does."""

    def __init__(self, data: bytes, go: threading.Event):
        super().__init__(data)
        self.go, self.reading = go, threading.Event()

    def read(self, size=-1):
        self.reading.set()
        assert self.go.wait(10)
        return super().read(size)


def test_a_body_still_coming_holds_no_slot():
    inner = _Counting(pause=0)
    admitted = Admission(inner, slots=1, body_limit=1024)
    go = threading.Event()
    slow = _Trickle(b'{"slow": true}', go)
    waiting = threading.Thread(target=_call, args=(admitted, _environ(stream=slow, length=14)))
    waiting.start()
    try:
        assert slow.reading.wait(10)
        # The only slot is free while the slow body comes in: another request runs now.
        done = threading.Thread(target=_call, args=(admitted, _environ(b"quick")))
        done.start()
        done.join(5)
        assert not done.is_alive()
        assert inner.bodies == [b"quick"]
    finally:
        go.set()
        waiting.join(10)
    assert inner.bodies == [b"quick", b'{"slow": true}']


def test_a_body_over_the_limit_is_left_for_the_app_to_refuse():
    stream = BytesIO(b"y" * 2048)
    environ = _environ(stream=stream, length=2048)
    inner = _Counting(pause=0)
    _call(Admission(inner, slots=1, body_limit=1024), environ)
    assert environ["wsgi.input"] is stream  # not read up front


def test_a_body_cut_short_is_a_400_from_the_app(app):
    """The client declared more than it sent, then went away: the app finds the body short,
    as it would without admission, and changes nothing."""
    environ = _environ(stream=BytesIO(b'{"departure_id": '), length=400)
    environ["CONTENT_TYPE"] = "application/json"
    environ["PATH_INFO"] = "/api/v1/bookings"
    statuses = []
    app.wsgi_app(environ, lambda status, headers: statuses.append(status))
    assert statuses and statuses[0].startswith("400")


def test_a_body_cut_short_is_a_400_even_where_what_came_would_parse(app):
    """gunicorn ends a body itself (``wsgi.input_terminated``): a body whose client went away
    before its end must not reach the view as if it were whole, even when what came is
    valid on its own (here a whole JSON object, its trailing spaces missing)."""
    sent = b'{"email": "nobody@example.com", "password": "not-the-password"}' + b" " * 40
    environ = _environ(stream=BytesIO(sent[:-40]), length=len(sent))
    environ.update(
        CONTENT_TYPE="application/json",
        PATH_INFO="/api/v1/tokens",
        **{"wsgi.input_terminated": True},
    )
    statuses = []
    app.wsgi_app(environ, lambda status, headers: statuses.append(status))
    assert statuses and statuses[0].startswith("400"), statuses  # not 401: never read


def test_the_app_reads_bodies_up_to_its_largest_upload_first(app):
    assert isinstance(app.wsgi_app, Admission)
    assert app.wsgi_app.size == app.config["APP_CONCURRENCY"] == 2
    uploads = [getattr(view, "max_content_length", 0) or 0 for view in app.view_functions.values()]
    assert app.wsgi_app.body_limit == max(uploads) > app.config["MAX_CONTENT_LENGTH"]


def test_no_admission_when_switched_off():
    class Unlimited(TestingConfig):
        APP_CONCURRENCY = 0
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert not isinstance(create_app(Unlimited).wsgi_app, Admission)
