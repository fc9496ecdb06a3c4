"""The administrator's work: stations and the people who sign in (routes and their legs:
``services.routes``; places and border crossings: ``services.places``). Every change is
written to the audit log with each field's value before and after."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dryport.models import AuditEntry, Company, Role, Station, StationKind, User
from dryport.services import accounts
from dryport.services.access import require_role
from dryport.services.errors import Conflict, Invalid, NotFound
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import matches, search_text

USER_SORTING = Sorting(
    columns={
        "email": User.email,
        "name": User.name,
        "role": User.role,
        "active": User.active,
        "created_at": User.created_at,
        "last_login_at": User.last_login_at,
    },
    default=("role", "email"),
    tiebreak=User.id,
)
AUDIT_SORTING = Sorting(columns={"at": AuditEntry.at}, default=("-at",), tiebreak=AuditEntry.id)


def users_query(q: str | None = None, sort: Sequence[str] | None = None) -> Select:
    """Everyone who signs in, in the order of ``sort`` (keys of ``USER_SORTING``; by role,
    then e-mail); with ``q``, those whose e-mail, name or company name contains it
    (``services.search``)."""
    stmt = select(User)
    if q := search_text(q):
        companies = select(Company.id).where(matches(q, Company.name))
        stmt = stmt.where(or_(matches(q, User.email, User.name), User.company_id.in_(companies)))
    return order_by(stmt, sort, USER_SORTING)


def audit_query(q: str | None = None, sort: Sequence[str] | None = None) -> Select:
    """The audit log, newest first unless ``sort`` says otherwise; with ``q``, the entries
    whose summary, entity or action, or whose actor's name or e-mail, contains it."""
    stmt = select(AuditEntry)
    if q := search_text(q):
        actors = select(User.id).where(matches(q, User.name, User.email))
        stmt = stmt.where(
            or_(
                matches(q, AuditEntry.summary, AuditEntry.entity, AuditEntry.action),
                AuditEntry.actor_id.in_(actors),
            )
        )
    return order_by(stmt, sort, AUDIT_SORTING)


def record_change(
    session: Session, actor: User | None, entity: str, entity_id: int, action: str,
    summary: str, changes: dict | None = None,
) -> AuditEntry:  # fmt: skip
    """Write one entry of the audit log."""
    entry = AuditEntry(
        actor=actor, entity=entity, entity_id=entity_id, action=action, summary=summary,
        changes=changes or {},
    )  # fmt: skip
    session.add(entry)
    return entry


def apply_changes(obj, data: dict, fields: tuple[str, ...]) -> dict:
    """Set ``fields`` of ``obj`` from ``data``; return ``{field: [before, after]}`` of those
    that changed, as text for the log."""
    changes = {}
    for field in fields:
        if field not in data:
            continue
        before, after = getattr(obj, field), data[field]
        if before != after:
            setattr(obj, field, after)
            changes[field] = [as_text(before), as_text(after)]
    return changes


def as_text(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "name", str(value))


def lock_for_edit(session: Session, obj, version: int | None) -> None:
    """Lock ``obj``'s row and refuse an edit made from an older read of it."""
    model = type(obj)
    session.execute(select(model.id).where(model.id == obj.id).with_for_update())
    session.refresh(obj)
    if version is not None and obj.version != version:
        raise Conflict(_l("Someone else changed this since you opened it; reload and try again."))


def bump_version(obj, changes: dict) -> None:
    if changes:
        obj.version += 1


def get_station(session: Session, code: str) -> Station:
    return by_code(session, Station, code)


def create_station(session: Session, admin: User, data: dict) -> Station:
    """Add a county sub-station (there is one hub). A code already taken is a ``Conflict``
    on ``code``."""
    require_role(admin, Role.ADMIN)
    station = Station(
        code=data["code"], name_zh=data["name_zh"], name_en=data["name_en"],
        kind=StationKind.SUBSTATION, feeder_hours=data["feeder_hours"],
        feeder_km=data.get("feeder_km"), active=data.get("active", True),
    )  # fmt: skip
    add_unique(session, station, station.code)
    fields = ("name_zh", "name_en", "feeder_hours", "feeder_km", "active")
    record_change(session, admin, "station", station.id, "create", station.code,
                  {f: [None, as_text(getattr(station, f))] for f in fields})  # fmt: skip
    return station


def add_unique(session: Session, obj, code: str) -> None:
    """Insert ``obj``, whose ``code`` is unique: one already taken (also by a concurrent
    request) is a ``Conflict`` on ``code``."""
    session.add(obj)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(
            _l("%(code)s exists already.", code=code), errors={"code": [_l("Already taken.")]}
        ) from None


def update_station(session: Session, admin: User, code: str, data: dict) -> Station:
    """Edit a station's names, feeder hours (which move its cut-offs) and whether it is in use."""
    require_role(admin, Role.ADMIN)
    station = get_station(session, code)
    if data.get("feeder_km") is None:  # not given: kept
        data = {key: value for key, value in data.items() if key != "feeder_km"}
    fields = ("name_zh", "name_en", "feeder_hours", "feeder_km", "active")
    edit_and_log(session, admin, station, "station", data, fields)
    return station


def by_code(session: Session, model, code: str):
    found = session.scalar(select(model).where(model.code == code))
    if found is None:
        raise NotFound()
    return found


def edit_and_log(session: Session, admin: User, obj, entity: str, data: dict, fields) -> None:
    """Lock ``obj``, refuse a stale edit, apply ``fields`` of ``data``, bump its version and
    log what changed under its code."""
    lock_for_edit(session, obj, data.get("version"))
    changes = apply_changes(obj, data, fields)
    bump_version(obj, changes)
    if changes:
        record_change(session, admin, entity, obj.id, "update", obj.code, changes)
    session.flush()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def create_user(session: Session, admin: User, data: dict) -> User:
    """Create a user of any role; a shipper joins its company by credit code and exact name."""
    require_role(admin, Role.ADMIN)
    company = None
    if data["role"] is Role.SHIPPER:
        if not data.get("credit_code"):
            raise Invalid(errors={"credit_code": [_l("A shipper belongs to a company.")]})
        if not data.get("company_name"):
            raise Invalid(errors={"company_name": [_l("The company's name, as registered.")]})
        company = accounts.get_or_create_company(session, data["company_name"], data["credit_code"])
    user = accounts.create_user(
        session, role=data["role"], email=data["email"], password=data["password"],
        name=data.get("name"), company=company, station_code=data.get("station"),
    )  # fmt: skip
    record_change(session, admin, "user", user.id, "create", user.email, {
        "role": [None, user.role.name],
        "station": [None, user.station.code if user.station else None],
        "company": [None, company.name if company else None],
    })  # fmt: skip
    return user


def update_user(session: Session, admin: User, user_id: int, data: dict) -> User:
    """Change a user's name, role, station or company, or (de)activate it. A deactivated
    user is signed out everywhere and loses its API tokens for good (``accounts.deactivate``);
    re-activating it brings neither back. Administrators cannot lock themselves out."""
    require_role(admin, Role.ADMIN)
    user = get_user(session, user_id)
    lock_for_edit(session, user, data.get("version"))
    if user.id == admin.id and (
        data.get("active") is False or data.get("role", Role.ADMIN) is not Role.ADMIN
    ):
        raise Invalid(_l("You cannot deactivate yourself or give up your own administration."))
    before = {
        "station": user.station.code if user.station else None,
        "company": user.company.name if user.company else None,
    }
    was_active = user.active
    changes = apply_changes(user, data, ("name", "role", "active"))
    if was_active and not user.active:
        accounts.deactivate(session, user)
    role = user.role
    if role is Role.CLERK:
        code = data.get("station") or before["station"]
        station = session.scalar(select(Station).where(Station.code == (code or "")))
        if station is None:
            raise Invalid(errors={"station": [_l("A clerk works at one station.")]})
        user.station = station
    else:
        user.station = None
    if role is Role.SHIPPER:
        if data.get("credit_code"):
            if not data.get("company_name"):
                raise Invalid(errors={"company_name": [_l("The company's name, as registered.")]})
            user.company = accounts.get_or_create_company(
                session, data["company_name"], data["credit_code"]
            )
        if user.company is None:
            raise Invalid(errors={"credit_code": [_l("A shipper belongs to a company.")]})
    else:
        user.company = None
    after = {
        "station": user.station.code if user.station else None,
        "company": user.company.name if user.company else None,
    }
    changes.update({k: [before[k], after[k]] for k in before if before[k] != after[k]})
    bump_version(user, changes)
    if changes:
        action = "deactivate" if changes.get("active") == [True, False] else "update"
        record_change(session, admin, "user", user.id, action, user.email, changes)
    session.flush()
    return user


def reset_password(session: Session, admin: User, user_id: int, password: str) -> User:
    """Set a new password (told to the user out of band); its API tokens stop working."""
    require_role(admin, Role.ADMIN)
    user = get_user(session, user_id)
    accounts.set_password(session, user, password)
    record_change(session, admin, "user", user.id, "reset_password", user.email)
    session.flush()
    return user
