"""The railway's loading list: once the railway has loaded a departure it hands the operator
its list of container number, wagon number and railway waybill number (货票号); uploaded as
CSV, each container of the departure keeps its wagon and railway waybill, which the
documents, the manifest and the booking print.

The list is taken whole or not at all: one line that cannot be read, names a container the
departure does not carry, or contradicts an earlier line refuses the file, with every line's
errors, and nothing is written.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from dryport.models import Booking, BookingStatus, Container, DepartureStatus, User
from dryport.services import csv_files, waybills
from dryport.services.access import STAFF, require_role
from dryport.services.admin import record_change
from dryport.services.containers import validate_number
from dryport.services.errors import Conflict, Invalid, TooLarge
from dryport.services.operations import get_departure_for_update

#: The largest list accepted; a train carries at most a few hundred containers.
MAX_BYTES = 1024 * 1024
MAX_LINES = 2000
#: The largest request: the file and room for the multipart framing around it.
MAX_REQUEST_BYTES = MAX_BYTES + 64 * 1024
#: The bookings whose containers the railway has (or will have) loaded.
LOADED = (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)
#: First cells that make the first line a header row, in Chinese or English.
HEADER_FIRST_CELLS = frozenset({"箱号", "集装箱号", "container", "container no", "container no."})
# ASCII only: ``isdigit`` would let other scripts' digits through to the printed papers.
WAGON_NUMBER = re.compile(r"[0-9]{7,12}")
RAILWAY_WAYBILL_NUMBER = re.compile(r"[A-Z0-9]{1,20}")
_COLUMNS = 3


@dataclass(frozen=True)
class ListLine:
    """One line of the list, read and checked."""

    line: int
    number: str
    wagon_no: str
    railway_waybill_no: str


def apply_loading_list(session: Session, user: User, departure_id: int, data: bytes) -> dict:
    """Give the containers of a departure their wagon and railway waybill numbers from the
    railway's loading list (CSV bytes: ``container, wagon, railway waybill`` per line).

    Every line must name a container of the departure's confirmed, departed or arrived
    bookings; a container named twice must have the same numbers both times. The list is
    written whole or not at all. When a value changed, the waybills of the confirmed bookings
    concerned are reissued (the papers print the wagons), and the audit log records the list.

    Returns ``{"matched", "changed", "containers": [{"number", "wagon_no",
    "railway_waybill_no", "booking"}]}``. Raises ``Forbidden`` for a role other than
    operator or admin, ``NotFound`` for an unknown departure, ``Conflict`` for a cancelled
    one, ``TooLarge`` above ``MAX_BYTES``, ``Invalid`` for an empty or unreadable file (on
    ``file``) or any bad line (on ``line n``).
    """
    require_role(user, *STAFF)
    departure = get_departure_for_update(session, departure_id, None)
    if departure.status is DepartureStatus.CANCELLED:
        raise Conflict(_l("A cancelled departure takes no loading list."))
    lines, errors = read_list(data)
    carried = _carried(session, departure.id)
    seen = _match(lines, carried, errors)
    if errors:
        ordered = sorted(errors.items(), key=lambda item: int(item[0].split()[1]))
        raise Invalid(_l("Nothing was saved: correct the lines named."), errors=dict(ordered))
    changes, touched = {}, {}
    for number, item in seen.items():
        container = carried[number]
        before = (container.wagon_no, container.railway_waybill_no)
        after = (item.wagon_no, item.railway_waybill_no)
        if before != after:
            changes[number] = [_pair_text(*before), _pair_text(*after)]
            container.wagon_no, container.railway_waybill_no = after
            touched[container.booking.id] = container.booking
    summary = (
        f"{departure.route.code} {departure.service_no} {departure.departs_at:%Y-%m-%d} "
        f"railway list: {len(seen)} containers"
    )
    record_change(session, user, "departure", departure.id, "railway_list", summary, changes)
    for booking in touched.values():
        if booking.status is BookingStatus.CONFIRMED:  # its papers print the wagons
            waybills.issue_waybill(session, booking, user)
    session.flush()
    return {
        "matched": len(seen),
        "changed": len(changes),
        "containers": [
            {
                "number": number,
                "wagon_no": item.wagon_no,
                "railway_waybill_no": item.railway_waybill_no,
                "booking": carried[number].booking.reference,
            }
            for number, item in seen.items()
        ],
    }


def _carried(session: Session, departure_id: int) -> dict[str, Container]:
    """The containers the railway loads on the departure, by number."""
    return {
        container.number: container
        for container in session.scalars(
            select(Container)
            .join(Container.booking)
            .where(Booking.departure_id == departure_id, Booking.status.in_(LOADED))
            .options(contains_eager(Container.booking))
            .order_by(Container.id)
        )
    }


def _match(lines: list[ListLine], carried: dict, errors: dict) -> dict[str, ListLine]:
    """Each container's line (the first naming it); a line naming a container the departure
    does not carry, or one named before with other numbers, adds to ``errors``."""
    seen: dict[str, ListLine] = {}
    for item in lines:
        if item.number not in carried:
            errors.setdefault(f"line {item.line}", []).append(
                _l("Container %(number)s is not on this departure.", number=item.number)
            )
            continue
        first = seen.setdefault(item.number, item)
        if (first.wagon_no, first.railway_waybill_no) != (item.wagon_no, item.railway_waybill_no):
            errors.setdefault(f"line {item.line}", []).append(
                _l(
                    "Container %(number)s is on line %(first)d already, with other numbers.",
                    number=item.number,
                    first=first.line,
                )
            )
    return seen


def read_list(data: bytes) -> tuple[list[ListLine], dict[str, list]]:
    """The lines of a loading list that read well, and the errors of the others by
    ``line n``; each line checked on its own, not yet against a departure.

    The text is UTF-8 (with or without a byte-order mark) or GB18030, as Chinese Excel saves
    CSV; columns are split by commas, or by tabs or semicolons when the first line has those
    and no comma. A first line whose first cell is a column name (``箱号``, ``container``) is
    a header; blank lines are skipped. Raises ``TooLarge`` above ``MAX_BYTES``, ``Invalid``
    (on ``file``) for an empty file, one that is no such text or has more than
    ``MAX_LINES`` lines.
    """
    if len(data) > MAX_BYTES:
        raise TooLarge(
            _l("A loading list may be at most 1 MB."),
            errors={"file": [_l("The file is larger than 1 MB.")]},
        )
    text = csv_files.decode(
        data,
        empty=_l("The file is empty."),
        unreadable=_l("The file is not CSV text in UTF-8 or GB18030; save it as CSV."),
    )
    rows = list(csv_files.rows(text, lambda n: _l("Line %(n)d cannot be read as CSV.", n=n)))
    if rows and _is_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise Invalid(errors={"file": [_l("The file holds no lines.")]})
    if len(rows) > MAX_LINES:
        raise Invalid(
            errors={
                "file": [
                    _l("A loading list may have at most %(n)s lines; this one has %(count)s.",
                       n=f"{MAX_LINES:,}", count=f"{len(rows):,}")
                ]
            }
        )  # fmt: skip
    lines, errors = [], {}
    for number, cells in rows:
        problems = []
        item = _line(number, cells, problems)
        if problems:
            errors[f"line {number}"] = problems
        else:
            lines.append(item)
    return lines, errors


def _is_header(cells: list[str]) -> bool:
    return " ".join(cells[0].casefold().split()) in HEADER_FIRST_CELLS


def _line(number: int, cells: list[str], problems: list) -> ListLine | None:
    if len(cells) != _COLUMNS:
        problems.append(
            _l(
                "3 columns expected (container, wagon, railway waybill); this line has %(count)d.",
                count=len(cells),
            )
        )
        return None
    raw_number, raw_wagon, raw_waybill = cells
    try:
        container = validate_number(raw_number[:40])
    except Invalid as error:
        problems.append(error.message)
        container = ""
    wagon = re.sub(r"[\s-]", "", raw_wagon)
    if not WAGON_NUMBER.fullmatch(wagon):
        problems.append(
            _l(
                "Wagon %(wagon)s: 7 digits (Chinese railways) to 12 (UIC); spaces and "
                "hyphens may separate them.",
                wagon=raw_wagon[:40],
            )
        )
    waybill = raw_waybill.upper()
    if not RAILWAY_WAYBILL_NUMBER.fullmatch(waybill):
        problems.append(
            _l(
                "Railway waybill %(waybill)s: 1 to 20 letters and digits.",
                waybill=raw_waybill[:40],
            )
        )
    return ListLine(number, container, wagon, waybill)


def _pair_text(wagon: str | None, waybill: str | None) -> str | None:
    if wagon is None and waybill is None:
        return None
    return f"{wagon or '—'} / {waybill or '—'}"
