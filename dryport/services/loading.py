"""The clerk's load check at the origin station: the queue, confirming a load with its
containers, and rejecting one.

A load is confirmed with one container per requested unit, each with a valid ISO 6346 number
of category U and of a requested size-type, a seal, and a verified gross mass (SOLAS VI/2)
within the container's maximum, signed for the shipper by a named person. A container number
is on at most one live booking (the database's partial unique index has the last word). The
weighed cargo mass, Σ (VGM − tare), agrees with the booking's declared gross within
``WEIGHT_TOLERANCE_PCT``, or the clerk accepts it as the booking's gross.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from dryport.labels import label
from dryport.models import (
    Booking,
    BookingStatus,
    Container,
    ContainerOwner,
    Departure,
    EventType,
    LoadDraft,
    Role,
    SealedBy,
    User,
    VgmMethod,
)
from dryport.services import capacity, waitlist, waybills
from dryport.services.access import require_role
from dryport.services.bookings import (
    booking_matches,
    check_version,
    flush,
    get_booking_for_change,
    record_event,
)
from dryport.services.clock import local_minute, utcnow
from dryport.services.containers import MAX_GROSS_KG, cargo_category_problem, validate_number
from dryport.services.departures import OPEN_DEPARTURE
from dryport.services.errors import Conflict, Invalid
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search_text

#: How long before its confirmation a container may have been weighed: a VGM older than
#: that belongs to another trip, or to a typing error.
WEIGHED_WITHIN = timedelta(days=30)


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


def booking_to_check(
    session: Session, clerk: User, reference: str, version: int | None = None
) -> Booking:
    """The RECEIVED booking of the clerk's station with ``reference``, its departure locked
    (``bookings.get_booking_for_change``). Raises ``NotFound`` outside the clerk's station,
    ``Conflict`` when stale, no longer RECEIVED, or its departure has left."""
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
    accept_weighed_mass: bool = False,
) -> Booking:
    """Confirm a RECEIVED booking of the clerk's station with its containers.

    ``rows`` is what ``ConfirmSchema`` loaded. The weighed cargo mass, Σ (VGM − tare), must
    agree with the declared gross within ``WEIGHT_TOLERANCE_PCT``; with
    ``accept_weighed_mass`` the booking's gross becomes the weighed mass instead (its
    departure holds the difference) and the timeline records both. A saved draft of the
    load is removed. Raises ``Invalid`` with per-row, per-field messages (or on
    ``containers`` for the masses), ``Conflict`` when the booking is no longer RECEIVED or
    changed meanwhile, ``CapacityExceeded`` when an accepted heavier mass passes the
    departure's weight limit.
    """
    now = now or utcnow()
    booking = booking_to_check(session, clerk, reference, version)
    containers = _check_rows(session, booking, rows, now)
    declared = booking.gross_weight_kg
    weighed = weighed_cargo_kg(containers)
    masses = {"declared_gross_kg": str(declared), "weighed_mass_kg": str(weighed)}
    if not within_tolerance(declared, weighed):
        if not accept_weighed_mass:
            raise Invalid(
                _l("The weighed mass does not agree with the declared gross."),
                errors={"containers": [_mass_problem(declared, weighed)]},
            )
        check_reweighed_cargo(booking, weighed)
        capacity.reweigh(session, booking.departure, weighed - declared)
        booking.gross_weight_kg = weighed
        masses["gross_weight_kg"] = [str(declared), str(weighed)]
    for container in containers:
        container.recorded_by = clerk
        container.weighed_by = container.weighed_by or clerk.name
        booking.containers.append(container)
    booking.status = BookingStatus.CONFIRMED
    booking.updated_at = now
    record_event(
        session, booking, clerk, EventType.CONFIRMED, now,
        containers=[c.number for c in containers], **masses,
        **{"from": "RECEIVED", "to": "CONFIRMED"},
    )  # fmt: skip
    discard_draft(session, booking)
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
    if booking.gross_weight_kg < declared:  # lighter than declared: room for who waits
        waitlist.promote(session, booking.departure, now)
    return booking


def weighed_cargo_kg(containers) -> Decimal:
    """The cargo mass the weighing found: Σ (VGM − tare) of the containers."""
    return Decimal(sum(c.vgm_kg - c.tare_kg for c in containers))


def typed_cargo_kg(rows) -> int:
    """Σ (VGM − tare) of load rows still being typed (dicts of whole numbers or None):
    method 2's is the cargo and packing it adds up, and a row missing either figure counts
    nothing yet. Once checked, the rows weigh ``weighed_cargo_kg``: the same sum."""
    total = 0
    for row in rows:
        if row.get("vgm_method") == VgmMethod.METHOD_2.name:
            total += (row.get("cargo_kg") or 0) + (row.get("packing_kg") or 0)
        elif row.get("vgm_kg") is not None and row.get("tare_kg") is not None:
            total += row["vgm_kg"] - row["tare_kg"]
    return total


def tolerance_pct() -> Decimal:
    """``WEIGHT_TOLERANCE_PCT``: how many per cent of the declared gross the weighed mass
    may differ by."""
    return Decimal(current_app.config["WEIGHT_TOLERANCE_PCT"])


def within_tolerance(declared: Decimal, weighed: Decimal) -> bool:
    """Whether the weighed mass differs from the declared gross by at most
    ``tolerance_pct`` per cent of the declared gross (exactly that much agrees)."""
    return abs(weighed - declared) * 100 <= tolerance_pct() * declared


def _mass_problem(declared: Decimal, weighed: Decimal):
    return _l(
        "The containers' cargo weighs %(weighed)s kg (VGM less tare), the booking declares"
        " %(declared)s kg gross: more than %(pct)s %% apart. Correct the rows, or accept the"
        " weighed mass as the booking's gross.",
        weighed=f"{weighed:,.0f}",
        declared=f"{declared:,.1f}".removesuffix(".0"),
        pct=f"{tolerance_pct().normalize():f}",
    )


def check_reweighed_cargo(booking: Booking, weighed: Decimal) -> None:
    """The booking's cargo rules, checked on the weighed mass before it becomes the gross.

    Each container's VGM is already within its own maximum gross, so the weighed mass fits
    the boxes really loaded (a limit reckoned with typical tares is not asked again of a
    weighed figure). A declared net weight above the weighed mass is ``Invalid`` on
    ``containers``: the shipper amends the net weight, or the load is weighed again.
    """
    net = booking.net_weight_kg
    if net is not None and net > weighed:
        raise Invalid(
            _l("The weighed mass is below the declared net weight."),
            errors={
                "containers": [
                    _l(
                        "The weighed cargo mass, %(weighed)s kg, is below the declared net"
                        " weight of %(net)s kg: it cannot become the gross.",
                        weighed=f"{weighed:,}",
                        net=f"{net:,}",
                    )
                ]
            },
        )


def discard_draft(session: Session, booking: Booking) -> None:
    """Remove the booking's saved partly checked load, if any (once the load is decided)."""
    session.execute(delete(LoadDraft).where(LoadDraft.booking_id == booking.id))


def reject_load(
    session: Session,
    clerk: User,
    reference: str,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Reject a RECEIVED booking with a reason the shipper sees; its TEU are released and a
    saved draft of its load removed."""
    booking = booking_to_check(session, clerk, reference, version)
    capacity.release(
        session, booking.departure, booking.teu, booking.gross_weight_kg,
        station_id=booking.origin_station_id, now=now,
    )  # fmt: skip
    booking.status = BookingStatus.REJECTED
    booking.updated_at = now or utcnow()
    record_event(
        session, booking, clerk, EventType.REJECTED,
        reason=reason, **{"from": "RECEIVED", "to": "REJECTED"},
    )  # fmt: skip
    discard_draft(session, booking)
    flush(session)
    waitlist.promote(session, booking.departure, now)
    return booking


def _check_rows(
    session: Session, booking: Booking, rows: list[dict], now: datetime
) -> list[Container]:
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
        if number and (problem := cargo_category_problem(number)):
            fail(index, "number", problem)
        elif number and number in seen:
            fail(index, "number", _l("Entered twice (row %(row)d too).", row=seen[number] + 1))
        elif number:
            seen[number] = index
        vgm = _vgm(row, lambda field, message, i=index: fail(i, field, message))
        certified_by = (row.get("vgm_certified_by") or "").strip()
        if not certified_by:
            fail(index, "vgm_certified_by", _l("Name the person who signs the VGM."))
        weighed_at = row.get("weighed_at")
        if weighed_at is not None and not now - WEIGHED_WITHIN <= weighed_at <= now:
            fail(
                index,
                "weighed_at",
                _l(
                    "Enter a time from %(earliest)s to now (Beijing time).",
                    earliest=local_minute(now - WEIGHED_WITHIN),
                ),
            )
        containers.append(
            Container(
                number=number or row["number"],
                size_type=row["size_type"],
                seal_no=row["seal"],
                tare_kg=row["tare_kg"],
                cargo_kg=row.get("cargo_kg"),
                packing_kg=row.get("packing_kg"),
                vgm_kg=vgm or 0,
                max_gross_kg=row.get("max_gross_kg"),
                vgm_method=row["vgm_method"],
                weighed_by=row.get("weighed_by") or "",
                owner=row.get("owner") or ContainerOwner.COC,
                sealed_by=row.get("sealed_by") or SealedBy.SHIPPER,
                vgm_certified_by=certified_by,
                weighed_at=weighed_at,
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
