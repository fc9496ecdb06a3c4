"""A deliberately broken dryport, the control for the originals race: it reads whether the
originals were printed, then writes that they are (the classic lost update), instead of
claiming them with one conditional UPDATE. The race test must catch it."""

import time

from dryport import create_app
from dryport.services import originals, waybills
from dryport.services.access import STAFF, require_role
from dryport.services.bookings import record_event
from dryport.services.clock import utcnow


def naive_print_originals(session, user, reference):
    require_role(user, *STAFF)
    waybill = waybills.waybill_for(session, user, reference)
    if waybill.originals_printed_at is not None:
        raise originals.already_printed(waybill)
    time.sleep(0.2)  # the time a real check takes, made visible
    count, now = waybills.originals_for(waybill.booking), utcnow()
    waybill.originals_printed_at, waybill.originals_printed_by_id = now, user.id
    waybill.originals_count = count
    record_event(session, waybill.booking, user, originals.EventType.ORIGINALS_PRINTED, at=now)
    return originals.Originals(waybill, originals.render_originals(waybill, count))


originals.print_originals = naive_print_originals
app = create_app()
