"""The outbox shared by webhooks and mail: what a transaction has to tell the outside world
is written as delivery rows by that transaction's own commit, and sent afterwards, outside
any transaction.

- Booking events are noted in the session (``note_event``); just before the commit each
  channel (``register_writer``: webhooks, mail) writes its rows for them, so an event is
  delivered exactly when its change is committed and never when it is rolled back.
- A commit that wrote rows wakes the ``Dispatcher`` thread of the app process; the
  ``flask dryport webhooks|mail --loop`` workers poll as well.
- A worker takes a due row by compare-and-set on its due time (``claim``), which moves the
  row a lease ahead: any number of processes share the work, none sends a row twice at the
  same time, and a row whose worker died comes due again when its lease runs out.
- A failed attempt is retried with exponential back-off (``finish``) up to a number of
  attempts; then the row is FAILED.

The rows of every channel have the columns ``status``, ``attempts``, ``next_attempt_at``,
``last_attempt_at``, ``last_error`` and ``delivered_at``.
"""

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from dryport.models import BookingEvent, DeliveryStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed row is left alone this long by other workers

_NOTED = "outbox.noted_events"
_WRITTEN = "outbox.written"

#: Called before each commit with the session and the booking events it noted.
_writers: list[Callable[[Session, list[BookingEvent]], None]] = []
#: Send what is due; return counts (nothing sent when all are zero).
_channels: dict[str, Callable[[Session], dict]] = {}


def register_writer(writer: Callable[[Session, list[BookingEvent]], None]) -> None:
    if writer not in _writers:
        _writers.append(writer)


def register_channel(name: str, deliver_due: Callable[[Session], dict]) -> None:
    _channels[name] = deliver_due


# ---- writing, in the transaction ---------------------------------------------------------


def note_event(session: Session, booking_event: BookingEvent) -> None:
    """Remember a timeline event; the session's commit writes its deliveries."""
    session.info.setdefault(_NOTED, []).append(booking_event)


def mark_written(session: Session) -> None:
    """Rows are due: the commit wakes the dispatcher."""
    session.info[_WRITTEN] = True


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the real commit comes later
        return
    noted = session.info.pop(_NOTED, None)
    if not noted:
        return
    noted = [e for e in noted if e in session]  # not those of a rolled-back savepoint
    if not noted:
        return
    for writer in _writers:
        writer(session, noted)


@event.listens_for(Session, "after_commit")
def _wake_dispatcher(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.pop(_WRITTEN, False) and has_app_context():
        dispatcher = current_app.extensions.get("dryport_outbox")
        if dispatcher is not None:
            dispatcher.wake()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if session.in_nested_transaction():  # only the savepoint's work is undone
        return
    session.info.pop(_NOTED, None)
    session.info.pop(_WRITTEN, None)


# ---- taking and finishing rows, outside the transaction -----------------------------------


def retry_delay(attempts: int, base: float, cap: float) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling from ``base`` up to
    ``cap`` seconds, give or take a tenth so that failed receivers are not hit all at once."""
    seconds = min(base * 2 ** (attempts - 1), cap)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311 - jitter only


def fail_exhausted(session: Session, model, now: datetime, max_attempts: int) -> None:
    """Rows whose last attempt was lost with its worker and which have no attempts left
    are failed (committed)."""
    session.execute(
        update(model)
        .where(
            model.status == DeliveryStatus.PENDING,
            model.attempts >= max_attempts,
            model.next_attempt_at <= now,
        )
        .values(status=DeliveryStatus.FAILED)
    )
    session.commit()


def claim(
    session: Session, model, row_id: int, due_at: datetime, now: datetime, max_attempts: int
) -> int | None:
    """Take a due row for one attempt, unless another worker took it since it was read:
    compare-and-set on its due time, which a claim moves a lease ahead. Returns the number
    of this attempt, or None (committed)."""
    attempts = session.execute(
        update(model)
        .where(
            model.id == row_id,
            model.status == DeliveryStatus.PENDING,
            model.next_attempt_at == due_at,
            model.attempts < max_attempts,
        )
        .values(next_attempt_at=now + LEASE, attempts=model.attempts + 1, last_attempt_at=now)
        .returning(model.attempts)
    ).scalar()
    session.commit()
    return attempts


def finish(
    session: Session,
    model,
    row_id: int,
    attempts: int,
    error: str | None,
    finished: datetime,
    *,
    max_attempts: int,
    retry_base: float,
    retry_cap: float,
    retry: bool = True,
    **values,
) -> str:
    """Record the outcome of an attempt (``error`` None: it succeeded): ``delivered``,
    ``retrying`` (due again after ``retry_delay``) or ``failed`` (no attempts left, or an
    error no retry mends: ``retry`` False)."""
    if error is None:
        values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": finished,
                   "last_error": None}  # fmt: skip
        result = "delivered"
    elif attempts >= max_attempts or not retry:
        values |= {"status": DeliveryStatus.FAILED}
        result = "failed"
    else:
        values |= {"next_attempt_at": finished + retry_delay(attempts, retry_base, retry_cap)}
        result = "retrying"
    if error is not None:
        values["last_error"] = error[:300]
    # One UPDATE, the first statement of its transaction: no read to upgrade on SQLite.
    session.execute(update(model).where(model.id == row_id).values(**values))
    session.commit()
    return result


def deliver_all(session: Session) -> dict:
    """One round of every channel; the counts of each."""
    return {name: deliver_due(session) for name, deliver_due in _channels.items()}


# ---- the in-process dispatcher -----------------------------------------------------------


class Dispatcher:
    """A daemon thread per app process: woken by a commit that wrote deliveries, and every
    ``WEBHOOK_POLL_SECONDS`` for the retries that come due (and the mail digest's hour)."""

    def __init__(self, app):
        self.app = app
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.every_round: list[Callable[[Session], object]] = []

    def start(self) -> None:
        """Start the thread unless it runs (called on every request: no lock once it does)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="dryport-outbox", daemon=True
                )
                self._thread.start()

    def wake(self) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        """Let the thread finish what it is sending, then end (tests; a process at exit
        simply leaves the daemon thread)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        from dryport.extensions import db

        poll = self.app.config["WEBHOOK_POLL_SECONDS"]
        while not self._stopping:
            self._wake.wait(timeout=poll)
            self._wake.clear()
            if self._stopping:
                return
            with self.app.app_context():
                try:
                    for task in self.every_round:
                        task(db.session)
                    while any(any(c.values()) for c in deliver_all(db.session).values()):
                        pass
                except Exception:  # the thread must outlive a bad moment of the database
                    log.exception("outbox delivery failed")
                finally:
                    db.session.remove()


def init_app(app) -> None:
    if app.config["WEBHOOKS_IN_PROCESS"]:
        dispatcher = Dispatcher(app)
        app.extensions["dryport_outbox"] = dispatcher

        # Retries come due even when nothing new is committed: the thread starts with the
        # process's first request, or with the first commit that writes a delivery (not at
        # import).
        app.before_request(dispatcher.start)
