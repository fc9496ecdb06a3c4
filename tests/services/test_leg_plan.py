"""A departure's leg plan: the own leg is the route's last rail leg, the others chain from it
with the route legs' transit hours, and an operator's row overrides what it states."""

from datetime import UTC, datetime, timedelta

from dryport.models import DepartureLeg, TransportMode
from dryport.services.departures import leg_plan

DEPARTS = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


def test_xaeu_own_leg_is_the_xian_europe_train_not_the_feeder(make_departure):
    departure = make_departure("XAEU", departs_at=DEPARTS, service_no="X8024")
    feeder, main = leg_plan(departure)
    assert (feeder.seq, feeder.own, feeder.service_no) == (1, False, None)
    assert (main.seq, main.own, main.service_no) == (2, True, "X8024")
    assert main.planned_departure == DEPARTS
    assert main.planned_arrival == DEPARTS + timedelta(hours=384)
    # The feeder train runs before it, its 10 hours ending when the main train leaves.
    assert feeder.planned_arrival == DEPARTS
    assert feeder.planned_departure == DEPARTS - timedelta(hours=10)
    assert main.origin_en == "Xi'an International Port"
    assert feeder.carrier == "中国铁路西安局集团有限公司 China Railway Xi'an Group"
    assert main.carrier.startswith("中国铁路西安局集团有限公司 China Railway Xi'an Group; ")
    assert "DB Cargo" in main.carrier


def test_whsea_chains_both_ways_and_leaves_the_unknown_sea_leg_open(make_departure):
    departure = make_departure("WHSEA", departs_at=DEPARTS, service_no="W101")
    road, rail, water, sea = leg_plan(departure)
    assert [p.mode for p in (road, rail, water, sea)] == list(TransportMode)
    assert [p.own for p in (road, rail, water, sea)] == [False, True, False, False]
    assert road.planned_departure == DEPARTS - timedelta(hours=4)
    assert road.planned_arrival == DEPARTS
    assert rail.planned_arrival == DEPARTS + timedelta(hours=96)
    assert water.planned_departure == DEPARTS + timedelta(hours=96)
    assert water.planned_arrival == DEPARTS + timedelta(hours=192)
    assert sea.planned_departure == DEPARTS + timedelta(hours=192)
    assert sea.planned_arrival is None
    assert (road.carrier, water.carrier, sea.carrier) == (None, None, None)


def test_east_single_rail_leg(make_departure):
    departure = make_departure("EAST", departs_at=DEPARTS, service_no="E55")
    (leg,) = leg_plan(departure)
    assert (leg.own, leg.service_no) == (True, "E55")
    assert leg.planned_arrival == DEPARTS + timedelta(hours=216)


def test_an_operators_row_overrides_and_the_chain_follows_it(make_departure, db_session):
    departure = make_departure("WHSEA", departs_at=DEPARTS, service_no="W101")
    barge_leaves = DEPARTS + timedelta(days=5)
    departure.leg_plans.append(
        DepartureLeg(
            seq=3,
            carrier="长江航运 Changjiang Shipping",
            service_no="CJ2611E",
            planned_departure=barge_leaves,
        )
    )
    departure.leg_plans.append(DepartureLeg(seq=2, service_no="X9"))
    db_session.commit()
    db_session.expire_all()
    road, rail, water, sea = leg_plan(db_session.get(type(departure), departure.id))
    assert rail.service_no == "X9"  # the row wins over the departure's own number
    assert (water.carrier, water.service_no) == ("长江航运 Changjiang Shipping", "CJ2611E")
    assert water.planned_departure == barge_leaves
    assert water.planned_arrival == barge_leaves + timedelta(hours=96)
    assert sea.planned_departure == barge_leaves + timedelta(hours=96)


def test_an_unknown_transit_time_leaves_the_times_it_carries_open(make_departure, db_session):
    departure = make_departure("XAEU", departs_at=DEPARTS)
    departure.route.legs[0].transit_hours = None
    db_session.commit()
    feeder, main = leg_plan(departure)
    assert feeder.planned_arrival == DEPARTS
    assert feeder.planned_departure is None
    assert main.planned_arrival == DEPARTS + timedelta(hours=384)


def test_times_off_the_calendar_are_left_open(make_departure):
    end = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    departure = make_departure("XAEU", departs_at=end)
    feeder, main = leg_plan(departure)
    assert feeder.planned_departure == end - timedelta(hours=10)
    assert main.planned_arrival is None
