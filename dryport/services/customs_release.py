"""Customs release: a train of an international route leaves only with what customs has
released for export. Operators record a booking's release one by one, or from the customs'
release list (a CSV matched to the departure's bookings by declaration number); ``depart``
refuses while a confirmed booking on the departure lacks it (``unreleased_references``).

A release is written under the departure's row lock, which ``depart`` takes too: a release
and a departure of the same train happen one after the other, never both on what each read
before the other committed.
"""

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.models import Booking, BookingStatus, Departure, DocumentType, EventType, Route, User
from dryport.services import csv_files, operations  # as modules: operations.depart asks this one
from dryport.services.access import STAFF, require_role
from dryport.services.bookings import flush, get_booking_for_change, record_event
from dryport.services.clock import LOCAL_TZ, YEARS, local_minute, utcnow
from dryport.services.departures import OPEN_DEPARTURE
from dryport.services.errors import Conflict, Invalid, TooLarge
from dryport.services.shipment import CUSTOMS_DECLARATION_NO

#: The bookings a release is recorded on: those that may still leave with the train.
RELEASABLE = (BookingStatus.RECEIVED, BookingStatus.CONFIRMED)
#: The release list's size: a train carries a few hundred bookings at most.
MAX_LINES = 5000
MAX_BYTES = 512 * 1024
#: Header cells a release list may start with (compared lower-cased, without spaces).
HEADER_CELLS = frozenset({"报关单号", "报关单编号", "declaration_no", "declarationno",
                          "declarationnumber", "declaration"})  # fmt: skip
#: A release time as a spreadsheet writes it, meaning Beijing time (``2026-12-05 14:30``,
#: ``2026/12/5 14:30``, with or without seconds).
LOCAL_TIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def needs_release(route: Route) -> bool:
    """Whether a departure of ``route`` needs its bookings released by customs before it
    leaves: every route whose document is not the domestic rail waybill crosses a border
    (the CIM/SMGS consignment note of XAEU, the multimodal document of WHSEA)."""
    return route.document_type is not DocumentType.RAIL_WAYBILL


def is_released(booking: Booking) -> bool:
    return booking.customs_released_at is not None


def unreleased_references(session: Session, departure: Departure) -> list[str]:
    """The CONFIRMED bookings on ``departure`` that customs has not released, by reference:
    while any is left, a departure of a route that ``needs_release`` cannot depart (none on
    other routes)."""
    if not needs_release(departure.route):
        return []
    return list(
        session.scalars(
            select(Booking.reference)
            .where(
                Booking.departure_id == departure.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.customs_released_at.is_(None),
            )
            .order_by(Booking.reference)
        )
    )


def release(
    session: Session,
    user: User,
    reference: str,
    declaration_no: str,
    released_at: datetime | None = None,
) -> Booking:
    """Record that customs released the booking ``reference`` for export under
    ``declaration_no`` at ``released_at`` (default now), by an operator.

    The booking is received or confirmed, on a departure that has not left, of a route that
    ``needs_release``. A booking that names a declaration number is released under that one
    only; one that names none takes the release's. Recording the same release again changes
    nothing (a repeat without a time is the same release).

    Raises ``Forbidden`` for another role, ``NotFound``, ``Invalid`` on ``declaration_no``
    (not 18 digits, or not the booking's) or ``released_at`` (in the future), ``Conflict``
    for a route that needs no release, a booking or departure past release, or a booking
    already released otherwise.
    """
    require_role(user, *STAFF)
    _check_format(declaration_no)
    booking = get_booking_for_change(session, user, reference)
    departure = operations.get_departure_for_update(session, booking.departure_id, None)
    if is_released(booking):
        if booking.customs_declaration_no == declaration_no and released_at in (
            None,
            booking.customs_released_at,
        ):
            return booking  # the same release, again
        raise Conflict(
            _l(
                "Customs released %(reference)s at %(time)s under declaration %(number)s already.",
                reference=booking.reference,
                time=local_minute(booking.customs_released_at),
                number=booking.customs_declaration_no,
            )
        )
    _check_releasable(booking, departure)
    if booking.customs_declaration_no not in (None, declaration_no):
        raise Invalid(errors={"declaration_no": [_other_declaration(booking)]})
    released_at = _check_time(released_at)
    _record(session, user, booking, declaration_no, released_at)
    flush(session)
    return booking


def release_list(session: Session, user: User, departure_id: int, data: bytes) -> list[Booking]:
    """Record the customs' release list (CSV: declaration number, release time; UTF-8 with or
    without BOM, or GB18030; an optional header row) for the bookings of a departure.

    Each line releases the received or confirmed bookings on the departure that name its
    declaration number. All or nothing: a line that cannot be read, names no such booking,
    repeats an earlier line's number, gives a future time or another time than a release
    already recorded makes the whole list ``Invalid``, its errors keyed ``line N``, and
    nothing is written. Lines repeating a recorded release change nothing. Returns the
    bookings the list names.

    Raises ``Forbidden``, ``NotFound``, ``TooLarge`` above ``MAX_BYTES``, ``Invalid`` (on
    ``file`` for an empty, unreadable or too long list), ``Conflict`` for a departure that
    has left or a route that needs no release.
    """
    require_role(user, *STAFF)
    if len(data) > MAX_BYTES:
        raise TooLarge(
            _l("A release list may have at most %(kb)s KB.", kb=f"{MAX_BYTES // 1024:,}")
        )
    departure = operations.get_departure_for_update(session, departure_id, None)
    _check_departure(departure)
    lines = _read_lines(data)
    bookings = _live_bookings(session, departure)
    by_number: dict[str, list[Booking]] = {}
    for booking in bookings:
        if booking.customs_declaration_no:
            by_number.setdefault(booking.customs_declaration_no, []).append(booking)
    errors: dict[str, list] = {}
    seen: dict[str, int] = {}
    releases = []
    now = utcnow()
    for line_no, number, text in lines:
        problem = _line_problem(number, text, now, seen, by_number)
        if isinstance(problem, datetime):
            releases.append((by_number[number], number, problem))
        else:
            errors[f"line {line_no}"] = [problem]
        seen.setdefault(number, line_no)
    if errors:
        raise Invalid(_l("Nothing was recorded: correct the lines listed."), errors=errors)
    released = []
    for matched, number, released_at in releases:
        for booking in matched:
            if not is_released(booking):
                _record(session, user, booking, number, released_at)
            released.append(booking)
    flush(session)
    return released


def _line_problem(number, text, now, seen, by_number):
    """The release time a line gives, or what is wrong with it."""
    if not CUSTOMS_DECLARATION_NO.match(number):
        return _l("A customs declaration number has 18 digits.")
    if number in seen:
        return _l("Declaration %(number)s is on line %(n)d already.", number=number,
                  n=seen[number])  # fmt: skip
    if number not in by_number:
        return _l("No booking on this departure names declaration %(number)s.", number=number)
    released_at = _parse_time(text)
    if released_at is None:
        return _l("A release time as 2026-12-05 14:30 (Beijing time) or ISO 8601 with its offset.")
    if released_at > now:
        return _l("The release time cannot be in the future.")
    for booking in by_number[number]:
        if is_released(booking) and booking.customs_released_at != released_at:
            return _l(
                "%(reference)s was released at %(time)s already.",
                reference=booking.reference,
                time=local_minute(booking.customs_released_at),
            )
    return released_at


def _record(session, user, booking, declaration_no, released_at) -> None:
    released_at = released_at.astimezone(UTC)
    booking.customs_declaration_no = declaration_no
    booking.customs_released_at = released_at
    booking.updated_at = utcnow()
    record_event(
        session,
        booking,
        user,
        EventType.CUSTOMS_RELEASED,
        declaration_no=declaration_no,
        released_at=released_at.isoformat(),
    )


def _check_format(declaration_no: str) -> None:
    if not isinstance(declaration_no, str) or not CUSTOMS_DECLARATION_NO.match(declaration_no):
        raise Invalid(
            errors={"declaration_no": [_l("A customs declaration number has 18 digits.")]}
        )


def _check_departure(departure: Departure) -> None:
    if not needs_release(departure.route):
        raise Conflict(_l("Route %(route)s needs no customs release.", route=departure.route.code))
    if departure.status not in OPEN_DEPARTURE:
        raise Conflict(_l("The departure has left or was cancelled: nothing to release."))


def _check_releasable(booking: Booking, departure: Departure) -> None:
    _check_departure(departure)
    if booking.status not in RELEASABLE:
        raise Conflict(_l("Only a received or confirmed booking can be released."))


def _other_declaration(booking: Booking):
    return _l("The booking names declaration %(number)s.", number=booking.customs_declaration_no)


def _check_time(released_at: datetime | None) -> datetime:
    """``released_at``, or now (to the second); ``Invalid`` when it is in the future."""
    now = utcnow()
    if released_at is None:
        return now.replace(microsecond=0)
    if released_at > now:
        raise Invalid(errors={"released_at": [_l("The release time cannot be in the future.")]})
    return released_at


def _live_bookings(session: Session, departure: Departure) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.departure_id == departure.id, Booking.status.in_(RELEASABLE))
            .order_by(Booking.reference)
        )
    )


def _read_lines(data: bytes) -> list[tuple[int, str, str]]:
    """(line number, declaration number, release time text) of each line that is not blank,
    the header left out."""
    empty = _l("The release list is empty.")
    text = csv_files.decode(
        data, empty=empty, unreadable=_l("Save the release list as CSV in UTF-8 or GB18030.")
    )
    lines = []
    for number, cells in csv_files.rows(
        text, lambda n: _l("Line %(n)d cannot be read as CSV.", n=n)
    ):
        if not lines and _is_header(cells[0]):
            continue
        lines.append((number, cells[0], cells[1] if len(cells) > 1 else ""))
        if len(lines) > MAX_LINES:
            raise Invalid(errors={"file": [_too_many()]})
    if not lines:
        raise Invalid(errors={"file": [empty]})
    return lines


def _too_many():
    return _l("A release list may have at most %(n)s lines.", n=f"{MAX_LINES:,}")


def _is_header(cell: str) -> bool:
    return re.sub(r"\s+", "", cell).lower() in HEADER_CELLS


def _parse_time(text: str) -> datetime | None:
    """A release time: ISO 8601 with its offset, or a spreadsheet's date and time meaning
    Beijing time; None when it is neither (or outside ``YEARS``)."""
    match = LOCAL_TIME.fullmatch(text)
    try:
        if match:
            year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
            moment = datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None or moment.utcoffset() is None:
                return None
    except ValueError:
        return None
    if moment.year not in YEARS:
        return None
    return moment
