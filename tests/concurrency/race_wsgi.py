"""dryport with a pause that a request can ask for, so that a test can hold a booking's
departure lock while a roll moves the booking: ``X-Test-Pause-After-Lock: s`` sleeps
after a change has locked the departure its booking was on and before it reads the booking
again. Everything else is the real app; only the race tests send the header.
"""

import time

from flask import request
from sqlalchemy.orm import Session

from dryport import create_app

_refresh = Session.refresh


def paused_refresh(self, *args, **kwargs):
    time.sleep(float(request.headers.get("X-Test-Pause-After-Lock", 0)))
    return _refresh(self, *args, **kwargs)


Session.refresh = paused_refresh  # called by ``get_booking_for_change`` once it holds the lock
app = create_app()
