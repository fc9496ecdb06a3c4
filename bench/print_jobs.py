"""A departure's print job (the manifest, then every waybill as a copy, streamed to a
temporary file): seconds and peak Python memory (tracemalloc) for departures of 20 and of 100
confirmed bookings of every detail (``bench.waybills``), the peak's growth per booking
between the two, against the same waybills rendered into one in-memory PDF; and the
manifest alone.

    .venv/bin/python -m bench.print_jobs                 # SQLite in a temporary folder
"""

import time
import tracemalloc

from bench.common import Figure, Goal, bench_app, database_url, fresh_schema, table
from bench.waybills import BOOKINGS, _book, _departure, _people
from dryport.extensions import db
from dryport.services import manifest, print_jobs, waybills

MIB = 1024 * 1024
KIB = 1024
MANIFEST_GOAL = Goal(2)  # s, 100 bookings
#: The job's peak may grow with the departure by what the canvas keeps of each page (its
#: compressed stream), not by the documents: KiB per booking between 20 and 100 bookings.
GROWTH_GOAL = Goal(100)


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


def _in_memory(departure_id: int) -> bytes:
    return waybills.render_pdf(waybills.departure_waybills(db.session, departure_id))


def run(url: str | None = None, bookings: int = BOOKINGS) -> list[Figure]:
    """The manifest, the print job and its peak memory at ``bookings`` and at a fifth of
    them; the goals apply at full size (``BOOKINGS``)."""
    small = max(1, bookings // 5)
    full = bookings >= BOOKINGS
    app = bench_app(database_url(url))
    with app.app_context():
        fresh_schema()
        shipper, clerk = _people()
        departures = {}
        for days, count in enumerate((small, bookings), 10):
            departures[count] = _departure("XAEU", f"P{days}", days)
            _book(shipper, clerk, "XAEU", departures[count], count, 1000 * days)
        big = departures[bookings]
        _in_memory(departures[small])  # fonts are registered once per process
        manifest_s, _, _ = _measured(
            lambda: manifest.render_pdf(manifest.departure_manifest(db.session, big))
        )
        peaks = {}
        for count, departure_id in departures.items():
            job_s, peaks[count], size = _measured(lambda d=departure_id: _job(d))
        _, memory_peak, _ = _measured(lambda: _in_memory(big))
        dialect = db.engine.dialect.name
        db.engine.dispose()
    name = f"print job of a {bookings}-booking departure"
    growth = (peaks[bookings] - peaks[small]) * MIB / KIB / max(1, bookings - small)
    return [
        Figure(f"manifest of a {bookings}-booking departure", dialect, manifest_s, "s",
               goal=MANIFEST_GOAL if full else None),
        Figure(name, dialect, job_s, "s"),
        Figure(f"{name}, peak memory", dialect, peaks[bookings], "MiB", memory_peak, "MiB"),
        Figure(f"print job of a {small}-booking departure, peak memory", dialect, peaks[small],
               "MiB"),
        Figure(f"print job peak growth per booking, {small} to {bookings}", dialect, growth,
               "KiB", goal=GROWTH_GOAL if full else None),
        Figure(f"{name}, PDF size", dialect, size / MIB, "MiB"),
    ]  # fmt: skip


def main() -> None:
    print(table(run()))


if __name__ == "__main__":
    main()
