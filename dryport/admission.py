"""Admission: at most ``APP_CONCURRENCY`` requests of one process run the app at a time.

A gunicorn worker keeps many threads (``GUNICORN_THREADS``) so that slow clients, which
hold a thread while they trickle their request, leave others free (docs/DEPLOYMENT.md,
"Slow clients"). But the app's work is Python holding one lock (the GIL) per process: more
than a couple of requests running at once in one process do not finish sooner, they take
turns in 5 ms slices. A request holding a database lock (SQLite's write lock, a departure's
row) then waits for the GIL between its statements while the others run, and every request
behind that lock waits with it. Under 20 connections on two cores that made the booking
POST three times slower than with two threads per worker, and its p99 four times longer.

So a thread first reads the whole request, headers (gunicorn does, before the app is
called) and body (here, up to the largest body any view takes), and only then waits for
one of the process's slots. A slow client holds a thread, never a slot; a request holds a
slot only while the app computes its answer. The answer is sent after the slot is given
back, so a slow reader holds none either.

The slots are given in the order they were asked for (``Turns``). A semaphore's would not:
the request that gives a slot back, or one just read, takes it before the thread woken for
it gets the interpreter back, and the woken thread waits again at the back of the queue.
Under 20 connections some bookings lost their turn again and again: the wait for a slot had
a p99 of 227 ms against a mean of 40; in turns, 115 ms against 39 (docs/PERFORMANCE.md).
"""

import threading
from collections import deque
from io import BytesIO

from flask import Flask


class Turns:
    """``size`` places, given in the order they were asked for: a place given back goes to
    the longest waiting, never to whoever asks next. So a free place means nobody waits."""

    def __init__(self, size: int):
        self._free = size
        self._lock = threading.Lock()
        self._queue: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def __enter__(self):
        with self._lock:
            if self._free:
                self._free -= 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._queue.append(turn)
        turn.acquire()  # released by the holder that hands this thread its place
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().release()
            else:
                self._free += 1


class Admission:
    """WSGI middleware: reads the body, then runs ``wsgi_app`` in one of ``slots`` slots."""

    def __init__(self, wsgi_app, slots: int, body_limit: int):
        self.wsgi_app = wsgi_app
        self.size = slots
        self.slots = Turns(slots)
        self.body_limit = body_limit

    def __call__(self, environ, start_response):
        self._read_body(environ)
        with self.slots:
            return self.wsgi_app(environ, start_response)

    def _read_body(self, environ) -> None:
        """Read a body of a declared length the app may take into memory before a slot is
        taken. A longer one (refused as too large without being read) and one of no
        declared length are left to the app as they come."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return  # the app answers 400
        if not 0 < length <= self.body_limit:
            return
        stream = environ["wsgi.input"]
        chunks, left = [], length
        try:
            while left > 0:
                chunk = stream.read(min(left, 64 * 1024))
                if not chunk:
                    break  # the client went away
                chunks.append(chunk)
                left -= len(chunk)
        except OSError:
            pass  # as above
        environ["wsgi.input"] = BytesIO(b"".join(chunks))
        if left > 0:
            # Cut short. A server that ends the body itself (gunicorn) says so with
            # ``wsgi.input_terminated``, and the app then reads to the end of the stream,
            # whatever the declared length: a form cut short would be taken as sent, its
            # last fields missing. Without it, the app holds the stream to its declared
            # length and answers 400 when it ends before.
            environ.pop("wsgi.input_terminated", None)


def init_app(app: Flask) -> None:
    """Wrap the app in ``Admission`` with ``APP_CONCURRENCY`` slots (0: no limit). Called
    once the views are registered: the largest body read up front is the largest any of
    them takes (``hygiene.upload_limit``), at least ``MAX_CONTENT_LENGTH``."""
    slots = int(app.config.get("APP_CONCURRENCY") or 0)
    if slots <= 0:
        return
    limits = [app.config.get("MAX_CONTENT_LENGTH") or 0]
    limits += [getattr(view, "max_content_length", 0) or 0 for view in app.view_functions.values()]
    app.wsgi_app = Admission(app.wsgi_app, slots, max(limits))
