"""A waybill's originals: printed once per revision, by an operator, and counted; every other
print of it is a copy (副本 COPY)."""

from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from dryport.models import BookingStatus, EventType, User, Waybill
from dryport.pdf.fonts import cjk_font
from dryport.pdf.waybill import render
from dryport.services import waybills
from dryport.services.access import STAFF, require_role
from dryport.services.bookings import record_event
from dryport.services.clock import local_stamp, utcnow
from dryport.services.errors import Conflict, stale

#: A cancelled or rejected booking's waybill is no longer valid: no originals of it.
PRINTABLE = (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)


@dataclass(frozen=True)
class Originals:
    waybill: Waybill
    pdf: bytes


def print_originals(session: Session, user: User, reference: str) -> Originals:
    """Print the originals of the booking's current waybill revision (operators only).

    The revision is claimed by one conditional UPDATE (``… AND originals_printed_at IS
    NULL``), so of two requests at once exactly one prints; the other gets a ``Conflict``
    saying when and by whom they were printed. A new revision (after an amendment or a roll)
    is a new row, whose originals may be printed again. Raises ``Forbidden`` for other
    roles, ``NotFound`` when the booking has no waybill, ``Conflict`` when the booking is no
    longer confirmed, departed or arrived."""
    require_role(user, *STAFF)
    waybill = waybills.waybill_for(session, user, reference)
    booking = waybill.booking
    if booking.status not in PRINTABLE:
        raise Conflict(_l("The booking is no longer confirmed: its waybill has no originals."))
    count, now = waybills.originals_for(booking), utcnow()
    claimed = session.execute(
        update(Waybill)
        .where(
            Waybill.id == waybill.id,
            Waybill.originals_printed_at.is_(None),
            Waybill.superseded_at.is_(None),  # an amend or a roll meanwhile made a new one
        )
        .values(originals_printed_at=now, originals_printed_by_id=user.id, originals_count=count)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(waybill)
    if claimed != 1 and waybill.originals_printed_at is None:
        raise stale()
    if claimed != 1:
        raise already_printed(waybill)
    record_event(
        session, booking, user, EventType.ORIGINALS_PRINTED, at=now, number=waybill.number,
        revision=waybill.revision, originals=count,
    )  # fmt: skip
    return Originals(waybill, render_originals(waybill, count))


def already_printed(waybill: Waybill) -> Conflict:
    """The refusal of a second print: it names when and by whom the first one was made."""
    who = waybill.originals_printed_by.name if waybill.originals_printed_by else "?"
    return Conflict(
        _l(
            "The originals of waybill %(number)s revision %(revision)s were already printed"
            " at %(time)s by %(name)s; print a copy instead.",
            number=waybill.number,
            revision=waybill.revision,
            time=local_stamp(waybill.originals_printed_at),
            name=who,
        ),
        printed_at=waybill.originals_printed_at.isoformat(),
        printed_by=who,
    )


def render_originals(waybill: Waybill, count: int) -> bytes:
    """The document ``count`` times, each page marked 正本 ORIGINAL n/count."""
    doc = waybills.document(waybill)
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    return render(
        [replace(doc, copy=False, original_no=n, originals=count) for n in range(1, count + 1)],
        font,
    )
