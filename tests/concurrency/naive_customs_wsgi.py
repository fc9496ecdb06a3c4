"""A deliberately broken dryport, the control for the customs release race: a release checks
the booking and its departure without the departure's lock, then writes after a pause in a
transaction of its own (on SQLite too: ending the check's transaction lets go of the write
lock its request took first), so a depart can commit between its check and its write. The
race test must catch it."""

import time

from dryport import create_app
from dryport.models import Booking
from dryport.services import customs_release
from dryport.services.access import STAFF, require_role
from dryport.services.bookings import get_booking
from dryport.services.errors import Conflict

PAUSE = 0.4  # seconds between the check and the write: the time a slow request takes


def naive_release(session, user, reference, declaration_no, released_at=None):
    require_role(user, *STAFF)
    booking = get_booking(session, user, reference, timeline=False)
    if customs_release.is_released(booking):
        raise Conflict("released already")
    customs_release._check_releasable(booking, booking.departure)
    released_at = customs_release._check_time(released_at)
    booking_id = booking.id
    session.rollback()  # the check's transaction ends here: what it read may change now
    time.sleep(PAUSE)
    booking = session.get(Booking, booking_id)
    customs_release._record(session, user, booking, declaration_no, released_at)
    session.flush()
    return booking


customs_release.release = naive_release
app = create_app()
