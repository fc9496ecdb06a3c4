"""Tariffs as the port's commercial staff keep them (``models.Tariff``; pricing reads them in
``services.pricing``).

Who: administrators and operators change tariffs; everyone signed in reads them.

The rules of a tariff's key and validity, checked with the route's row locked so that two
requests cannot both pass them:

- one tariff per route, leg (or through) and size group on any day; a through rate and the
  per-leg rates of the same route and group never overlap either, as pricing would not know
  which applies;
- the tariffs of one route valid on overlapping days share one currency (a quote is in one);
- a tariff starts today at the earliest: what was charged before is history.

History: a tariff is never deleted. One whose validity has started keeps its prices, currency,
route, leg and group; only its end may move (to today at the earliest). A new price is a new
tariff, the old one closed the day before (``revise_tariff``). Every change is in the audit
log with each field's value before and after.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from dryport.models import SIZE_GROUPS, Role, Route, Tariff, User
from dryport.services.access import require_role
from dryport.services.admin import apply_changes, as_text, record_change
from dryport.services.clock import local_today
from dryport.services.errors import Conflict, Invalid, NotFound
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import matches, search_text
from dryport.services.shipment import CURRENCIES

#: Who changes tariffs: the port's commercial staff are operators.
TARIFF_ADMINS = (Role.ADMIN, Role.OPERATOR)
AMOUNTS = ("amount", "dg_surcharge", "reefer_surcharge", "overweight_surcharge")
#: What a tariff in force keeps: a new price is a new tariff.
PRICE_FIELDS = ("currency", *AMOUNTS)
FIELDS = (*PRICE_FIELDS, "valid_from", "valid_to", "note")
MAX_AMOUNT = Decimal(10**11)
CENT = Decimal("0.01")

SORTING = Sorting(
    columns={
        "valid_from": Tariff.valid_from,
        "valid_to": Tariff.valid_to,
        "route": Route.code,
        "leg_seq": Tariff.leg_seq,
        "size_group": Tariff.size_group,
        "amount": Tariff.amount,
        "created_at": Tariff.created_at,
    },
    default=("-valid_from", "route", "leg_seq", "size_group"),
    tiebreak=Tariff.id,
)


def tariffs_query(
    route: str | None = None,
    size_group: str | None = None,
    on: date | None = None,
    leg_seq: int | None = None,
    q: str | None = None,
    sort: Sequence[str] | None = None,
) -> Select:
    """Tariffs, newest validity first unless ``sort`` says otherwise (keys of ``SORTING``):
    of ``route`` (code), ``size_group`` and ``leg_seq`` (0: through rates only), those valid
    on the day ``on``; with ``q``, those whose route code or note contains it."""
    stmt = select(Tariff).join(Tariff.route)
    if route:
        stmt = stmt.where(Route.code == route)
    if size_group:
        stmt = stmt.where(Tariff.size_group == size_group)
    if leg_seq is not None:
        stmt = stmt.where(Tariff.leg_seq.is_(None) if leg_seq == 0 else Tariff.leg_seq == leg_seq)
    if on is not None:
        stmt = stmt.where(Tariff.valid_from <= on, or_(Tariff.valid_to.is_(None),
                                                       Tariff.valid_to >= on))  # fmt: skip
    if q := search_text(q):
        stmt = stmt.where(matches(q, Route.code, Tariff.note))
    return order_by(stmt, sort, SORTING)


def get_tariff(session: Session, tariff_id: int) -> Tariff:
    """The tariff ``tariff_id``; raises ``NotFound``."""
    tariff = session.get(Tariff, tariff_id)
    if tariff is None:
        raise NotFound()
    return tariff


def in_force(tariff: Tariff, today: date | None = None) -> bool:
    """Whether ``tariff`` prices today's bookings (Beijing)."""
    return tariff.valid_on(today or local_today())


def has_started(tariff: Tariff, today: date | None = None) -> bool:
    """Whether ``tariff``'s validity has begun: its prices are then history."""
    return tariff.valid_from <= (today or local_today())


def create_tariff(session: Session, user: User, data: dict) -> Tariff:
    """Add a tariff: ``route`` (code), ``leg_seq`` (None: through), ``size_group``,
    ``currency``, ``amount`` and the surcharges, ``valid_from`` (today at the earliest),
    ``valid_to`` (None: open-ended), ``note``.

    Raises ``Forbidden`` for a role other than administrator or operator, ``Invalid`` naming
    the field for an unknown route or leg, a bad amount or currency, a validity that starts
    in the past, ends before it starts or overlaps another tariff of the same key, or a
    currency other than the one the route is priced in on those days."""
    require_role(user, *TARIFF_ADMINS)
    route = _route(session, data.get("route"))
    lock_routes(session, [route.id])
    tariff = Tariff(
        route=route, leg_seq=data.get("leg_seq"), size_group=data.get("size_group"),
        currency=data.get("currency"), valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"), note=data.get("note"), created_by=user,
        **{name: data.get(name, Decimal(0)) for name in AMOUNTS},
    )  # fmt: skip
    if tariff.amount is None:
        raise Invalid(errors={"amount": [_l("This field is required.")]})
    _check(session, tariff, new_start=True)
    session.add(tariff)
    session.flush()
    record_change(session, user, "tariff", tariff.id, "create", summary(tariff), {
        "route": [None, route.code], "leg_seq": [None, tariff.leg_seq],
        "size_group": [None, tariff.size_group],
        **{name: [None, as_text(getattr(tariff, name))] for name in FIELDS},
    })  # fmt: skip
    return tariff


def update_tariff(session: Session, user: User, tariff_id: int, data: dict) -> Tariff:
    """Change a tariff, made on the ``version`` read (a stale one is a ``Conflict``).

    One not yet in force may change in full, under the rules of ``create_tariff``. One whose
    validity has started keeps its prices, currency, route, leg and group (a change of any is
    a ``Conflict``: close it and add a new tariff); its end may move to today at the
    earliest, or be left open, and its note may change. One that has ended is history."""
    require_role(user, *TARIFF_ADMINS)
    tariff = get_tariff(session, tariff_id)
    route = _route(session, data["route"]) if data.get("route") else tariff.route
    lock_routes(session, [tariff.route_id, route.id])
    tariff = _lock(session, tariff_id, data.get("version"))
    today = local_today()
    before = summary(tariff)
    if has_started(tariff, today):
        _check_closing(tariff, data, today)
        changes = apply_changes(tariff, data, ("valid_to", "note"))
        if "valid_to" in changes:
            _check_overlaps(session, tariff)
    else:
        changes = {}
        if route.id != tariff.route_id:
            changes["route"] = [tariff.route.code, route.code]
            tariff.route = route
        changes.update(apply_changes(tariff, data, ("leg_seq", "size_group", *FIELDS)))
        if changes:
            _check(session, tariff, new_start=True)
    if changes:
        record_change(session, user, "tariff", tariff.id, "update", before, changes)
        session.flush()
    return tariff


def revise_tariff(session: Session, user: User, tariff_id: int, data: dict) -> Tariff:
    """A new price from a day: close tariff ``tariff_id`` the day before ``valid_from`` and
    add a tariff of the same route, leg and group from that day, with the prices of ``data``
    (currency: the old one's unless given), in one piece: on any error neither is written.

    ``valid_from`` must be after the old tariff's start and after today (today's bookings
    are priced already), and not after the old tariff's end. ``route``, ``leg_seq`` and
    ``size_group`` given must be the old tariff's; a price or the currency not given is the
    old tariff's. Raises as ``update_tariff`` and
    ``create_tariff`` do; returns the new tariff."""
    require_role(user, *TARIFF_ADMINS)
    old = get_tariff(session, tariff_id)
    lock_routes(session, [old.route_id])
    old = _lock(session, tariff_id, data.get("version"))
    errors = {
        name: [_l("A new price keeps the replaced tariff's %(value)s.", value=value)]
        for name, value in (("route", old.route.code), ("leg_seq", old.leg_seq),
                            ("size_group", old.size_group))
        if name in data and data[name] != value
    }  # fmt: skip
    if errors:
        raise Invalid(errors=errors)
    start = data.get("valid_from")
    if start is None:
        raise Invalid(errors={"valid_from": [_l("This field is required.")]})
    earliest = max(old.valid_from, local_today()) + timedelta(days=1)
    if start < earliest:
        raise Invalid(errors={"valid_from": [
            _l("From %(day)s at the earliest.", day=earliest.isoformat())]})  # fmt: skip
    if old.valid_to is not None and start > old.valid_to:
        raise Invalid(errors={"valid_from": [_l(
            "The tariff ends on %(day)s already: add a new tariff instead.",
            day=old.valid_to.isoformat())]})  # fmt: skip
    new_data = {
        **{name: getattr(old, name) for name in PRICE_FIELDS}, **data,
        "route": old.route.code, "leg_seq": old.leg_seq, "size_group": old.size_group,
    }  # fmt: skip
    with session.begin_nested():  # the old one's end with the new one, or neither
        before = summary(old)
        changes = apply_changes(old, {"valid_to": start - timedelta(days=1)}, ("valid_to",))
        session.flush()
        record_change(session, user, "tariff", old.id, "update", before, changes)
        new = create_tariff(session, user, new_data)
    return new


def lock_routes(session: Session, route_ids) -> None:
    """Lock the routes' rows until commit, in id order: the tariffs of a route are checked
    and written by one request at a time (PostgreSQL; SQLite serialises its writers)."""
    session.execute(
        select(Route.id).where(Route.id.in_(set(route_ids))).order_by(Route.id).with_for_update()
    )


def summary(tariff: Tariff) -> str:
    """How the audit log names a tariff: ``XAEU leg 2 40 2026-01-01``."""
    leg = "through" if tariff.leg_seq is None else f"leg {tariff.leg_seq}"
    return f"{tariff.route.code} {leg} {tariff.size_group} {tariff.valid_from.isoformat()}"


# ---- the rules ---------------------------------------------------------------------------


def _route(session: Session, code: str | None) -> Route:
    route = session.scalar(select(Route).where(Route.code == (code or "")))
    if route is None:
        raise Invalid(errors={"route": [_l("No such route.")]})
    return route


def _lock(session: Session, tariff_id: int, version: int | None) -> Tariff:
    tariff = session.get(Tariff, tariff_id, with_for_update={"of": Tariff}, populate_existing=True)
    if tariff is None:
        raise NotFound()
    if version is not None and tariff.version != version:
        raise Conflict(_l("Someone else changed this since you opened it; reload and try again."))
    return tariff


def _check_closing(tariff: Tariff, data: dict, today: date) -> None:
    """What may change of a tariff whose validity has started: its end and its note."""
    kept = [name for name in (*PRICE_FIELDS, "leg_seq", "size_group", "valid_from")
            if name in data and data[name] != getattr(tariff, name)]  # fmt: skip
    if "route" in data and data["route"] != tariff.route.code:
        kept.append("route")
    if kept:
        raise Conflict(
            _l("This tariff is in force since %(day)s and its prices are history: close it and "
               "add a new tariff (New price from…).", day=tariff.valid_from.isoformat()),
            errors={name: [_l("Cannot change once in force.")] for name in kept},
        )  # fmt: skip
    if tariff.valid_to is not None and tariff.valid_to < today:
        raise Conflict(_l("This tariff ended on %(day)s: it is history.",
                          day=tariff.valid_to.isoformat()))  # fmt: skip
    end = data.get("valid_to", tariff.valid_to)
    if end is not None and end < today:
        raise Invalid(errors={"valid_to": [
            _l("Today (%(day)s) at the earliest.", day=today.isoformat())]})  # fmt: skip


def _check(session: Session, tariff: Tariff, new_start: bool) -> None:
    """The rules of ``create_tariff`` for ``tariff`` (not yet flushed, or changed)."""
    errors: dict[str, list] = {}
    legs = {leg.seq for leg in tariff.route.legs}
    if tariff.leg_seq is not None and tariff.leg_seq not in legs:
        seqs = ", ".join(str(seq) for seq in sorted(legs))
        errors["leg_seq"] = [_l("A leg of the route (%(legs)s), or none for a through rate.",
                                legs=seqs)]  # fmt: skip
    if tariff.size_group not in SIZE_GROUPS:
        errors["size_group"] = [_l("One of %(groups)s.", groups=", ".join(SIZE_GROUPS))]
    if tariff.currency not in CURRENCIES:
        errors["currency"] = [_l("An ISO 4217 currency code, e.g. CNY.")]
    for name in AMOUNTS:
        value = getattr(tariff, name)
        if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= MAX_AMOUNT:
            errors[name] = [_l("From 0 to %(max)s.", max=f"{MAX_AMOUNT:,}")]
        elif value != value.quantize(CENT):
            errors[name] = [_l("At most 2 decimal places.")]
    if tariff.valid_from is None:
        errors["valid_from"] = [_l("This field is required.")]
    elif new_start and tariff.valid_from < local_today():
        errors["valid_from"] = [_l("Today (%(day)s) at the earliest: earlier prices are history.",
                                   day=local_today().isoformat())]  # fmt: skip
    elif tariff.valid_to is not None and tariff.valid_to < tariff.valid_from:
        errors["valid_to"] = [_l("Not before the first day.")]
    if errors:
        raise Invalid(errors=errors)
    _check_overlaps(session, tariff)


def _others(session: Session, tariff: Tariff) -> list[Tariff]:
    """The route's other tariffs valid on a day ``tariff`` is."""
    stmt = select(Tariff).where(
        Tariff.route_id == tariff.route.id,
        or_(Tariff.valid_to.is_(None), Tariff.valid_to >= tariff.valid_from),
    )
    if tariff.valid_to is not None:
        stmt = stmt.where(Tariff.valid_from <= tariff.valid_to)
    if tariff.id is not None:
        stmt = stmt.where(Tariff.id != tariff.id)
    with session.no_autoflush:
        return list(session.scalars(stmt.order_by(Tariff.valid_from, Tariff.id)))


def _check_overlaps(session: Session, tariff: Tariff) -> None:
    others = _others(session, tariff)
    for other in others:
        if other.size_group != tariff.size_group:
            continue
        both_legs = other.leg_seq is not None and tariff.leg_seq is not None
        if both_legs and other.leg_seq != tariff.leg_seq:
            continue
        raise Invalid(errors={"valid_from": [_overlap_message(tariff, other)]})
    for other in others:
        if other.currency != tariff.currency:
            raise Invalid(errors={"currency": [_l(
                "The route is priced in %(currency)s from %(start)s to %(end)s: one currency at "
                "a time.", currency=other.currency, start=other.valid_from.isoformat(),
                end=_end(other))]})  # fmt: skip


def _overlap_message(tariff: Tariff, other: Tariff):
    period = {"start": other.valid_from.isoformat(), "end": _end(other), "id": other.id}
    if other.leg_seq == tariff.leg_seq:
        return _l("Overlaps tariff %(id)s, valid from %(start)s to %(end)s: close it first.",
                  **period)  # fmt: skip
    if other.leg_seq is None:
        return _l("Overlaps the through rate %(id)s, valid from %(start)s to %(end)s: a route "
                  "is priced through or leg by leg, not both.", **period)  # fmt: skip
    return _l("Overlaps the rate of leg %(leg)s (tariff %(id)s), valid from %(start)s to "
              "%(end)s: a route is priced through or leg by leg, not both.", leg=other.leg_seq,
              **period)  # fmt: skip


def _end(tariff: Tariff) -> str:
    return tariff.valid_to.isoformat() if tariff.valid_to is not None else str(_l("open end"))
