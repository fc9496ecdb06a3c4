"""Finding departures; planning them comes with the operator's tools."""

from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dryport.models import Departure, Route
from dryport.services.clock import local_day_end, local_day_start, local_today
from dryport.services.errors import NotFound


def departures_query(
    route: str | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
) -> Select:
    """Departures of ``route`` (code) departing in [start, end), soonest first.

    A date means the whole day in Asia/Shanghai; without ``start`` the list begins today.
    """
    if start is None:
        start = local_today()
    if isinstance(start, date) and not isinstance(start, datetime):
        start = local_day_start(start)
    if isinstance(end, date) and not isinstance(end, datetime):
        end = local_day_end(end)
    stmt = select(Departure).where(Departure.departs_at >= start)
    if end is not None:
        stmt = stmt.where(Departure.departs_at < end)
    if route:
        stmt = stmt.join(Departure.route).where(Route.code == route)
    return stmt.order_by(Departure.departs_at, Departure.id)


def get_departure(session: Session, departure_id: int) -> Departure:
    """Raises ``NotFound`` for an unknown id."""
    departure = session.get(Departure, departure_id)
    if departure is None:
        raise NotFound()
    return departure
