from sqlalchemy import func, select

from dryport.models import Leg, Place, PlaceKind, Route, Station, StationKind, TransportMode
from dryport.services.reference_data import PLACES, REFUSED_DG_CLASSES, seed_reference_data


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
    assert added == {"stations": 11, "places": len(PLACES), "routes": 3}
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
    assert seed_reference_data(db_session) == {"stations": 0, "places": 0, "routes": 0}
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
    assert first.exit_code == 0, first.output
    assert f"11 stations, {len(PLACES)} places and 3 routes added" in first.output
    assert second.exit_code == 0 and "0 stations, 0 places and 0 routes added" in second.output
    assert db_session.scalar(select(func.count()).select_from(Station)) == 11


def _routes(session):
    return {route.code: route for route in session.scalars(select(Route))}


def test_seed_gives_each_route_its_destinations_crossings_refused_classes_and_carriers(
    db_session,
):
    seed_reference_data(db_session)
    routes = _routes(db_session)
    assert [p.code for p in routes["EAST"].destinations] == ["CNNGB"]
    assert {"DEDUI", "DEHAM", "PLMAA", "PLLOD", "KZALA", "UZTAS"} == {
        p.code for p in routes["XAEU"].destinations
    }
    assert {"NLRTM", "DEHAM", "SGSIN", "USLAX"} == {p.code for p in routes["WHSEA"].destinations}
    assert len(routes["XAEU"].border_crossings) == 3
    assert all(c.gauge_change for c in routes["XAEU"].border_crossings)
    assert routes["EAST"].border_crossings == []
    for route in routes.values():
        assert route.refused_dg_classes == REFUSED_DG_CLASSES
    europe = routes["XAEU"].legs[1]
    assert [c.name_en for c in europe.carriers][:2] == [
        "China Railway Xi'an Group",
        "Kazakhstan Temir Zholy (KTZ)",
    ]


def test_seeding_completes_a_route_made_before_destinations_and_keeps_edits(db_session):
    seed_reference_data(db_session)
    routes = _routes(db_session)
    routes["XAEU"].destinations = []  # as a route made before there were destinations
    routes["WHSEA"].destinations = routes["WHSEA"].destinations[:1]  # edited: one left
    routes["EAST"].refused_dg_classes = ["7"]
    db_session.commit()
    seed_reference_data(db_session)
    db_session.commit()
    routes = _routes(db_session)
    assert len(routes["XAEU"].destinations) == 6
    assert len(routes["WHSEA"].destinations) == 1
    assert routes["EAST"].refused_dg_classes == ["7"]
    assert db_session.scalar(select(func.count()).select_from(Place)) == len(PLACES)


def test_the_seed_command_adds_what_a_release_brings_and_keeps_what_admins_made(runner, db_session):
    """As after an upgrade whose seed knows a place the database lacks (Qinzhou port), on a
    database where an administrator added a place and edited a seeded one."""
    seed_reference_data(db_session)
    db_session.execute(Place.__table__.delete().where(Place.code == "CNQZH"))
    db_session.add(Place(code="CNCQI", name_zh="重庆", name_en="Chongqing", kind=PlaceKind.PORT))
    duisburg = db_session.scalar(select(Place).where(Place.code == "DEDUI"))
    duisburg.railway_code = "DUI"
    db_session.commit()
    result = runner.invoke(args=["dryport", "seed"])
    assert result.exit_code == 0 and "0 stations, 1 places and 0 routes added" in result.output
    db_session.expire_all()
    codes = set(db_session.scalars(select(Place.code)))
    assert {"CNQZH", "CNCQI"} <= codes and len(codes) == len(PLACES) + 1
    assert db_session.scalar(select(Place.railway_code).where(Place.code == "DEDUI")) == "DUI"
