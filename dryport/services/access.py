"""Who may see and do what. Every object lookup goes through a scope defined here."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, true

from dryport.models import Booking, Role, User
from dryport.services.errors import Forbidden

STAFF = (Role.OPERATOR, Role.ADMIN)


def require_role(user: User, *roles: Role) -> None:
    """Raises ``Forbidden`` unless ``user`` has one of ``roles``."""
    if user is None or not user.is_authenticated or user.role not in roles:
        raise Forbidden(_l("Your role does not allow this."))


def booking_scope(user: User) -> ColumnElement[bool]:
    """The bookings ``user`` may see: its company's (shipper), its station's (clerk), all
    (operator, admin)."""
    if user.role is Role.SHIPPER:
        return Booking.company_id == user.company_id
    if user.role is Role.CLERK:
        return Booking.origin_station_id == user.station_id
    if user.role in STAFF:
        return true()
    raise Forbidden(_l("Your role does not allow this."))  # pragma: no cover
