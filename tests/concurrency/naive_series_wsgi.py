"""A deliberately broken dryport, the control for the schedule race: a weekly schedule checks
which weeks exist without the route's lock, then writes after a pause in a transaction of its
own (on SQLite too: ending the check's transaction lets go of the write lock its request took
first), so two schedules of the route sent at once can both plan the same weeks. The race test
must catch it."""

import time

from sqlalchemy import select

from dryport import create_app
from dryport.models import Departure, Route
from dryport.services import operations, schedules
from dryport.services.access import STAFF, require_role

PAUSE = 0.4  # seconds between the check and the write: the time a slow request takes


def naive_create(session, user, data):
    require_role(user, *STAFF)
    route = session.scalar(select(Route).where(Route.code == data["route"]))
    times = schedules.series_times(
        data["weekday"], data["time"], data["cutoff_hours"], data["from"], data["to"]
    )
    existing = set(
        session.scalars(select(Departure.departs_at).where(Departure.route_id == route.id))
    )
    missing = [(d, c) for d, c in times if d not in existing]
    session.rollback()  # the check's transaction ends here: what it read may change now
    time.sleep(PAUSE)
    created = [
        operations.create_departure(session, user, {
            "route": data["route"], "service_no": data["service_no"], "departs_at": departs,
            "cutoff_at": cutoff, "capacity_teu": data["capacity_teu"],
        })
        for departs, cutoff in missing
    ]  # fmt: skip
    return {"created": created, "skipped": []}


schedules.create_series = naive_create
app = create_app()
