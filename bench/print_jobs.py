"""A departure's print job (the manifest, then every waybill as a copy): seconds and peak
Python memory (tracemalloc) for a departure of 100 confirmed bookings, against the same
waybills rendered into one in-memory PDF; and the manifest alone.

    .venv/bin/python -m bench.print_jobs                 # SQLite in a temporary folder
"""

import time
import tracemalloc

from bench.common import Figure, bench_app, database_url, fresh_schema, table
from bench.waybills import BOOKINGS, _load
from dryport.extensions import db
from dryport.services import manifest, print_jobs, waybills

MIB = 1024 * 1024


def _measured(work) -> tuple[float, float, object]:
    """Seconds that ``work()`` took, the peak MiB it allocated (a second run, traced:
    tracing slows it several times), and what it returned."""
    db.session.expire_all()
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    db.session.expire_all()
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    return seconds, peak, result


def _job(departure_id: int) -> int:
    with print_jobs.departure_job(db.session, departure_id) as job:
        return len(job.read())


def run(url: str | None = None, bookings: int = BOOKINGS) -> list[Figure]:
    app = bench_app(database_url(url))
    with app.app_context():
        fresh_schema()
        departure_id = _load(bookings)
        waybills.render_pdf(waybills.departure_waybills(db.session, departure_id)[:1])  # fonts
        manifest_s, _, _ = _measured(
            lambda: manifest.render_pdf(manifest.departure_manifest(db.session, departure_id))
        )
        job_s, job_peak, size = _measured(lambda: _job(departure_id))
        _, memory_peak, _ = _measured(
            lambda: waybills.render_pdf(waybills.departure_waybills(db.session, departure_id))
        )
        dialect = db.engine.dialect.name
        db.engine.dispose()
    name = f"print job of a {bookings}-booking departure"
    return [
        Figure(f"manifest of a {bookings}-booking departure", dialect, manifest_s, "s"),
        Figure(name, dialect, job_s, "s"),
        Figure(f"{name}, peak memory", dialect, job_peak, "MiB", memory_peak, "MiB"),
        Figure(f"{name}, PDF size", dialect, size / MIB, "MiB"),
    ]


def main() -> None:
    print(table(run()))


if __name__ == "__main__":
    main()
