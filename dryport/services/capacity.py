"""Every rule about capacity: a booking holds its TEU on its departure from RECEIVED on, and
the TEU held on a departure never exceeds its capacity — under any number of concurrent
requests, in one process or many, on SQLite or PostgreSQL.

How: the hold is one conditional UPDATE (``held_teu + n <= capacity_teu``). On PostgreSQL a
concurrent UPDATE of the same row waits for the first to commit, then re-checks the condition
against the committed row, so READ COMMITTED is enough and nothing reads-then-writes. On
SQLite, write requests begin ``IMMEDIATE`` transactions (``dryport.db``), so two writers never
interleave. The check constraint on ``departures`` refuses an overbooking whatever a code path
forgets.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dryport.models import Departure, DepartureStatus
from dryport.services.containers import format_teu
from dryport.services.errors import CapacityExceeded, Conflict, NotFound


def hold(session: Session, departure: Departure, teu: Decimal) -> None:
    """Hold ``teu`` more on ``departure`` (a negative amount releases).

    Raises ``CapacityExceeded`` with the free TEU when it does not fit, ``Conflict`` when
    the departure no longer takes bookings.
    """
    if teu <= 0:
        release(session, departure, -teu)
        return
    result = session.execute(
        update(Departure)
        .where(
            Departure.id == departure.id,
            Departure.status == DepartureStatus.SCHEDULED,
            Departure.held_teu + teu <= Departure.capacity_teu,
        )
        .values(held_teu=Departure.held_teu + teu)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        _refuse(session, departure, teu)
    session.expire(departure, ["held_teu"])


def release(session: Session, departure: Departure, teu: Decimal) -> None:
    """Give back ``teu`` held on ``departure`` (cancel, reject, roll, smaller amendment)."""
    if teu <= 0:
        return
    session.execute(
        update(Departure)
        .where(Departure.id == departure.id)
        .values(held_teu=Departure.held_teu - teu)
        .execution_options(synchronize_session=False)
    )
    session.expire(departure, ["held_teu"])


def _refuse(session: Session, departure: Departure, teu: Decimal):
    row = session.execute(
        select(Departure.status, Departure.capacity_teu, Departure.held_teu).where(
            Departure.id == departure.id
        )
    ).one_or_none()
    if row is None:
        raise NotFound()
    if row.status is not DepartureStatus.SCHEDULED:
        raise Conflict(_l("This departure no longer takes bookings."))
    free = Decimal(row.capacity_teu) - row.held_teu
    raise CapacityExceeded(
        _l(
            "Not enough capacity: %(requested)s TEU requested, %(free)s TEU free.",
            requested=format_teu(teu),
            free=format_teu(free),
        ),
        available_teu=float(free),
    )
