"""Weekly schedules: the departures of one service on one weekday over a range of days,
planned in one go. Each is an ordinary departure, planned by ``operations.create_departure``,
so that it is edited, cancelled and booked like any other."""

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.models import Departure, Route, User
from dryport.services.access import STAFF, require_role
from dryport.services.clock import LOCAL_TZ, local_minute, utcnow
from dryport.services.errors import Invalid
from dryport.services.operations import create_departure

#: The longest range one schedule covers, both ends counted: a year, a leap day included.
MAX_DAYS = 366
#: The earliest hub cut-off a schedule sets: a week before the train, when the one before it
#: leaves. A single departure may be planned with any cut-off before it.
MAX_CUTOFF_HOURS = 168


def series_times(
    weekday: int, at: time, cutoff_hours: int, start: date, end: date
) -> list[tuple[datetime, datetime]]:
    """``(departs_at, cutoff_at)`` of each ``weekday`` (ISO, Monday 1) from ``start`` to
    ``end``, both included, at ``at`` Beijing time; the cut-off ``cutoff_hours`` before.
    Beijing keeps no summer time, so every week's train leaves at the same UTC time."""
    day = start + timedelta(days=(weekday - start.isoweekday()) % 7)
    times = []
    while day <= end:
        departs = datetime.combine(day, at, tzinfo=LOCAL_TZ)
        times.append((departs, departs - timedelta(hours=cutoff_hours)))
        day += timedelta(weeks=1)
    return times


def create_series(session: Session, user: User, data: dict) -> dict:
    """Plan the weekly departures of ``data["service_no"]`` on ``data["route"]``: one on each
    ``weekday`` from ``from`` to ``to`` (dates, both included) at ``time`` Beijing time, the
    hub cut-off ``cutoff_hours`` before, each with ``capacity_teu`` (and ``capacity_kg``,
    ``border_crossing`` when given).

    A day on which the route already has a departure at that time, whatever its service
    number or status, is skipped, so sending the same schedule twice, or one overlapping an
    earlier one, plans only what is missing. The route's row is locked first, so two
    schedules sent at once cannot both plan the same train. Each departure goes through
    ``create_departure`` (its checks and its audit entry); all are planned or none.

    Returns ``{"created": [...], "skipped": [...]}`` (departures, by time). Raises ``Invalid``
    for an unknown route, ``to`` before ``from`` or more than ``MAX_DAYS`` after, a range
    without that weekday, or a departure to plan whose cut-off has passed.
    """
    require_role(user, *STAFF)
    route = session.scalar(select(Route).where(Route.code == data["route"]))
    if route is None:
        raise Invalid(errors={"route": [_l("No such route.")]})
    start, end = data["from"], data["to"]
    if end < start:
        raise Invalid(errors={"to": [_l("The last day cannot come before the first.")]})
    if (end - start).days >= MAX_DAYS:
        raise Invalid(
            errors={"to": [_l("At most %(days)d days, both ends counted.", days=MAX_DAYS)]}
        )
    times = series_times(data["weekday"], data["time"], data["cutoff_hours"], start, end)
    if not times:
        raise Invalid(errors={"weekday": [_l("That weekday does not fall in the range.")]})
    # one schedule of a route at a time: the check below stays true until the writes commit
    session.execute(select(Route.id).where(Route.id == route.id).with_for_update())
    existing = {
        departure.departs_at: departure
        for departure in session.scalars(
            select(Departure).where(
                Departure.route_id == route.id,
                Departure.departs_at.in_([departs for departs, _ in times]),
            )
        )
    }
    missing = [(d, c) for d, c in times if d not in existing]
    now = utcnow()
    closed = next((c for _, c in missing if c <= now), None)
    if closed is not None:
        raise Invalid(
            errors={
                "from": [
                    _l(
                        "A departure in the range would close for bookings at %(time)s"
                        " (Beijing time), which has passed; start the range later.",
                        time=local_minute(closed),
                    )
                ]
            }
        )
    created = []
    with session.begin_nested():  # all of them, or none
        for departs, cutoff in missing:
            created.append(
                create_departure(session, user, {
                    "route": route.code, "service_no": data["service_no"],
                    "departs_at": departs, "cutoff_at": cutoff,
                    "capacity_teu": data["capacity_teu"],
                    "capacity_kg": data.get("capacity_kg"),
                    "border_crossing": data.get("border_crossing"),
                })
            )  # fmt: skip
    skipped = sorted(existing.values(), key=lambda d: (d.departs_at, d.id))
    return {"created": created, "skipped": skipped}
