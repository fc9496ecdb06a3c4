"""Rate-limit counts shared by every worker process of one host, and the per-account key.

Flask-Limiter's ``memory://`` store counts in each process: behind gunicorn's five workers a
limit of ten sign-ins a minute let about fifty through. The default store is therefore a small
SQLite file beside the application (``sqlitefile://<path>``), which every worker of the host
reads and writes atomically; it is independent of the application's database, so a database
outage does not take the limits with it. Several hosts share Redis instead
(``RATELIMIT_STORAGE_URI=redis://...``).
"""

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import request
from limits.storage import Storage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
)
"""
# One statement, so two workers never lose a hit: a window that has expired starts again.
_HIT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN excluded.count ELSE count + excluded.count END,
    expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END
RETURNING count
"""
_PURGE_EVERY = 500  # hits between removals of expired windows


class SQLiteFileStorage(Storage):
    """A ``limits`` store in one SQLite file (fixed windows): ``sqlitefile:///abs/path``."""

    STORAGE_SCHEME = ["sqlitefile"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path((uri or "").split("://", 1)[1])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._hits = 0
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection per call (autocommit): nothing is shared between threads or across
        gunicorn's fork."""
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield connection
        finally:
            connection.close()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        self._hits += 1
        with self._connect() as connection:
            if self._hits % _PURGE_EVERY == 0:
                connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            row = connection.execute(
                _HIT, {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
            ).fetchone()
        return row[0]

    def _row(self, key: str):
        with self._connect() as connection:
            return connection.execute(
                "SELECT count, expires_at FROM counters WHERE key = ? AND expires_at > ?",
                (key, time.time()),
            ).fetchone()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with self._connect() as connection:
                connection.execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._connect() as connection:
            return connection.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM counters WHERE key = ?", (key,))


def account_key() -> str:
    """The account a sign-in names (its email, normalised), whatever the client's address:
    guesses at one account spread over many addresses are counted together."""
    from dryport.services.accounts import normalise_email  # the models import the extensions

    data = request.form
    if not data:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # nesting deep enough to break the parser names no account
            data = None
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "getlist") else None
    email = normalise_email(email if isinstance(email, str) else "")
    digest = hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"account:{digest}"
