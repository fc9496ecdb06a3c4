"""A partly checked load: the clerk saves the container rows as typed and finds them again
on coming back. A draft belongs to its booking (the same scope: the clerks of its origin
station) and is removed when the load is confirmed or rejected (``loading.discard_draft``).

Nothing in a draft is checked but its shape: it is what the clerk has typed so far, and the
confirmation checks every row.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.models import Booking, LoadDraft, Role, User
from dryport.services.access import require_role
from dryport.services.bookings import flush, get_booking
from dryport.services.clock import utcnow
from dryport.services.errors import Invalid
from dryport.services.loading import booking_to_check


def get_draft(session: Session, clerk: User, reference: str) -> LoadDraft | None:
    """The saved draft of the load of ``reference``, or None. Raises ``NotFound`` for a
    booking outside the clerk's station."""
    require_role(clerk, Role.CLERK)
    return draft_of(session, get_booking(session, clerk, reference, timeline=False))


def draft_of(session: Session, booking: Booking) -> LoadDraft | None:
    """The saved draft of the load of ``booking`` (already found within the clerk's
    scope), or None."""
    return session.scalar(select(LoadDraft).where(LoadDraft.booking_id == booking.id))


def save_draft(
    session: Session, clerk: User, reference: str, rows: list[dict], now: datetime | None = None
) -> LoadDraft:
    """Keep ``rows`` (row *i* is the booking's *i*-th container, as the check page lists
    them; an empty dict a row not begun) as the draft of the load, replacing the one saved.

    Raises ``NotFound`` outside the clerk's station, ``Conflict`` once the booking is no
    longer RECEIVED, ``Invalid`` on ``rows`` for more rows than the booking has containers.
    """
    booking = booking_to_check(session, clerk, reference)  # locks: one save at a time
    units = sum(line.quantity for line in booking.lines)
    if len(rows) > units:
        raise Invalid(
            errors={"rows": [_l("At most one row per container: %(units)d.", units=units)]}
        )
    draft = draft_of(session, booking)
    if draft is None:
        draft = LoadDraft(booking_id=booking.id)
        session.add(draft)
    draft.rows = [{key: value for key, value in row.items() if value is not None} for row in rows]
    draft.saved_by = clerk
    draft.saved_at = now or utcnow()
    flush(session)
    return draft
