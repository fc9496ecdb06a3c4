"""The default rate-limit store: one SQLite file that every worker process of a host shares."""

import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from dryport.rate_limits import SQLiteFileStorage


def test_two_processes_count_together_in_one_file(tmp_path):
    uri = f"sqlitefile://{tmp_path / 'limits' / 'rate_limits.sqlite'}"
    first, second = storage_from_string(uri), storage_from_string(uri)  # as two workers
    assert isinstance(first, SQLiteFileStorage)
    limit = parse("3 per minute")
    hits = [FixedWindowRateLimiter(s).hit(limit, "sign-in", "192.0.2.1") for s in
            (first, second, first, second)]  # fmt: skip
    assert hits == [True, True, True, False]
    assert FixedWindowRateLimiter(second).hit(limit, "sign-in", "192.0.2.2")  # another key


def test_an_expired_window_starts_again(tmp_path):
    store = storage_from_string(f"sqlitefile://{tmp_path / 'rate_limits.sqlite'}")
    assert [store.incr("k", expiry=1) for _ in range(3)] == [1, 2, 3]
    assert store.get("k") == 3 and store.get_expiry("k") > time.time()
    time.sleep(1.1)
    assert store.get("k") == 0
    assert store.incr("k", expiry=60) == 1
    store.clear("k")
    assert store.get("k") == 0 and store.check()
