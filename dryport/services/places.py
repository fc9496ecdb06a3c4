"""Places (stations, ports and border stations a route's cargo goes to or through) and the
border crossings between two of them, as the administrator keeps them. Every change is in
the audit log (``admin.record_change``)."""

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dryport.models import BorderCrossing, Place, PlaceKind, Role, User
from dryport.services.access import require_role
from dryport.services.admin import (
    add_unique,
    as_text,
    bump_version,
    by_code,
    edit_and_log,
    lock_for_edit,
    record_change,
)
from dryport.services.errors import Invalid
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search

PLACE_FIELDS = ("name_zh", "name_en", "kind", "railway_code", "active")
PLACE_SORTING = Sorting(
    columns={
        "code": Place.code,
        "name_zh": Place.name_zh,
        "name_en": Place.name_en,
        "kind": Place.kind,
    },
    default=("kind", "code"),
    tiebreak=Place.id,
)


def places_query(
    q: str | None = None, sort: Sequence[str] | None = None, kind: PlaceKind | None = None
) -> Select:
    """The places, by kind then code unless ``sort`` says otherwise; with ``q``, those whose
    code, railway code or name (either language) contains it; with ``kind``, of that kind."""
    stmt = search(select(Place), q, Place.code, Place.railway_code, Place.name_zh, Place.name_en)
    if kind is not None:
        stmt = stmt.where(Place.kind == kind)
    return order_by(stmt, sort, PLACE_SORTING)


def destination_candidates(session: Session) -> list[Place]:
    """The places a route's form offers as destinations, by code: stations and ports in
    use, not the borders cargo passes on its way."""
    stmt = places_query(sort=["code"]).where(Place.active, Place.kind != PlaceKind.BORDER)
    return list(session.scalars(stmt))


def get_place(session: Session, code: str) -> Place:
    """The place of ``code``; raises ``NotFound``."""
    return by_code(session, Place, code)


def create_place(session: Session, admin: User, data: dict) -> Place:
    """Add a place. Its code is its UN/LOCODE where one exists (the schema checks the form);
    a code already taken is a ``Conflict`` on ``code``."""
    require_role(admin, Role.ADMIN)
    place = Place(code=data["code"], **{f: data.get(f) for f in PLACE_FIELDS})
    if place.active is None:
        place.active = True
    add_unique(session, place, data["code"])
    record_change(session, admin, "place", place.id, "create", place.code, _created(place))
    return place


def update_place(session: Session, admin: User, code: str, data: dict) -> Place:
    """Edit a place's names, kind, railway code and whether it is offered; its code stays,
    as bookings and crossings name it. A stale ``version`` is a ``Conflict``."""
    require_role(admin, Role.ADMIN)
    place = get_place(session, code)
    edit_and_log(session, admin, place, "place", data, PLACE_FIELDS)
    return place


def crossings_query() -> Select:
    return select(BorderCrossing).order_by(BorderCrossing.code, BorderCrossing.id)


def list_crossings(session: Session) -> list[BorderCrossing]:
    return list(session.scalars(crossings_query()))


def get_crossing(session: Session, code: str) -> BorderCrossing:
    """The border crossing of ``code``; raises ``NotFound``."""
    return by_code(session, BorderCrossing, code)


def create_crossing(session: Session, admin: User, data: dict) -> BorderCrossing:
    """Add a border crossing between two different places (``exit_place``, ``entry_place``
    by code), each of kind BORDER; else ``Invalid`` naming the field. A code already taken
    is a ``Conflict``."""
    require_role(admin, Role.ADMIN)
    exit_place, entry_place = _crossing_places(session, data)
    crossing = BorderCrossing(
        code=data["code"],
        exit_place=exit_place,
        entry_place=entry_place,
        gauge_change=bool(data.get("gauge_change")),
    )
    add_unique(session, crossing, data["code"])
    record_change(session, admin, "border_crossing", crossing.id, "create", crossing.code, {
        "exit_place": [None, exit_place.code], "entry_place": [None, entry_place.code],
        "gauge_change": [None, crossing.gauge_change],
    })  # fmt: skip
    return crossing


def update_crossing(session: Session, admin: User, code: str, data: dict) -> BorderCrossing:
    """Change a crossing's places or whether the gauge changes there (rules as for
    ``create_crossing``); a stale ``version`` is a ``Conflict``."""
    require_role(admin, Role.ADMIN)
    crossing = get_crossing(session, code)
    lock_for_edit(session, crossing, data.get("version"))
    merged = {
        "exit_place": data.get("exit_place", crossing.exit_place.code),
        "entry_place": data.get("entry_place", crossing.entry_place.code),
    }
    exit_place, entry_place = _crossing_places(session, merged)
    changes = {}
    for name, place in (("exit_place", exit_place), ("entry_place", entry_place)):
        before = getattr(crossing, name)
        if before.id != place.id:
            setattr(crossing, name, place)
            changes[name] = [before.code, place.code]
    if "gauge_change" in data and data["gauge_change"] != crossing.gauge_change:
        changes["gauge_change"] = [crossing.gauge_change, data["gauge_change"]]
        crossing.gauge_change = data["gauge_change"]
    bump_version(crossing, changes)
    if changes:
        record_change(
            session, admin, "border_crossing", crossing.id, "update", crossing.code, changes
        )
    session.flush()
    return crossing


def _crossing_places(session: Session, data: dict) -> tuple[Place, Place]:
    errors = {}
    found = {}
    for name in ("exit_place", "entry_place"):
        place = session.scalar(select(Place).where(Place.code == (data.get(name) or "")))
        if place is None:
            errors[name] = [_l("No such place.")]
        elif place.kind is not PlaceKind.BORDER:
            errors[name] = [_l("Choose a border station (a place of kind BORDER).")]
        found[name] = place
    if not errors and found["exit_place"].id == found["entry_place"].id:
        errors["entry_place"] = [_l("The train leaves one station and enters another.")]
    if errors:
        raise Invalid(errors=errors)
    return found["exit_place"], found["entry_place"]


def _created(obj) -> dict:
    return {f: [None, as_text(getattr(obj, f))] for f in PLACE_FIELDS if getattr(obj, f)}
