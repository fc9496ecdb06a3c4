from sqlalchemy import func, select

from dryport.models import Leg, Route, Station, StationKind, TransportMode
from dryport.services.reference_data import seed_reference_data


def _snapshot(session):
    stations = session.execute(
        select(Station.code, Station.name_zh, Station.feeder_hours).order_by(Station.code)
    ).all()
    legs = session.execute(
        select(Route.code, Leg.seq, Leg.mode, Leg.origin_en, Leg.destination_en)
        .join(Leg.route)
        .order_by(Route.code, Leg.seq)
    ).all()
    return stations, legs


def test_seed_loads_the_hub_ten_substations_and_three_routes(db_session):
    added = seed_reference_data(db_session)
    assert added == {"stations": 11, "routes": 3}
    kinds = dict(db_session.execute(select(Station.code, Station.kind)).all())
    assert kinds["HK"] is StationKind.HUB
    assert sum(kind is StationKind.SUBSTATION for kind in kinds.values()) == 10
    hours = dict(db_session.execute(select(Station.code, Station.feeder_hours)).all())
    assert hours["ZP"] == 4 and hours["HB"] == 1 and hours["HK"] == 0

    modes = {
        route.code: [leg.mode for leg in route.legs] for route in db_session.scalars(select(Route))
    }
    assert modes == {
        "EAST": [TransportMode.RAIL],
        "XAEU": [TransportMode.RAIL, TransportMode.RAIL],
        "WHSEA": [TransportMode.ROAD, TransportMode.RAIL, TransportMode.WATER, TransportMode.SEA],
    }


def test_seeding_twice_changes_nothing(db_session):
    seed_reference_data(db_session)
    db_session.commit()
    before = _snapshot(db_session)
    assert seed_reference_data(db_session) == {"stations": 0, "routes": 0}
    db_session.commit()
    assert _snapshot(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(Leg)) == 7


def test_seeding_keeps_what_was_edited(db_session):
    seed_reference_data(db_session)
    zhenping = db_session.scalar(select(Station).where(Station.code == "ZP"))
    zhenping.feeder_hours = 5
    db_session.commit()
    seed_reference_data(db_session)
    db_session.commit()
    assert db_session.scalar(select(Station.feeder_hours).where(Station.code == "ZP")) == 5


def test_seed_command_is_idempotent(runner, db_session):
    first = runner.invoke(args=["dryport", "seed"])
    second = runner.invoke(args=["dryport", "seed"])
    assert first.exit_code == 0 and "11 stations and 3 routes added" in first.output
    assert second.exit_code == 0 and "0 stations and 0 routes added" in second.output
    assert db_session.scalar(select(func.count()).select_from(Station)) == 11
