import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, enum_type, utcnow
from dryport.extensions import db
from dryport.models.company import Company
from dryport.models.station import Station


class Role(enum.Enum):
    SHIPPER = "SHIPPER"
    CLERK = "CLERK"
    OPERATOR = "OPERATOR"
    ADMIN = "ADMIN"


class User(UserMixin, db.Model):
    """A person who signs in. Shippers belong to a company, clerks to one station."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'SHIPPER' OR company_id IS NOT NULL", name="shipper_has_company"),
        CheckConstraint("role <> 'CLERK' OR station_id IS NOT NULL", name="clerk_has_station"),
        CheckConstraint("locale IN ('zh', 'en')", name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="zh")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped by every administrative edit; an edit made from an older read is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Part of every web session's key (``get_id``): bumped by sign-out, a new password and
    # deactivation, which ends every session of the user, including copies of its cookie.
    session_generation: Mapped[int] = mapped_column(default=1, server_default="1")

    company: Mapped[Company | None] = relationship(lazy="joined")
    station: Mapped[Station | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session key, kept in the session at sign-in: the id and the session
        generation. ``load_user`` refuses a key whose generation is no longer the user's, so
        sessions end on the server, not only in the browser (``accounts.end_sessions``)."""
        return f"{self.id}:{self.session_generation}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.name}>"


class ApiToken(db.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
