"""Companies, users, passwords and API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from dryport.db import first_row, loaded, utcnow
from dryport.models import ApiToken, Company, PasswordReset, Role, Station, User
from dryport.services import credit_codes, passwords
from dryport.services.errors import Conflict, Invalid, NotFound, Unauthorized

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("dryport-timing-equaliser")


def normalise_credit_code(raw: str) -> str:
    """Validate a unified social credit code (GB 32100) and return it normalised.

    Raises ``Invalid`` naming what is wrong; a wrong check character names the right one
    (see ``credit_codes.validate``).
    """
    return credit_codes.validate(raw)


def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


def check_password_rule(password: str, email: str | None = None) -> None:
    """Raises ``Invalid`` (on ``password``) unless the password is long enough to resist
    guessing (and not so long that hashing it is a burden: a passphrase fits), is not one of
    the commonest passwords, and is not the user's ``email`` or the part before its @."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            errors={"password": [_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH)]},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            _l("The password may have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH),
            errors={"password": [_l("At most %(n)d characters.", n=MAX_PASSWORD_LENGTH)]},
        )
    if passwords.is_common(password):
        raise Invalid(
            _l("This password is one of the most common ones: choose another."),
            errors={"password": [_l("One of the most common passwords: choose another.")]},
        )
    if passwords.is_own_email(password, email):
        raise Invalid(
            _l("The password may not be your email address or its name part."),
            errors={"password": [_l("Not your email address or the part before its @.")]},
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_company(session: Session, credit_code: str) -> Company | None:
    return session.scalar(
        select(Company).where(Company.credit_code == normalise_credit_code(credit_code))
    )


def get_or_create_company(session: Session, name: str, credit_code: str, **contact) -> Company:
    """The company with this credit code, created when new. Raises ``Conflict`` when the code
    belongs to a company of another name, or was registered by a concurrent request while
    this one created it (the database's unique constraint decides)."""
    code = normalise_credit_code(credit_code)
    company = find_company(session, code)
    if company is None:
        company = Company(name=name.strip(), credit_code=code, **contact)
        session.add(company)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # a concurrent request registered the code first
            raise _company_taken() from None
    elif company.name != name.strip():
        raise Conflict(
            _l("This credit code belongs to %(name)s.", name=company.name),
            errors={"credit_code": [_l("Registered under another name.")]},
        )
    return company


def create_user(
    session: Session,
    *,
    role: Role,
    email: str,
    password: str,
    name: str | None = None,
    company: Company | None = None,
    station_code: str | None = None,
    locale: str = "zh",
) -> User:
    """Create a user. Shippers need a company, clerks a station; the email must be new.

    Raises ``Invalid`` for a missing company or station, ``Conflict`` for a used email.
    """
    email = normalise_email(email)
    check_password_rule(password, email)
    station = None
    if role is Role.SHIPPER and company is None:
        raise Invalid(_l("A shipper belongs to a company."), errors={"company": [_l("Required.")]})
    if role is Role.CLERK:
        station = session.scalar(select(Station).where(Station.code == (station_code or "")))
        if station is None:
            raise Invalid(
                _l("A clerk works at one station; give a known station code."),
                errors={"station": [_l("Unknown station.")]},
            )
    password_hash = hash_password(password)  # before the check: a known email costs as long
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise _email_taken()
    user = User(
        email=email,
        password_hash=password_hash,
        name=(name or email.split("@")[0]).strip(),
        role=role,
        company=company if role is Role.SHIPPER else None,
        station=station,
        locale=locale,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a concurrent registration took the email first
        raise _email_taken() from None
    return user


class EmailTaken(Conflict):
    """The email address belongs to a user already."""


def _email_taken() -> EmailTaken:
    return EmailTaken(
        _l("This email address is already registered."),
        errors={"email": [_l("Already registered.")]},
    )


def _company_taken() -> Conflict:
    return Conflict(
        _l("This company is already registered. Ask the port to add you to its account."),
        errors={"credit_code": [_l("Already registered.")]},
    )


def register_shipper(session: Session, data: dict) -> User | None:
    """Self-registration: a new company and its first shipper user.

    A company already registered is refused (``Conflict``), also when a concurrent
    registration took its credit code first: anyone can read a credit code off a business
    licence, so joining an existing company takes the port's administrator.

    An email address already registered is not told apart from a new one (no enumeration):
    the same work is done (the password is hashed), nothing is kept, and ``None`` is returned
    where a new user would be; the interface answers both alike. Once the product sends mail,
    the owner of the address is told of the attempt.
    """
    if find_company(session, data["credit_code"]) is not None:
        raise _company_taken()
    try:
        with session.begin_nested():
            company = get_or_create_company(
                session,
                data["company_name"],
                data["credit_code"],
                address=data.get("address"),
                contact_name=data.get("name"),
                contact_phone=data.get("phone"),
            )
            return create_user(
                session,
                role=Role.SHIPPER,
                email=data["email"],
                password=data["password"],
                name=data.get("name"),
                company=company,
                locale=data.get("locale", "zh"),
            )
    except EmailTaken:
        return None


def authenticate(session: Session, email: str, password: str) -> User:
    """The active user with this email and password; raises ``Unauthorized`` otherwise.

    The message does not say which of the two was wrong.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and ok and user.active):
        raise Unauthorized(_l("Wrong email or password."))
    user.last_login_at = utcnow()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password; the user's web sessions end and its API tokens are revoked with the
    old one."""
    check_password_rule(password, user.email)
    user.password_hash = hash_password(password)
    end_sessions(user)
    revoke_tokens(session, user)
    end_reset_links(session, user)


def end_reset_links(session: Session, user: User) -> None:
    """Every open password reset link of the user stops working (a password set by any
    way makes the links mailed for the old one useless)."""
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )


def end_sessions(user: User) -> None:
    """End every web session of the user, copies of its cookie included: the session key
    holds the generation it signed in with (``User.get_id``), and ``load_user`` refuses an
    older one."""
    user.session_generation += 1


def revoke_tokens(session: Session, user: User) -> None:
    """Revoke every API token of the user for good: re-activating the user later does not
    bring them back."""
    now = utcnow()
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now


def deactivate(session: Session, user: User) -> None:
    """The user can no longer sign in; its sessions end and its API tokens are revoked."""
    user.active = False
    end_sessions(user)
    revoke_tokens(session, user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(
    session: Session, user: User, ttl: timedelta, name: str = "api"
) -> tuple[str, ApiToken]:
    """A new bearer token for ``user``; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    record = ApiToken(
        user=user, name=name, token_hash=_token_hash(token), expires_at=utcnow() + ttl
    )
    session.add(record)
    session.flush()
    return token, record


# Every API call asks it: built once, the token's few columns and its user's row (made the
# user object by ``db.loaded``; the user's company and station load when asked for).
_TOKEN = (
    select(
        ApiToken.id.label("token_id"),
        ApiToken.expires_at.label("token_expires_at"),
        ApiToken.revoked_at.label("token_revoked_at"),
        ApiToken.last_used_at.label("token_last_used_at"),
        *User.__table__.columns,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOKEN_USED = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("at"))
    .execution_options(synchronize_session=False)
)


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User:
    """The active user a bearer token belongs to; raises ``Unauthorized`` when it is unknown,
    revoked or expired. Its last use is noted, at most once an hour (no write per call)."""
    now = now or utcnow()
    row = first_row(session, _TOKEN, {"token_hash": _token_hash(token)})
    if row is None or row.token_revoked_at or row.token_expires_at <= now or not row.active:
        raise Unauthorized(_l("The token is invalid or has expired."))
    if row.token_last_used_at is None or now - row.token_last_used_at > timedelta(hours=1):
        session.execute(_TOKEN_USED, {"token_id": row.token_id, "at": now})
    return loaded(session, User, row)


PERSONAL_TOKEN_DAYS = (30, 90, 365)


def personal_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's named tokens that still work, newest first (never the tokens themselves)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > utcnow(),
            )
            .order_by(ApiToken.created_at.desc())
        )
    )


def create_personal_token(session: Session, user: User, name: str, days: int):
    """A named token for the user's own programs, valid ``days`` (30, 90 or 365)."""
    if days not in PERSONAL_TOKEN_DAYS:
        raise Invalid(errors={"days": [_l("30, 90 or 365 days.")]})
    name = (name or "").strip()
    if not 1 <= len(name) <= 64:
        raise Invalid(errors={"name": [_l("1 to %(n)d characters.", n=64)]})
    return issue_api_token(session, user, timedelta(days=days), name=name)


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another's is ``NotFound``."""
    record = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if record is None:
        raise NotFound()
    record.revoked_at = record.revoked_at or utcnow()
    return record
