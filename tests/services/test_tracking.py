"""Tracking: a departure's legs estimated and actual from its transport events, the delay
carried to every later leg, ACT over EST, and the checks on what may be recorded."""

from datetime import timedelta

import pytest

from dryport.models import (
    BookingEvent,
    DepartureStatus,
    EquipmentEventType,
    EventClassifier,
    EventType,
    Role,
    TransportEventType,
    VgmMethod,
)
from dryport.services import loading, tracking
from dryport.services.clock import utcnow
from dryport.services.containers import make_number
from dryport.services.errors import Conflict, Forbidden, Invalid

DEPA, ARRI = TransportEventType.DEPA, TransportEventType.ARRI
EST, ACT = EventClassifier.EST, EventClassifier.ACT
H = timedelta(hours=1)


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


@pytest.fixture
def past_whsea(make_departure):
    """A WHSEA departure whose own (rail) leg was planned 20 days ago, on the hour:
    road D-4h → D, rail D → D+96h, water D+96h → D+192h, sea from D+192h (no transit time)."""
    departs = (utcnow() - timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    return make_departure("WHSEA", departs_at=departs)


def _event(db_session, user, departure, seq, type_, classifier, at, **kw):
    event = tracking.record_transport_event(
        db_session, user, departure.id,
        {"leg_seq": seq, "type": type_, "classifier": classifier, "at": at, **kw},
    )  # fmt: skip
    db_session.commit()
    return event


def _legs(departure):
    return {t.seq: t for t in tracking.track(departure)}


def test_a_delay_moves_every_later_legs_estimates_by_the_same_amount(
    db_session, operator, past_whsea
):
    d = past_whsea.departs_at
    # The truck leaves 2 hours late: the departure departs, every later leg is 2 hours late.
    _event(db_session, operator, past_whsea, 1, DEPA, ACT, d - 2 * H)
    assert past_whsea.status is DepartureStatus.DEPARTED
    assert past_whsea.departed_at == d - 2 * H
    legs = _legs(past_whsea)
    assert legs[1].actual_departure == d - 2 * H and legs[1].status == "UNDERWAY"
    assert legs[1].estimated_arrival == d + 2 * H
    assert (legs[2].estimated_departure, legs[2].estimated_arrival) == (d + 2 * H, d + 98 * H)
    assert (legs[3].estimated_departure, legs[3].estimated_arrival) == (d + 98 * H, d + 194 * H)
    assert (legs[4].estimated_departure, legs[4].estimated_arrival) == (d + 194 * H, None)
    assert [legs[s].status for s in (2, 3, 4)] == ["PLANNED"] * 3

    # The railway expects the train 5 hours late at Wuhan: the barge and the ship follow.
    _event(db_session, operator, past_whsea, 2, ARRI, EST, d + 101 * H)
    legs = _legs(past_whsea)
    assert legs[2].estimated_arrival == d + 101 * H
    assert (legs[3].estimated_departure, legs[3].estimated_arrival) == (d + 101 * H, d + 197 * H)
    assert legs[4].estimated_departure == d + 197 * H

    # The truck arrives only 1 hour late: the train is expected to leave 1 hour late, but
    # the estimate recorded for its arrival stands.
    _event(db_session, operator, past_whsea, 1, ARRI, ACT, d + 1 * H)
    legs = _legs(past_whsea)
    assert legs[1].status == "DONE" and legs[1].actual_arrival == d + H
    assert legs[2].estimated_departure == d + H
    assert legs[2].estimated_arrival == d + 101 * H
    assert tracking.current_leg(list(legs.values())).seq == 2
    assert tracking.eta(list(legs.values())) is None  # the sea leg has no transit time


def test_act_wins_over_est_whatever_the_order_recorded(db_session, operator, past_whsea):
    d = past_whsea.departs_at
    _event(db_session, operator, past_whsea, 1, DEPA, ACT, d - 4 * H)
    _event(db_session, operator, past_whsea, 2, DEPA, EST, d + 3 * H)
    assert _legs(past_whsea)[2].estimated_departure == d + 3 * H
    _event(db_session, operator, past_whsea, 2, DEPA, ACT, d + 2 * H)
    legs = _legs(past_whsea)
    assert legs[2].actual_departure == d + 2 * H
    assert legs[2].estimated_departure == d + 2 * H  # what happened, not the old estimate
    assert legs[2].estimated_arrival == d + 98 * H
    assert legs[1].status == "DONE"  # a later leg left: the truck's leg is over
    # An estimate of what has happened is refused, and so is a second actual.
    with pytest.raises(Conflict):
        tracking.record_transport_event(
            db_session, operator, past_whsea.id,
            {"leg_seq": 2, "type": DEPA, "classifier": EST, "at": d + 9 * H},
        )  # fmt: skip
    db_session.rollback()
    with pytest.raises(Conflict):
        _event(db_session, operator, past_whsea, 2, DEPA, ACT, d + 4 * H)
    db_session.rollback()
    # The latest estimate counts.
    _event(db_session, operator, past_whsea, 2, ARRI, EST, d + 99 * H)
    _event(db_session, operator, past_whsea, 2, ARRI, EST, d + 100 * H)
    assert _legs(past_whsea)[2].estimated_arrival == d + 100 * H


def test_an_early_arrival_carries_no_delay(db_session, operator, past_whsea):
    d = past_whsea.departs_at
    _event(db_session, operator, past_whsea, 1, DEPA, ACT, d - 1 * H)  # 3 hours late
    _event(db_session, operator, past_whsea, 1, ARRI, ACT, d - 1 * H + 2 * H)
    _event(db_session, operator, past_whsea, 2, DEPA, ACT, d + 2 * H)
    _event(db_session, operator, past_whsea, 2, ARRI, ACT, d + 90 * H)  # 6 hours early
    legs = _legs(past_whsea)
    assert (legs[3].estimated_departure, legs[3].estimated_arrival) == (d + 96 * H, d + 192 * H)


def test_the_last_legs_actual_arrival_arrives_the_departure(db_session, operator, make_departure):
    departs = (utcnow() - timedelta(days=30)).replace(microsecond=0)
    departure = make_departure("XAEU", departs_at=departs, border_crossing="AKA-DOS")
    _event(db_session, operator, departure, 1, DEPA, ACT, departs - 10 * H)
    _event(db_session, operator, departure, 1, ARRI, ACT, departs)
    _event(db_session, operator, departure, 2, DEPA, ACT, departs + H)
    _event(db_session, operator, departure, 2, ARRI, ACT, departs + 390 * H, location="DEDUI")
    assert departure.status is DepartureStatus.ARRIVED
    assert departure.arrived_at == departs + 390 * H
    legs = tracking.track(departure)
    assert [t.status for t in legs] == ["DONE", "DONE"]
    assert tracking.eta(legs) == departs + 390 * H
    assert tracking.current_leg(legs) is None
    assert departure.transport_events[-1].location == "DEDUI"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"leg_seq": 9, "type": DEPA, "classifier": EST}, "leg_seq"),
        ({"leg_seq": 2, "type": DEPA, "classifier": EventClassifier.PLN}, "classifier"),
        ({"leg_seq": 2, "type": ARRI, "classifier": ACT}, "type"),  # it has not left
        ({"leg_seq": 2, "type": DEPA, "classifier": ACT, "future": True}, "at"),
        ({"leg_seq": 2, "type": DEPA, "classifier": ACT, "before": True}, "at"),
        ({"leg_seq": 2, "type": DEPA, "classifier": EST, "location": "NOWHERE"}, "location"),
        ({"leg_seq": 2, "type": ARRI, "classifier": EST, "before": True}, "at"),
    ],
)
def test_events_out_of_order_are_refused_with_the_reason(
    db_session, operator, past_whsea, body, field
):
    d = past_whsea.departs_at
    _event(db_session, operator, past_whsea, 1, DEPA, ACT, d - 4 * H)
    body = dict(body)
    if body.pop("future", False):
        body["at"] = utcnow() + H
    elif body.pop("before", False):
        body["at"] = d - 5 * H  # before the truck left
    with pytest.raises(Invalid) as caught:
        tracking.record_transport_event(db_session, operator, past_whsea.id, body)
    assert field in caught.value.errors
    db_session.rollback()
    assert len(past_whsea.transport_events) == 1


def test_nothing_but_the_first_departure_before_the_departure_has_left(
    db_session, operator, past_whsea
):
    with pytest.raises(Conflict):
        tracking.record_transport_event(
            db_session, operator, past_whsea.id,
            {"leg_seq": 2, "type": DEPA, "classifier": ACT, "at": past_whsea.departs_at},
        )  # fmt: skip
    # An estimate may be given before: the train is expected late.
    _event(db_session, operator, past_whsea, 2, DEPA, EST, past_whsea.departs_at + 6 * H)
    assert _legs(past_whsea)[3].estimated_departure == past_whsea.departs_at + 102 * H


def test_only_operators_record_transport_events(db_session, make_user, past_whsea):
    for role in (Role.SHIPPER, Role.CLERK):
        user = make_user(role, station="HB") if role is Role.CLERK else make_user(role)
        with pytest.raises(Forbidden):
            tracking.record_transport_event(
                db_session, user, past_whsea.id,
                {"leg_seq": 1, "type": DEPA, "classifier": EST, "at": utcnow()},
            )  # fmt: skip


# ---- containers --------------------------------------------------------------------------


@pytest.fixture
def loaded(db_session, make_user, make_booking, make_departure):
    """A confirmed XAEU booking from Hanbin with one container."""
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company, departure=make_departure("XAEU"), origin="HB")
    number = make_number("TGH", 7)
    loading.confirm_load(db_session, make_user(Role.CLERK, station="HB"), booking.reference, [{
        "number": number, "size_type": "22G1", "seal": "S1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    db_session.commit()
    return booking, number


def _gate(db_session, user, number, **kw):
    data = {"type": EquipmentEventType.GTIN, "seal_intact": True, **kw}
    event = tracking.record_equipment_event(db_session, user, number, data)
    db_session.commit()
    return event


def test_a_clerk_records_at_their_own_station_and_the_timeline_says_so(
    db_session, make_user, loaded
):
    booking, number = loaded
    clerk = make_user(Role.CLERK, station="HB")
    event = _gate(
        db_session, clerk, number.lower()[:4] + " " + number[4:], type=EquipmentEventType.GTOT
    )
    assert (event.location, event.container.number) == ("HB", number)
    entry = db_session.query(BookingEvent).filter_by(type=EventType.EQUIPMENT).one()
    assert entry.booking_id == booking.id
    assert entry.details["event_type"] == "GTOT" and entry.details["seal_intact"] is True
    # The hub's clerk records every container at the hub; another sub-station's sees none.
    assert _gate(db_session, make_user(Role.CLERK, station="HK"), number).location == "HK"
    with pytest.raises(Invalid) as caught:
        _gate(db_session, make_user(Role.CLERK, station="SQ"), number)
    assert "number" in caught.value.errors
    db_session.rollback()
    with pytest.raises(Forbidden):
        _gate(db_session, clerk, number, location="HK")


def test_a_broken_seal_needs_a_note_and_shows_in_the_tracking(
    db_session, make_user, loaded, operator
):
    booking, number = loaded
    with pytest.raises(Invalid) as caught:
        _gate(db_session, operator, number, location="CNXAG", seal_intact=False)
    assert "note" in caught.value.errors
    db_session.rollback()
    _gate(db_session, operator, number, location="CNXAG", seal_intact=False, note="Seal cut")
    seen = tracking.tracking_of(db_session, booking)
    assert [e.note for e in seen.broken_seals] == ["Seal cut"]
    assert seen.places["CNXAG"]["en"] == "Xi'an International Port"


def test_equipment_events_keep_their_order_and_nothing_is_in_the_future(
    db_session, make_user, loaded, operator
):
    _, number = loaded
    _gate(db_session, operator, number, location="HK", at=utcnow() - 2 * H)
    for at in (utcnow() - 3 * H, utcnow() + H):
        with pytest.raises(Invalid) as caught:
            _gate(db_session, operator, number, location="HK", at=at)
        assert "at" in caught.value.errors
        db_session.rollback()
    with pytest.raises(Invalid) as caught:
        _gate(db_session, operator, make_number("ZZZ", 1), location="HK")
    assert "number" in caught.value.errors
    db_session.rollback()
    with pytest.raises(Invalid):
        _gate(db_session, operator, number)  # an operator says where
    db_session.rollback()
    with pytest.raises(Forbidden):
        _gate(db_session, make_user(Role.SHIPPER), number)
