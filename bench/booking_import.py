"""Bulk booking upload: seconds to check (dry run) and to book a file of 500 bookings, as
XLSX and as CSV, through the service the API and the page call.

    .venv/bin/python -m bench.booking_import              # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://root@localhost/bench \
        .venv/bin/python -m bench.booking_import
"""

import csv
import io

from bench.common import (
    PASSWORD,
    Figure,
    Goal,
    bench_app,
    database_url,
    fresh_schema,
    median_seconds,
    open_departure,
    table,
)
from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.bookings import BookingCreateSchema
from dryport.services import accounts, booking_files, booking_import
from dryport.services.reference_data import seed_reference_data

ROWS = 500
GOAL = Goal(10)  # seconds for a file of 500 rows: "in seconds"


def _file(departure_ids: list[int], rows: int) -> list[list]:
    keys = [column.key for column in booking_files.COLUMNS]
    example = {
        "origin_station": "HB", "destination": "DEDUI",
        "consignee.name": "Duisburg Intermodal GmbH", "consignee.address": "Duisburg, DE",
        "cargo.description": "富硒绿茶 Selenium-rich green tea", "cargo.hs_code": "090210",
        "cargo.packages.count": "720", "cargo.packages.kind": "BG",
        "cargo.gross_weight_kg": "18000", "containers.0.size_type": "22G1",
        "containers.0.quantity": "1",
    }  # fmt: skip
    body = [
        [str({**example, "departure_id": departure_ids[n % len(departure_ids)]}.get(k, ""))
         for k in keys]
        for n in range(rows)
    ]  # fmt: skip
    return [[c.heading for c in booking_files.COLUMNS], *body]


def _csv(table_rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table_rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(table_rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for line in table_rows:
        book.active.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(url: str | None = None, rows: int = ROWS) -> list[Figure]:
    """Median seconds of three dry runs of a ``rows``-row file (XLSX, CSV) spread over five
    departures, and of one real run that books it."""
    app = bench_app(database_url(url))
    with app.app_context():
        fresh_schema()
        seed_reference_data(db.session)
        company = accounts.get_or_create_company(db.session, "Bench Tea", "91110000600037341L")
        shipper = accounts.create_user(
            db.session, role=Role.SHIPPER, email="s@bench.example", password=PASSWORD,
            company=company,
        )  # fmt: skip
        departures = [open_departure("XAEU", f"X81{n}", days=10 + n, capacity_teu=rows)
                      for n in range(5)]  # fmt: skip
        db.session.commit()
        ids = [d.id for d in departures]
        table_rows = _file(ids, rows)
        files = {"XLSX": _xlsx(table_rows), "CSV": _csv(table_rows)}
        load = BookingCreateSchema().load

        def dry(data):
            result = booking_import.import_bookings(db.session, shipper, data, True, load)
            assert result.ok, result.rows[:3]
            db.session.rollback()

        figures = {kind: median_seconds(lambda d=data: dry(d), 3) for kind, data in files.items()}

        def real():
            result = booking_import.import_bookings(db.session, shipper, files["CSV"], False, load)
            assert result.created == rows
            db.session.commit()

        booked = median_seconds(real, 1)
        dialect = db.engine.dialect.name
        db.engine.dispose()
    return [
        *(Figure(f"dry run, {rows} rows, {kind}", dialect, s, "s", goal=GOAL)
          for kind, s in figures.items()),
        Figure(f"booking {rows} rows, CSV", dialect, booked, "s", goal=GOAL),
    ]  # fmt: skip


def main() -> None:
    print(table(run()))


if __name__ == "__main__":
    main()
