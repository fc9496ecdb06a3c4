"""dryport with pauses that a request can ask for, so that a test can stop the server while
bookings are in the middle of their transaction. Everything else is the real app.

``X-Test-Pause-Before-Hold: s`` sleeps inside the booking's open transaction, before the
capacity hold; ``X-Test-Pause-After-Hold: s`` sleeps after it, holding the departure's row
lock and an uncommitted hold. Only this test module reads the headers.
"""

import time

from flask import request

from dryport import create_app
from dryport.services import capacity

_hold = capacity.hold


def paused_hold(session, departure, teu, *args, **kwargs):
    time.sleep(float(request.headers.get("X-Test-Pause-Before-Hold", 0)))
    _hold(session, departure, teu, *args, **kwargs)
    time.sleep(float(request.headers.get("X-Test-Pause-After-Hold", 0)))


capacity.hold = paused_hold
# On PostgreSQL the hold is otherwise written with the booking, in one statement: taken apart
# here, so that a request can pause between them.
capacity.holds_at_once = lambda *args: False
app = create_app()
