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


def test_the_account_key_is_the_normalised_email_whatever_the_body(app):
    """The key of the per-account count never fails on odd input (it runs before the body is
    validated) and names one account however its email is written."""
    from dryport.rate_limits import account_key

    def key(**request):
        with app.test_request_context("/api/v1/tokens", method="POST", **request):
            return account_key()

    same = key(json={"email": "li.na@example.com", "password": "x"})
    assert same == key(json={"email": "  LI.NA@example.com "})
    assert same == key(data={"email": "Li.Na@Example.com"})  # the sign-in page's form
    assert same != key(json={"email": "wang.min@example.com"})
    nobody = key(json={})
    odd = [
        key(json=["li.na@example.com"]),
        key(json={"email": 42}),
        key(data=b'{"email": "\\ud800"}', content_type="application/json"),
        key(data=b"[" * 5000 + b"]" * 5000, content_type="application/json"),
        key(data=b"{not json", content_type="application/json"),
    ]
    assert all(k.startswith("account:") for k in odd)
    assert odd[0] == odd[1] == odd[3] == odd[4] == nobody
