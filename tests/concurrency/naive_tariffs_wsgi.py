"""A deliberately broken dryport, the control for the tariff race: a new tariff is checked
without the route's lock, then written after a pause in a transaction of its own (on SQLite
too: ending the check's transaction lets go of the write lock its request took first), so
two overlapping tariffs can both pass the check. The race test must catch it."""

import time
from decimal import Decimal

from dryport import create_app
from dryport.models import Route, Tariff
from dryport.services import tariffs
from dryport.services.access import require_role

PAUSE = 0.4  # seconds between the check and the write: the time a slow request takes
_FIELDS = ("leg_seq", "size_group", "currency", "amount", "valid_from", "valid_to", "note")


def naive_create(session, user, data):
    require_role(user, *tariffs.TARIFF_ADMINS)
    route = tariffs._route(session, data.get("route"))
    values = {name: data.get(name) for name in _FIELDS}
    surcharges = {name: data.get(name, Decimal(0)) for name in tariffs.AMOUNTS[1:]}
    tariffs._check(session, Tariff(route=route, **values, **surcharges), new_start=True)
    route_id = route.id
    session.rollback()  # the check's transaction ends here: what it read may change now
    time.sleep(PAUSE)
    tariff = Tariff(route=session.get(Route, route_id), **values, **surcharges, created_by=user)
    session.add(tariff)
    session.flush()
    return tariff


tariffs.create_tariff = naive_create
app = create_app()
