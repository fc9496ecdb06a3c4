"""Where the time of one ``POST /api/v1/bookings`` goes: pyinstrument over bookings placed
one after another through the test client (no server, no concurrency).

    .venv/bin/python -m bench.profile_booking                  # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench \
        .venv/bin/python -m bench.profile_booking

Needs the ``bench`` extra (pyinstrument).
"""

import time

from pyinstrument import Profiler
from sqlalchemy import event

from bench.common import bench_app, database_url, fresh_schema
from bench.throughput import _prepare
from dryport.extensions import db

BOOKINGS = 300


def main() -> None:
    app = bench_app(database_url(), WTF_CSRF_ENABLED=False)
    with app.app_context():
        fresh_schema()
        body, token = _prepare()
        queries = 0

        def count(*args, **kwargs):
            nonlocal queries
            queries += 1

        event.listen(db.engine, "before_cursor_execute", count)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(20):  # warm up
        client.post("/api/v1/bookings", data=body, headers=headers)
    queries = 0
    profiler = Profiler(interval=0.0005)
    start = time.perf_counter()
    with profiler:
        for _ in range(BOOKINGS):
            response = client.post("/api/v1/bookings", data=body, headers=headers)
            if response.status_code != 201:
                raise RuntimeError(response.get_data(as_text=True))
    seconds = time.perf_counter() - start
    print(profiler.output_text(unicode=True, show_all=False))
    print(
        f"{BOOKINGS} bookings: {seconds / BOOKINGS * 1000:.1f} ms each, "
        f"{queries / BOOKINGS:.1f} queries each"
    )


if __name__ == "__main__":
    main()
