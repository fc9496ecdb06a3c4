"""Routes as the administrator keeps them: a new corridor is added whole (its legs with
their carriers, the places its bookings may go to, the border crossings its departures may
take, the dangerous-goods classes it refuses) and any part of it is edited later. A route's
version covers its legs and carriers; every change is in the audit log."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from dryport.models import BorderCrossing, Leg, LegCarrier, Place, Role, Route, User
from dryport.models.place import route_destinations
from dryport.services.access import require_role
from dryport.services.admin import (
    add_unique,
    apply_changes,
    as_text,
    bump_version,
    by_code,
    lock_for_edit,
    record_change,
)
from dryport.services.errors import Invalid, NotFound

ROUTE_FIELDS = ("name_zh", "name_en", "document_type", "active")
LEG_FIELDS = (
    "mode", "origin_zh", "origin_en", "origin_locode", "destination_zh", "destination_en",
    "destination_locode", "via_zh", "via_en", "transit_hours", "distance_km",
)  # fmt: skip
CARRIER_FIELDS = ("name_zh", "name_en", "section_zh", "section_en", "payer_code")


def get_route(session: Session, code: str) -> Route:
    """The route of ``code``; raises ``NotFound``."""
    return by_code(session, Route, code)


def create_route(session: Session, admin: User, data: dict) -> Route:
    """Add a route with its legs (at least one, each with its carriers), destinations,
    border crossings and refused classes. An unknown place or crossing is ``Invalid`` on
    that field; a code already taken is a ``Conflict``."""
    require_role(admin, Role.ADMIN)
    route = Route(code=data["code"], **{f: data[f] for f in ROUTE_FIELDS if f in data})
    if route.active is None:
        route.active = True
    route.refused_dg_classes = list(dict.fromkeys(data.get("refused_dg_classes") or []))
    route.destinations = _places(session, data.get("destinations") or [])
    route.border_crossings = _crossings(session, data.get("border_crossings") or [])
    for seq, leg_data in enumerate(data["legs"], start=1):
        route.legs.append(_new_leg(seq, leg_data))
    add_unique(session, route, route.code)
    changes = {f: [None, as_text(getattr(route, f))] for f in ROUTE_FIELDS}
    changes.update(_references(route))
    if data.get("destination_legs"):
        changes["destination_legs"] = [None, set_destination_legs(
            session, route, data["destination_legs"])]  # fmt: skip
    changes["legs"] = [None, len(route.legs)]
    record_change(session, admin, "route", route.id, "create", route.code, changes)
    return route


def update_route(session: Session, admin: User, code: str, data: dict) -> Route:
    """Edit a route: names, document, whether it is in use, and (each when given, replacing
    the list) its destinations, border crossings, refused classes and legs. Legs are matched
    by position: the first given edits leg 1, and so on; more add legs, fewer remove the
    last ones. A stale ``version`` is a ``Conflict``."""
    require_role(admin, Role.ADMIN)
    route = get_route(session, code)
    lock_for_edit(session, route, data.get("version"))
    before = _references(route)
    changes = apply_changes(route, data, ROUTE_FIELDS)
    if "refused_dg_classes" in data:
        route.refused_dg_classes = list(dict.fromkeys(data["refused_dg_classes"]))
    if "destinations" in data:
        route.destinations = _places(session, data["destinations"])
    if "border_crossings" in data:
        route.border_crossings = _crossings(session, data["border_crossings"])
    after = _references(route)
    changes.update({k: [before[k][1], after[k][1]] for k in after if before[k] != after[k]})
    if "destination_legs" in data:
        session.flush()  # the destinations' rows, to give their figures
        was = _legs_text(destination_legs(session, route))
        now = set_destination_legs(session, route, data["destination_legs"])
        if was != now:
            changes["destination_legs"] = [was, now]
    if "legs" in data:
        if not data["legs"]:
            raise Invalid(errors={"legs": [_l("A route needs at least one leg.")]})
        changes.update(_replace_legs(session, route, data["legs"]))
    bump_version(route, changes)
    if changes:
        record_change(session, admin, "route", route.id, "update", route.code, changes)
    session.flush()
    return route


def update_leg(session: Session, admin: User, code: str, seq: int, data: dict) -> Leg:
    """Edit one leg of a route: its mode, places, UN/LOCODEs, border crossings and (when
    ``carriers`` is given) its carriers."""
    require_role(admin, Role.ADMIN)
    route = get_route(session, code)
    lock_for_edit(session, route, data.get("version"))
    leg = _leg(route, seq)
    changes = _edit_leg(leg, data)
    bump_version(route, changes)  # a route's version covers its legs
    if changes:
        record_change(session, admin, "leg", leg.id, "update", f"{route.code} #{leg.seq}", changes)
    session.flush()
    return leg


def add_leg(session: Session, admin: User, code: str, data: dict) -> Leg:
    """Append a leg, with its carriers, at the end of a route."""
    require_role(admin, Role.ADMIN)
    route = get_route(session, code)
    lock_for_edit(session, route, data.get("version"))
    route.version += 1
    leg = _new_leg(max((leg.seq for leg in route.legs), default=0) + 1, data)
    route.legs.append(leg)
    session.flush()
    record_change(session, admin, "leg", leg.id, "create", f"{route.code} #{leg.seq}", {
        **{f: [None, as_text(getattr(leg, f))] for f in LEG_FIELDS if getattr(leg, f)},
        **({"carriers": [None, _carrier_text(leg)]} if leg.carriers else {}),
    })  # fmt: skip
    return leg


def remove_leg(
    session: Session, admin: User, code: str, seq: int, version: int | None = None
) -> None:
    """Remove a leg; a route keeps at least one (else ``Invalid``)."""
    require_role(admin, Role.ADMIN)
    route = get_route(session, code)
    lock_for_edit(session, route, version)
    leg = _leg(route, seq)
    if len(route.legs) == 1:
        raise Invalid(_l("A route needs at least one leg."))
    _log_removed(session, admin, route, leg)
    route.legs.remove(leg)
    route.version += 1
    session.flush()
    for number, remaining in enumerate(sorted(route.legs, key=lambda x: x.seq), start=1):
        remaining.seq = number
    session.flush()


def move_leg_up(
    session: Session, admin: User, code: str, seq: int, version: int | None = None
) -> Leg:
    """Swap a leg with the one before it (the first leg stays first: ``Invalid``)."""
    require_role(admin, Role.ADMIN)
    route = get_route(session, code)
    lock_for_edit(session, route, version)
    leg = _leg(route, seq)
    if seq == 1:
        raise Invalid(_l("The first leg is first already."))
    before = _leg(route, seq - 1)
    leg.seq = 0  # (route, seq) is unique: out of the way while the other moves down
    session.flush()
    before.seq, leg.seq = seq, seq - 1
    route.version += 1
    session.flush()
    record_change(session, admin, "leg", leg.id, "update", f"{route.code} #{seq - 1}",
                  {"seq": [seq, seq - 1]})  # fmt: skip
    session.expire(route, ["legs"])  # read again in their new order
    return leg


def _leg(route: Route, seq: int) -> Leg:
    leg = next((leg for leg in route.legs if leg.seq == seq), None)
    if leg is None:
        raise NotFound()
    return leg


def _new_leg(seq: int, data: dict) -> Leg:
    leg = Leg(seq=seq, **{f: data.get(f) for f in LEG_FIELDS})
    leg.carriers = _carriers(data.get("carriers") or [])
    return leg


def _edit_leg(leg: Leg, data: dict) -> dict:
    changes = apply_changes(leg, data, LEG_FIELDS)
    if "carriers" in data:
        before = _carrier_text(leg)
        leg.carriers.clear()
        object_session(leg).flush()  # the old rows go before new ones take their numbers
        leg.carriers = _carriers(data["carriers"])
        if _carrier_text(leg) != before:
            changes["carriers"] = [before, _carrier_text(leg)]
    return changes


def _replace_legs(session: Session, route: Route, legs: list[dict]) -> dict:
    changes = {}
    for seq, leg_data in enumerate(legs, start=1):
        if seq <= len(route.legs):
            leg_changes = _edit_leg(route.legs[seq - 1], leg_data)
            changes.update({f"legs.{seq}.{k}": v for k, v in leg_changes.items()})
        else:
            route.legs.append(_new_leg(seq, leg_data))
            changes[f"legs.{seq}"] = [None, _leg_text(route.legs[-1])]
    for leg in list(route.legs[len(legs) :]):
        changes[f"legs.{leg.seq}"] = [_leg_text(leg), None]
        route.legs.remove(leg)
    session.flush()
    return changes


def _carriers(rows: list[dict]) -> list[LegCarrier]:
    return [
        LegCarrier(seq=n, **{f: row.get(f) for f in CARRIER_FIELDS})
        for n, row in enumerate(rows, start=1)
    ]


def _places(session: Session, codes: list[str]) -> list[Place]:
    found, missing = _by_codes(session, Place, codes)
    if missing:
        raise Invalid(errors={"destinations": [_l("No such place: %(codes)s.", codes=missing)]})
    return found


def _crossings(session: Session, codes: list[str]) -> list[BorderCrossing]:
    found, missing = _by_codes(session, BorderCrossing, codes)
    if missing:
        message = _l("No such border crossing: %(codes)s.", codes=missing)
        raise Invalid(errors={"border_crossings": [message]})
    return found


def _by_codes(session: Session, model, codes: list[str]) -> tuple[list, str]:
    """The objects of ``codes``, each once in the order given, and the codes not found."""
    wanted = list(dict.fromkeys(codes))
    found = {obj.code: obj for obj in session.scalars(select(model).where(model.code.in_(wanted)))}
    missing = ", ".join(code for code in wanted if code not in found)
    return [found[code] for code in wanted if code in found], missing


def destination_legs(session: Session, route: Route) -> dict[str, tuple[int | None, int | None]]:
    """The route's last leg to each destination where its figures differ from the leg's
    own: ``{place code: (km, hours)}``."""
    rows = session.execute(
        select(Place.code, route_destinations.c.distance_km, route_destinations.c.transit_hours)
        .join(Place, Place.id == route_destinations.c.place_id)
        .where(route_destinations.c.route_id == route.id)
        .where(
            (route_destinations.c.distance_km.is_not(None))
            | (route_destinations.c.transit_hours.is_not(None))
        )
        .order_by(Place.code)
    )
    return {code: (km, hours) for code, km, hours in rows}


def set_destination_legs(session: Session, route: Route, rows: list[dict]) -> str:
    """Give the last leg's figures to each destination ``rows`` names (the rest take the
    leg's own); a place that is not a destination of the route is ``Invalid``. Returns the
    figures as text for the log."""
    ids = {place.code: place.id for place in route.destinations}
    unknown = sorted({row["place"] for row in rows} - set(ids))
    if unknown:
        raise Invalid(
            errors={
                "destination_legs": [
                    _l("Not a destination of this route: %(codes)s.", codes=", ".join(unknown))
                ]
            }
        )
    given = {row["place"]: (row.get("distance_km"), row.get("transit_hours")) for row in rows}
    for code, place_id in ids.items():
        km, hours = given.get(code, (None, None))
        session.execute(
            route_destinations.update()
            .where(route_destinations.c.route_id == route.id,
                   route_destinations.c.place_id == place_id)
            .values(distance_km=km, transit_hours=hours)
        )  # fmt: skip
    return _legs_text({code: figures for code, figures in sorted(given.items()) if any(figures)})


def _legs_text(figures: dict) -> str:
    return "; ".join(f"{code} {km or '—'} km {hours or '—'} h"
                     for code, (km, hours) in figures.items())  # fmt: skip


def _references(route: Route) -> dict:
    """Destinations, crossings and refused classes as text for the log (the unchanged value
    first, so that before and after compare)."""
    return {
        "destinations": [None, ", ".join(p.code for p in route.destinations)],
        "border_crossings": [None, ", ".join(c.code for c in route.border_crossings)],
        "refused_dg_classes": [None, ", ".join(route.refused_dg_classes or [])],
    }


def _leg_text(leg: Leg) -> str:
    return f"{leg.mode.name} {leg.origin_en} → {leg.destination_en}"


def _carrier_text(leg: Leg) -> str:
    return "; ".join(
        c.name_en + (f" ({c.payer_code})" if c.payer_code else "") for c in leg.carriers
    )


def _log_removed(session: Session, admin: User, route: Route, leg: Leg) -> None:
    record_change(session, admin, "leg", leg.id, "delete", f"{route.code} #{leg.seq}", {
        f: [as_text(getattr(leg, f)), None] for f in LEG_FIELDS if getattr(leg, f)
    })  # fmt: skip
