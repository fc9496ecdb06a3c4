"""The reference data a booking reads — stations, routes with their legs and destinations,
places, tariffs — kept per app process, and loaded again as soon as any of it changes.

Every flush that writes a row of reference data also writes a new random number into the
counter ``reference``, in the same transaction (``_note_change``). A booking reads that
number in the query that loads its departure (``GENERATION``) and takes the data kept under
the same number; under any other number it loads them again. So a change an administrator
commits is seen by every app process from the next booking on, as a fresh read would see
it, and a transaction that changed reference data itself (not yet committed) reads its own.

Only rows that administrators edit are kept: what a booking holds, the departure with its
capacity, cut-off and status, the company and the user are read from the database every
time. The kept objects are detached from any session and fully loaded (their relationships
with them); nothing writes to them. A change made outside the ORM (a migration's data, SQL
by hand) does not renew the number: the data are loaded again after ``MAX_AGE`` anyway.
"""

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session, selectinload

from dryport.db import write_intent
from dryport.models import (
    BorderCrossing,
    Counter,
    Leg,
    LegCarrier,
    Place,
    Route,
    Station,
    Tariff,
)

NAME = "reference"
MAX_AGE = 300.0  # seconds; see the module's docstring
KEPT = (Station, Route, Leg, LegCarrier, Place, Tariff, BorderCrossing)

#: The reference data's number, as a column of any query (NULL before the first change).
GENERATION = select(Counter.value).where(Counter.name == NAME).scalar_subquery()


@dataclass
class Reference:
    """Reference data as one transaction read them, under their number."""

    generation: int | None
    stations: dict[str, Station]
    routes: dict[int, Route]
    places: dict[str, Place]
    tariffs: dict[int, list[Tariff]]  # by route, by leg, size group and id
    loaded_at: float = field(default_factory=time.monotonic)

    def active_station(self, code: str) -> Station | None:
        station = self.stations.get(code)
        return station if station is not None and station.active else None

    def tariffs_on(self, route_id: int, day: date) -> list[Tariff]:
        """The route's tariffs valid on ``day`` (from ``valid_from`` to ``valid_to``, both
        included; no ``valid_to``: until further notice), by leg, size group and id."""
        return [
            tariff
            for tariff in self.tariffs.get(route_id, ())
            if tariff.valid_from <= day and (tariff.valid_to is None or tariff.valid_to >= day)
        ]


def reference(session: Session, generation: int | None) -> Reference:
    """The reference data of number ``generation`` (read with ``GENERATION`` in the
    caller's transaction): kept ones, or loaded afresh. When the kept ones are of another
    number than the caller's transaction sees, they are read in that transaction."""
    if generation is None:  # no number yet (a database nothing has renewed): never kept
        return _load(session, generation)
    cache = _cache()
    kept = cache.kept
    if kept is not None and _current(kept, generation):
        return kept
    with cache.lock:
        kept = cache.kept
        if kept is None or not _current(kept, generation):
            kept = _load_apart()
            if kept.generation is not None:
                cache.kept = kept
    if _current(kept, generation):
        return kept
    # The caller's transaction sees another number: its own uncommitted change, or one
    # committed since it began. Its own reading is the true one.
    return _load(session, generation)


def current(session: Session) -> Reference:
    """The reference data as the caller's transaction sees them (kept ones when they are
    current), for a caller that has not read the number with a query of its own."""
    return reference(session, session.scalar(select(GENERATION)))


def forget() -> None:
    """Drop the kept data of this app (they are loaded again at the next booking)."""
    _cache().kept = None


def _current(kept: Reference, generation: int | None) -> bool:
    return (
        generation is not None
        and kept.generation == generation
        and time.monotonic() - kept.loaded_at < MAX_AGE
    )


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.kept: Reference | None = None


def _cache() -> _Cache:
    return current_app.extensions.setdefault("dryport_reference", _Cache())


def _load_apart() -> Reference:
    """Load in a session and transaction of its own, then detach everything."""
    from dryport.extensions import db

    token = write_intent.set(False)  # a read: never SQLite's write lock (the caller may hold it)
    try:
        with Session(db.engine, expire_on_commit=False) as session:
            generation = session.scalar(select(GENERATION))
            loaded = _load(session, generation)
            session.expunge_all()  # before the session ends, which would expire them
            return loaded
    finally:
        write_intent.reset(token)


def _load(session: Session, generation: int | None) -> Reference:
    stations = {s.code: s for s in session.scalars(select(Station))}
    routes = {
        route.id: route
        for route in session.scalars(
            select(Route).options(
                selectinload(Route.legs).selectinload(Leg.carriers),
                selectinload(Route.destinations),
                selectinload(Route.border_crossings),
            )
        )
    }
    places = {p.code: p for p in session.scalars(select(Place))}
    tariffs: dict[int, list[Tariff]] = {}
    for tariff in session.scalars(
        select(Tariff).order_by(Tariff.route_id, Tariff.leg_seq, Tariff.size_group, Tariff.id)
    ):
        tariffs.setdefault(tariff.route_id, []).append(tariff)
    return Reference(generation, stations, routes, places, tariffs)


def _kept(objects: Iterable) -> bool:
    return any(isinstance(o, KEPT) for o in objects)


@listens_for(Session, "before_flush")
def _note_change(session: Session, _flush_context, _instances) -> None:
    if _kept(session.new) or _kept(session.deleted) or _kept(session.dirty):
        renew(session)


def renew(session: Session) -> None:
    """Give the reference data a new number, in the session's transaction: every process
    loads them again from its next booking on (for a change the ORM does not see)."""
    value = secrets.randbits(31)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Counter).values(name=NAME, value=value)
    session.execute(
        statement.on_conflict_do_update(index_elements=[Counter.name], set_={"value": value})
    )
