"""The clerk's load check at the origin station: the queue, confirming a load with its
containers, and rejecting one.

A load is confirmed with one container per requested unit, each with a valid ISO 6346 number
of a requested size-type, a seal, and a verified gross mass (SOLAS VI/2) within the
container's maximum. A container number is on at most one live booking (the database's
partial unique index has the last word).
"""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from dryport.labels import label
from dryport.models import (
    Booking,
    BookingStatus,
    Container,
    Departure,
    DepartureStatus,
    EventType,
    Role,
    User,
    VgmMethod,
)
from dryport.services import capacity, waybills
from dryport.services.access import require_role
from dryport.services.bookings import (
    booking_matches,
    check_version,
    flush,
    get_booking_for_change,
    record_event,
)
from dryport.services.clock import utcnow
from dryport.services.containers import MAX_GROSS_KG, validate_number
from dryport.services.errors import Conflict, Invalid
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search_text

OPEN_DEPARTURE = (DepartureStatus.SCHEDULED, DepartureStatus.CLOSED)


QUEUE_SORTING = Sorting(
    columns={
        "cutoff_at": Departure.cutoff_at,
        "reference": Booking.reference,
        "departs_at": Departure.departs_at,
        "created_at": Booking.created_at,
    },
    default=("cutoff_at", "created_at"),
    tiebreak=Booking.id,
)


def station_queue(
    session: Session, clerk: User, q: str | None = None, sort: Sequence[str] | None = None
) -> list[Booking]:
    """RECEIVED bookings from the clerk's station, the most urgent (earliest cut-off) first
    unless ``sort`` (keys of ``QUEUE_SORTING``) says otherwise; with ``q``, those it finds
    (``bookings.booking_matches``)."""
    require_role(clerk, Role.CLERK)
    stmt = (
        select(Booking)
        .join(Booking.departure)
        .where(
            Booking.origin_station_id == clerk.station_id,
            Booking.status == BookingStatus.RECEIVED,
            Departure.status.in_(OPEN_DEPARTURE),
        )
        .options(selectinload(Booking.lines), selectinload(Booking.company))
    )
    if q := search_text(q):
        stmt = stmt.where(booking_matches(q))
    return list(session.scalars(order_by(stmt, sort, QUEUE_SORTING)))


def _receivable(session: Session, clerk: User, reference: str, version: int | None) -> Booking:
    require_role(clerk, Role.CLERK)
    booking = get_booking_for_change(session, clerk, reference)  # another station's: NotFound
    if version is not None:
        check_version(booking, version)
    if booking.status is not BookingStatus.RECEIVED:
        raise Conflict(
            _l(
                "Only a received booking can be checked; this one is %(status)s.",
                status=label(booking.status),
            )
        )
    if booking.departure.status not in OPEN_DEPARTURE:
        raise Conflict(_l("Its departure has left or was cancelled; roll the booking first."))
    return booking


def confirm_load(
    session: Session,
    clerk: User,
    reference: str,
    rows: list[dict],
    version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Confirm a RECEIVED booking of the clerk's station with its containers.

    ``rows`` is what ``ConfirmSchema`` loaded. Raises ``Invalid`` with per-row, per-field
    messages, ``Conflict`` when the booking is no longer RECEIVED or changed meanwhile.
    """
    booking = _receivable(session, clerk, reference, version)
    containers = _check_rows(session, booking, rows)
    for container in containers:
        container.recorded_by = clerk
        container.weighed_by = container.weighed_by or clerk.name
        booking.containers.append(container)
    booking.status = BookingStatus.CONFIRMED
    booking.updated_at = now or utcnow()
    record_event(
        session, booking, clerk, EventType.CONFIRMED,
        containers=[c.number for c in containers], **{"from": "RECEIVED", "to": "CONFIRMED"},
    )  # fmt: skip
    waybills.issue_waybill(session, booking, clerk, now)
    try:
        with session.begin_nested():
            flush(session)
    except IntegrityError:  # a concurrent confirmation took a number first: name its row
        numbers = [c.number for c in containers]
        taken = set(
            session.scalars(
                select(Container.number).where(Container.number.in_(numbers), Container.live)
            )
        )
        raise Invalid(
            _l("Some containers need correcting."),
            errors={
                "containers": {
                    index: {
                        "number": [
                            _l("%(number)s is already on another live booking.", number=number)
                        ]
                    }
                    for index, number in enumerate(numbers)
                    if number in taken
                }
                or [_l("A container is already on another live booking.")]
            },
        ) from None
    return booking


def reject_load(
    session: Session,
    clerk: User,
    reference: str,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Reject a RECEIVED booking with a reason the shipper sees; its TEU are released."""
    booking = _receivable(session, clerk, reference, version)
    capacity.release(session, booking.departure, booking.teu, booking.gross_weight_kg)
    booking.status = BookingStatus.REJECTED
    booking.updated_at = now or utcnow()
    record_event(
        session, booking, clerk, EventType.REJECTED,
        reason=reason, **{"from": "RECEIVED", "to": "REJECTED"},
    )  # fmt: skip
    flush(session)
    return booking


def _check_rows(session: Session, booking: Booking, rows: list[dict]) -> list[Container]:
    errors: dict = {}

    def fail(index: int, field: str, message) -> None:
        errors.setdefault(index, {}).setdefault(field, []).append(message)

    wanted = Counter({line.size_type: line.quantity for line in booking.lines})
    given = Counter(row["size_type"] for row in rows)
    if given != wanted:
        lines = ", ".join(f"{n} × {code}" for code, n in sorted(wanted.items()))
        raise Invalid(
            _l("One row per container, matching the booking: %(lines)s.", lines=lines),
            errors={"containers": [_l("Rows must match: %(lines)s.", lines=lines)]},
        )
    containers, seen = [], {}
    for index, row in enumerate(rows):
        try:
            number = validate_number(row["number"])
        except Invalid as error:
            fail(index, "number", error.message)
            number = None
        if number and number in seen:
            fail(index, "number", _l("Entered twice (row %(row)d too).", row=seen[number] + 1))
        elif number:
            seen[number] = index
        vgm = _vgm(row, lambda field, message, i=index: fail(i, field, message))
        containers.append(
            Container(
                number=number or row["number"],
                size_type=row["size_type"],
                seal_no=row["seal"],
                tare_kg=row["tare_kg"],
                cargo_kg=row.get("cargo_kg"),
                vgm_kg=vgm or 0,
                max_gross_kg=row.get("max_gross_kg"),
                vgm_method=row["vgm_method"],
                weighed_by=row.get("weighed_by") or "",
                live=True,
            )
        )
    taken = set(
        session.scalars(select(Container.number).where(Container.number.in_(seen), Container.live))
    )
    for number in taken:
        fail(
            seen[number],
            "number",
            _l("%(number)s is already on another live booking.", number=number),
        )
    if errors:
        raise Invalid(_l("Some containers need correcting."), errors={"containers": errors})
    return containers


def _vgm(row: dict, fail) -> int | None:
    """The verified gross mass of a row: weighed (method 1) or added up (method 2)."""
    tare = row["tare_kg"]
    if row["vgm_method"] is VgmMethod.METHOD_2:
        if row.get("cargo_kg") is None:
            fail("cargo_kg", _l("Method 2 adds cargo, packing and tare: give the cargo mass."))
            return None
        vgm = row["cargo_kg"] + (row.get("packing_kg") or 0) + tare
        if row.get("vgm_kg") is not None and row["vgm_kg"] != vgm:
            fail("vgm_kg", _l("Cargo, packing and tare add up to %(vgm)s kg.", vgm=f"{vgm:,}"))
            return None
    else:
        vgm = row.get("vgm_kg")
        if vgm is None:
            fail("vgm_kg", _l("Method 1 weighs the packed container: give its mass."))
            return None
    limit = row.get("max_gross_kg") or MAX_GROSS_KG
    if vgm > limit:
        fail(
            "vgm_kg",
            _l(
                "%(vgm)s kg is above the maximum gross mass of %(max)s kg.",
                vgm=f"{vgm:,}",
                max=f"{limit:,}",
            ),
        )
        return None
    if vgm <= tare:
        fail("vgm_kg", _l("The gross mass must be more than the tare."))
        return None
    return vgm
