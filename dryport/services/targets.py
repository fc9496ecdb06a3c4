"""Annual targets (DESIGN §14): the TEU a year should ship, for the whole zone and per origin
station, set by administrators. The annual report (``services.annual``) reads them.

A year's targets are set at once, as the page and ``PUT /targets/{year}`` send them: the
zone's figure and each station's. A station left out (or sent without a figure) has no target
that year. The stations' targets may add up to less than the zone's (the rest is not assigned
to any station) but never to more: the zone's figure is the year's in all, and stations that
promise more than it would make one of the two figures wrong. Such a request is refused, with
the sum and the zone's figure in the message, and nothing is written."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dryport.models import AnnualTarget, Role, User
from dryport.services.access import require_role
from dryport.services.admin import record_change
from dryport.services.clock import utcnow
from dryport.services.errors import Invalid, stale
from dryport.services.reference_data import list_stations

#: The audit log's name for a target.
ENTITY = "annual_target"


def year_targets(session: Session, year: int) -> dict[str | None, AnnualTarget]:
    """The year's targets by station code; the zone's under None."""
    rows = session.scalars(select(AnnualTarget).where(AnnualTarget.year == year))
    return {(t.station.code if t.station else None): t for t in rows}


def targets_version(targets: dict[str | None, AnnualTarget]) -> int:
    """The version of a year's targets as a whole: the zone's row's, which every change of
    the year's targets (a station's added, changed or removed too) moves on; 0 for a year
    without a zone target."""
    zone = targets.get(None)
    return zone.version if zone else 0


def set_targets(session: Session, admin: User, year: int, data: dict) -> dict:
    """Set ``year``'s targets: ``data["target_teu"]`` for the zone, ``data["stations"]`` a
    list of ``{"station": code, "target_teu": n}`` (a station named twice, unknown, or with
    targets summing above the zone's is ``Invalid``). Stations not listed lose their target.
    With ``data["version"]`` (``targets_version`` as read), a year changed meanwhile is a
    ``Conflict``. Each row written, changed or removed goes to the audit log.

    Returns the year's targets as ``year_targets`` gives them."""
    require_role(admin, Role.ADMIN)
    wanted = _wanted(session, data)
    _lock(session, year)
    current = year_targets(session, year)
    if data.get("version") is not None and data["version"] != targets_version(current):
        raise stale()
    stations = {s.code: s for s in list_stations(session)}
    changed = bool(current.keys() - wanted.keys())
    for code in sorted(current.keys() - wanted.keys()):
        target = current.pop(code)
        record_change(session, admin, ENTITY, target.id, "delete", _summary(year, code),
                      {"target_teu": [target.target_teu, None]})  # fmt: skip
        session.delete(target)
    session.flush()
    for code, teu in wanted.items():
        target = current.get(code)
        if target is None:
            target = AnnualTarget(year=year, station=stations[code] if code else None,
                                  target_teu=teu, updated_by=admin)  # fmt: skip
            _insert(session, target)
            record_change(session, admin, ENTITY, target.id, "create", _summary(year, code),
                          {"target_teu": [None, teu]})  # fmt: skip
        elif target.target_teu != teu:
            record_change(session, admin, ENTITY, target.id, "update", _summary(year, code),
                          {"target_teu": [target.target_teu, teu]})  # fmt: skip
            target.target_teu, target.updated_by = teu, admin
        else:
            continue
        changed = True
    if changed and None in current:  # the zone's row carries the year's version
        current[None].updated_at, current[None].updated_by = utcnow(), admin
    session.flush()
    return year_targets(session, year)


def _wanted(session: Session, data: dict) -> dict[str | None, int]:
    """The targets asked for by station code (the zone's under None), checked."""
    known = {s.code for s in list_stations(session)}
    wanted: dict[str | None, int] = {None: data["target_teu"]}
    errors: dict = {}
    for i, row in enumerate(data.get("stations") or []):
        code = row["station"]
        if code not in known:
            errors[i] = {"station": [_l("No such station.")]}
        elif code in wanted:
            errors[i] = {"station": [_l("Named twice.")]}
        elif row.get("target_teu") is not None:
            wanted[code] = row["target_teu"]
    if errors:
        raise Invalid(errors={"stations": errors})
    assigned = sum(teu for code, teu in wanted.items() if code)
    if assigned > wanted[None]:
        message = _l(
            "The stations' targets add up to %(sum)s TEU, more than the zone's %(zone)s TEU.",
            sum=assigned, zone=wanted[None],
        )  # fmt: skip
        raise Invalid(message, errors={"target_teu": [message]})
    return wanted


def _lock(session: Session, year: int) -> None:
    """Serialise two administrators setting the same year: on PostgreSQL the year's rows are
    locked (a year without any is guarded by the unique indexes instead)."""
    session.execute(select(AnnualTarget.id).where(AnnualTarget.year == year).with_for_update())


def _insert(session: Session, target: AnnualTarget) -> None:
    session.add(target)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # another request set the same year at the same moment
        raise stale() from None


def _summary(year: int, code: str | None) -> str:
    return f"{year} {code or 'zone'}"


def targets_summary(year: int, targets: dict[str | None, AnnualTarget]) -> dict:
    """A year's targets as the API gives them: the zone's (None when not set), its version,
    and the stations' with one, by code."""
    zone = targets.get(None)
    return {
        "year": year,
        "target_teu": zone.target_teu if zone else None,
        "version": targets_version(targets),
        "stations": [
            {"station": code, "target_teu": t.target_teu}
            for code, t in sorted((c, t) for c, t in targets.items() if c)
        ],
    }
