"""Every rule about capacity: a booking holds its TEU (and its gross weight, where a departure
has a weight limit) on its departure from RECEIVED on, and what is held never exceeds the
departure's capacity — under any number of concurrent requests, in one process or many, on
SQLite or PostgreSQL.

How: the hold is one conditional UPDATE (``held_teu + n <= capacity_teu``). On PostgreSQL a
concurrent UPDATE of the same row waits for the first to commit, then re-checks the condition
against the committed row, so READ COMMITTED is enough and nothing reads-then-writes. On
SQLite, write requests begin ``IMMEDIATE`` transactions (``dryport.db``), so two writers never
interleave. Check constraints on ``departures`` refuse an overbooking whatever a code path
forgets.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from dryport.models import Departure, DepartureStatus
from dryport.services.containers import format_teu
from dryport.services.errors import CapacityExceeded, Conflict, NotFound, stale

ZERO = Decimal(0)

# Built once: a booking is placed many times a second, and building the statement each time
# cost more than running it. Both return the row as they leave it, locked until commit: what
# is held, and the cut-off, which a booking checks again once it holds the row.
_TEU = bindparam("teu", type_=Departure.held_teu.type)
_KG = bindparam("kg", type_=Departure.held_kg.type)
_LOCKED = (Departure.held_teu, Departure.held_kg, Departure.cutoff_at)
_HOLD = (
    update(Departure)
    .where(
        Departure.id == bindparam("departure_id"),
        Departure.status == DepartureStatus.SCHEDULED,
        Departure.held_teu + _TEU <= Departure.capacity_teu,
        or_(Departure.capacity_kg.is_(None), Departure.held_kg + _KG <= Departure.capacity_kg),
    )
    .values(held_teu=Departure.held_teu + _TEU, held_kg=Departure.held_kg + _KG)
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)
_RELEASE = (
    update(Departure)
    .where(
        Departure.id == bindparam("departure_id"),
        Departure.held_teu >= _TEU,
        Departure.held_kg >= _KG,
    )
    .values(held_teu=Departure.held_teu - _TEU, held_kg=Departure.held_kg - _KG)
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)
_REWEIGH = (
    update(Departure)
    .where(
        Departure.id == bindparam("departure_id"),
        Departure.held_kg + _KG >= 0,
        or_(Departure.capacity_kg.is_(None), Departure.held_kg + _KG <= Departure.capacity_kg),
    )
    .values(held_kg=Departure.held_kg + _KG)
    .returning(*_LOCKED)
    .execution_options(synchronize_session=False)
)


def hold(
    session: Session,
    departure: Departure,
    teu: Decimal,
    kg: Decimal = ZERO,
    held: tuple[Decimal, Decimal] = (ZERO, ZERO),
) -> None:
    """Hold ``teu`` and ``kg`` more on ``departure``; negative amounts release.

    ``held`` is what the booking holds there already (an amendment holds only the
    difference): a refusal speaks of the totals the shipper asked for and of what is free
    for them, as the form shows totals. Raises ``CapacityExceeded`` naming what is free when
    it does not fit, ``Conflict`` when the departure no longer takes bookings. Then
    ``departure`` has its row as locked: what is held, and the cut-off.
    """
    if teu <= 0 and kg <= 0:
        release(session, departure, -teu, -kg)
        return
    row = session.execute(_HOLD, {"departure_id": departure.id, "teu": teu, "kg": kg}).first()
    if row is None:
        _refuse(session, departure, teu, kg, held)
    _locked(departure, row)


def release(session: Session, departure: Departure, teu: Decimal, kg: Decimal = ZERO) -> None:
    """Give back ``teu`` and ``kg`` held on ``departure`` (cancel, reject, roll, smaller
    amendment)."""
    if teu <= 0 and kg <= 0:
        return
    row = session.execute(_RELEASE, {"departure_id": departure.id, "teu": teu, "kg": kg}).first()
    if row is None:  # released already by a change that won a race with this one
        raise stale()
    _locked(departure, row)


def reweigh(session: Session, departure: Departure, kg: Decimal) -> None:
    """A loaded booking's gross becomes its weighed mass: hold ``kg`` more (negative: less)
    on ``departure``, whatever its status (the containers are in the yard already; a CLOSED
    departure takes no new bookings, not a truer weight). Raises ``CapacityExceeded`` when
    more would pass the departure's weight limit."""
    if kg == 0:
        return
    row = session.execute(_REWEIGH, {"departure_id": departure.id, "kg": kg}).first()
    if row is None:
        capacity_kg, held_kg = session.execute(
            select(Departure.capacity_kg, Departure.held_kg).where(Departure.id == departure.id)
        ).one()
        if capacity_kg is None or held_kg + kg < 0:
            raise stale()
        raise CapacityExceeded(
            _l(
                "Not enough weight capacity: %(requested)s kg more, %(free)s kg free.",
                requested=f"{kg:,.0f}",
                free=f"{Decimal(capacity_kg) - held_kg:,.0f}",
            ),
            available_kg=float(Decimal(capacity_kg) - held_kg),
        )
    _locked(departure, row)


def _locked(departure: Departure, row) -> None:
    """Give ``departure`` what the UPDATE returned, as if loaded: no query to read it. A
    change to these attributes not yet flushed would be lost: hold before changing them."""
    for key, value in row._mapping.items():
        set_committed_value(departure, key, value)


def _refuse(session: Session, departure: Departure, teu: Decimal, kg: Decimal, held):
    row = session.execute(
        select(
            Departure.status,
            Departure.capacity_teu,
            Departure.held_teu,
            Departure.capacity_kg,
            Departure.held_kg,
        ).where(Departure.id == departure.id)
    ).one_or_none()
    if row is None:
        raise NotFound()
    if row.status is not DepartureStatus.SCHEDULED:
        raise Conflict(_l("This departure no longer takes bookings."))
    free_teu = Decimal(row.capacity_teu) - row.held_teu
    if teu > free_teu:
        raise CapacityExceeded(
            _l(
                "Not enough capacity: %(requested)s TEU requested, %(free)s TEU free.",
                requested=format_teu(teu + held[0]),
                free=format_teu(free_teu + held[0]),
            ),
            available_teu=float(free_teu),
        )
    if row.capacity_kg is None or kg <= Decimal(row.capacity_kg) - row.held_kg:
        # What refused us has changed since: another booking released space meanwhile.
        raise Conflict(_l("The departure changed meanwhile; please try again."))
    free_kg = Decimal(row.capacity_kg) - row.held_kg
    raise CapacityExceeded(
        _l(
            "Not enough weight capacity: %(requested)s kg requested, %(free)s kg free.",
            requested=f"{kg + held[1]:,.0f}",
            free=f"{free_kg + held[1]:,.0f}",
        ),
        available_teu=float(free_teu),
        available_kg=float(free_kg),
    )
