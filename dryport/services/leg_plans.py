"""An operator's plan of a departure's legs: carrier, service number and planned times per
leg, over the defaults ``departures.leg_plan`` works out from the route."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dryport.models import Departure, DepartureLeg, User
from dryport.services.access import STAFF, require_role
from dryport.services.admin import apply_changes, record_change
from dryport.services.clock import utcnow
from dryport.services.departures import leg_plan
from dryport.services.errors import Invalid, NotFound, stale
from dryport.services.operations import (
    check_plannable,
    get_departure_for_update,
    reissue_waybills,
)

#: What an operator sets per leg; None puts a field back to its default.
LEG_PLAN_FIELDS = ("carrier", "service_no", "planned_departure", "planned_arrival")


def update_leg_plan(
    session: Session, user: User, departure_id: int, seq: int, data: dict
) -> Departure:
    """Set the fields of ``LEG_PLAN_FIELDS`` that ``data`` names on leg ``seq`` (the route
    leg's position) of a departure still to leave.

    The departure's ``version`` guards the change, as for the departure itself: its legs are
    part of it, so a changed leg bumps it. The confirmed bookings' waybills are reissued, as
    the documents print each leg's carrier, number and times.

    Raises ``Invalid`` without the version read, or when the leg would arrive before it
    leaves; ``NotFound`` for an unknown departure or leg; ``Conflict`` for a stale version
    or a departure that has left or was cancelled.
    """
    require_role(user, *STAFF)
    if data.get("version") is None:
        raise Invalid(errors={"version": [_l("The version you read is missing; reload.")]})
    departure = get_departure_for_update(session, departure_id, data["version"])
    if seq not in {leg.seq for leg in departure.route.legs}:
        raise NotFound()
    check_plannable(departure)
    row = next((row for row in departure.leg_plans if row.seq == seq), None)
    if row is None:
        row = DepartureLeg(seq=seq)
        departure.leg_plans.append(row)
    changes = apply_changes(row, data, LEG_PLAN_FIELDS)
    if not changes and row.id is None:
        departure.leg_plans.remove(row)  # nothing to keep
    planned = next(plan for plan in leg_plan(departure) if plan.seq == seq)
    leaves, arrives = planned.planned_departure, planned.planned_arrival
    if leaves is not None and arrives is not None and arrives <= leaves:
        field = "planned_arrival" if "planned_arrival" in changes else "planned_departure"
        raise Invalid(errors={field: [_l("The leg must arrive after it leaves.")]})
    if not changes:
        return departure
    departure.updated_at = utcnow()  # the departure's version counts its legs' changes
    record_change(
        session, user, "departure", departure.id, "update",
        f"{departure.route.code} {departure.service_no} #{seq}",
        {f"legs.{seq}.{name}": change for name, change in changes.items()},
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.flush()
    except (IntegrityError, StaleDataError):  # another plan of this leg written meanwhile
        raise stale() from None
    reissue_waybills(session, departure, user)
    return departure
