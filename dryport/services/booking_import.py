"""Bulk booking upload (DESIGN §15): many bookings from one XLSX or CSV file, each under the
rules of a single booking, all of them or none.

Every row is loaded by the booking schema and placed by ``bookings.place_booking`` — the
same cut-off, capacity, quota, destination, weight and dangerous-goods rules as
``POST /bookings`` — each in a savepoint of its own, so that one refused row is undone alone
and the next rows are still judged. The rows are placed one after another in one
transaction, so rows of one file that compete for a departure are counted together: the
tenth row that no longer fits is refused, as it would be after the first nine were booked.
The whole file runs inside a savepoint that is rolled back after a dry run, or when any row
was refused: a dry run writes nothing, a real run creates every row or none.

The departures the file names are locked first, in id order (``bookings.lock_departures``),
as every change of several departures locks them, so that two uploads never wait for each
other's rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dryport.models import Departure, DepartureStatus, Role, Route, Station, User
from dryport.schemas.messages import flatten_errors, localize, localize_errors
from dryport.services import bookings
from dryport.services.access import require_role
from dryport.services.booking_files import read_rows
from dryport.services.clock import utcnow
from dryport.services.errors import DomainError


@dataclass
class RowResult:
    row: int
    ok: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    reference: str | None = None
    teu: object = None


@dataclass
class ImportResult:
    rows: list[RowResult]
    created: int
    dry_run: bool

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def refused(self) -> int:
        return sum(not row.ok for row in self.rows)


def import_bookings(
    session: Session, user: User, data: bytes, dry_run: bool, load: Callable[[dict], dict]
) -> ImportResult:
    """Book every row of the uploaded file (``data``, XLSX or CSV, ``booking_files``) for
    the shipper's company; ``load`` is the booking schema's load (it raises
    ``ValidationError``).

    Each row is judged as ``POST /bookings`` judges a booking, after the rows above it were
    placed. A dry run (``dry_run``), or a run with any row refused, writes nothing; otherwise
    every row is booked. The answer lists each row: ``ok``, its ``errors`` by field (the
    field's column; ``_schema`` for the row as a whole), and the booking's ``reference`` once
    created.

    Raises ``Forbidden`` for anyone but a shipper, ``TooLarge`` and ``Invalid`` (on ``file``)
    for a file that cannot be read as ``booking_files.read_rows`` says.
    """
    require_role(user, Role.SHIPPER)
    rows = read_rows(data, current_app.config["IMPORT_MAX_ROWS"])
    results: list[RowResult] = []
    loaded = []
    for row in rows:
        result = RowResult(row.number, False, flatten_errors(localize_errors(row.problems)))
        results.append(result)
        try:
            body = load(row.body)
        except ValidationError as error:
            for name, messages in flatten_errors(localize_errors(error.messages)).items():
                result.errors.setdefault(name, messages)  # a formula's cell: its own message
            continue
        if not result.errors:
            loaded.append((result, body))
    bookings.lock_departures(session, {body["departure_id"] for _, body in loaded})
    whole = session.begin_nested()
    placed = []
    for result, body in loaded:
        one = session.begin_nested()
        try:
            booking = bookings.place_booking(session, user, body)  # judged at its own time
        except DomainError as error:
            one.rollback()
            # What a refused row held is undone in the database; its departure, read before,
            # is read again by the next row that asks for it.
            session.expire_all()
            result.errors = _errors(error)
            continue
        one.commit()
        result.ok, result.teu = True, booking.teu
        placed.append((result, booking))
    if dry_run or any(not result.ok for result in results):
        whole.rollback()
        session.expire_all()
        return ImportResult(results, 0, dry_run)
    whole.commit()
    for result, booking in placed:
        result.reference = booking.reference
    return ImportResult(results, len(placed), dry_run)


def _errors(error: DomainError) -> dict[str, list[str]]:
    errors = flatten_errors(localize_errors(error.errors)) if error.errors else {}
    message = localize(error.message)
    if message != localize(error.title) or not errors:
        errors.setdefault("_schema", []).insert(0, message)
    return errors


def example_row(session: Session) -> dict | None:
    """Values of a booking that could be made now, for the template's example row: the
    first scheduled departure whose cut-off is at least two days away and with room for a
    20 ft box, from Hanbin (or the hub) to its route's first destination; ``None`` when
    there is none."""
    origin = session.scalar(
        select(Station).where(Station.active, Station.code.in_(("HB", "HK"))).order_by(Station.code)
    )
    departure = session.scalar(
        select(Departure)
        .where(
            Departure.status == DepartureStatus.SCHEDULED,
            Departure.cutoff_at > utcnow() + timedelta(days=2),
            Departure.held_teu + Departure.reserved_teu + 1 <= Departure.capacity_teu,
        )
        .join(Departure.route)
        .where(Route.destinations.any())
        .options(selectinload(Departure.route).selectinload(Route.destinations))
        .order_by(Departure.departs_at, Departure.id)
        .limit(1)
    )
    if origin is None or departure is None:
        return None
    return {
        "departure_id": departure.id,
        "origin_station": origin.code,
        "destination": departure.route.destinations[0].code,
        "consignee.name": "Duisburg Intermodal GmbH",
        "consignee.address": "Hafenstraße 1, 47119 Duisburg",
        "cargo.description": "Selenium-rich green tea 富硒绿茶",
        "cargo.hs_code": "090210",
        "cargo.packages.count": 800,
        "cargo.packages.kind": "CT",
        "cargo.packages.marks": "HK/DUI 1-800",
        "cargo.gross_weight_kg": 18500,
        "containers.0.size_type": "22G1",
        "containers.0.quantity": 1,
        "payment_term": "PRE",
    }
