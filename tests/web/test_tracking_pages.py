"""Tracking on the pages: an operator records a leg's events on a form, a node's clerk
records a container on the hand-off page in two taps, the shipper's booking page and the
public verification page show where it is."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import EquipmentEvent, Role, VgmMethod
from dryport.services import loading, waybills
from dryport.services.clock import to_local, utcnow
from dryport.services.containers import make_number
from tests.conftest import PASSWORD, Auth, csrf_token

H = timedelta(hours=1)


@pytest.fixture
def world(app, db_session, make_user, make_departure, make_booking, release_customs):
    """A confirmed XAEU booking from Hanbin with two containers, released by customs; its
    train was planned to leave Xi'an 3 days ago (the feeder 10 hours before)."""
    shipper = make_user(Role.SHIPPER)
    departs = (utcnow() - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    departure = make_departure(
        "XAEU", departs_at=departs, service_no="X8024", border_crossing="AKA-DOS"
    )
    booking = make_booking(
        shipper.company,
        departure=departure,
        origin="HB",
        lines=(("22G1", 2),),
        gross_weight_kg=Decimal(24000),
    )
    numbers = [make_number("TGH", 21), make_number("TGH", 22)]
    clerk = make_user(Role.CLERK, station="HB")
    loading.confirm_load(db_session, clerk, booking.reference, [{
        "number": n, "size_type": "22G1", "seal": f"AK{i}", "tare_kg": 2300, "vgm_kg": 14300,
        "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    } for i, n in enumerate(numbers)])  # fmt: skip
    db_session.commit()
    release_customs(departure)  # the Europe train leaves with its cargo released
    return {
        "departure": departure,
        "booking": booking,
        "numbers": numbers,
        "shipper": shipper,
        "clerk": clerk,
        "operator": make_user(Role.OPERATOR),
    }


def _signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user.email, PASSWORD)
    return client


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client.get(path))})


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_operator_records_the_departure_and_a_delay_on_the_form(app, db_session, world):
    operator = _signed_in(app, world["operator"])
    departure = world["departure"]
    path = f"/operations/departures/{departure.id}/events"
    d = departure.departs_at
    left = _post(operator, path, {"leg_seq": "1", "type": "DEPA", "classifier": "ACT",
                                  "at": _local(d - 8 * H), "location": ""})  # fmt: skip
    assert left.status_code == 302, left.get_data(as_text=True)[:3000]
    late = _post(operator, path, {"leg_seq": "2", "type": "DEPA", "classifier": "EST",
                                  "at": _local(d + 5 * H), "location": "CNXAG"})  # fmt: skip
    assert late.status_code == 302
    page = operator.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    legs = page[page.index("<h2>区段</h2>") :]
    assert "已出发" in legs and "在途" in legs
    assert "晚点 5小时" in legs  # the train is expected 5 hours late, and so its arrival
    assert to_local(d + 389 * H).strftime("%Y-%m-%d %H:%M") in legs


def test_a_future_actual_is_shown_beside_its_field(app, db_session, world):
    operator = _signed_in(app, world["operator"])
    path = f"/operations/departures/{world['departure'].id}/events"
    response = _post(operator, path, {"leg_seq": "1", "type": "DEPA", "classifier": "ACT",
                                      "at": _local(utcnow() + 2 * H)})  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index('id="at"') - 400 : page.index('id="at"') + 600]
    assert "实际时间不能晚于现在" in field
    db_session.expire_all()
    assert world["departure"].transport_events == []


def test_the_clerk_records_a_gate_out_from_the_waybill_in_two_taps(app, db_session, world):
    clerk = _signed_in(app, world["clerk"])
    number = waybills.latest(db_session, world["booking"].id).number
    found = clerk.get(f"/handoff?q={number.lower()}")
    assert found.status_code == 302
    page_path = found.headers["Location"]
    assert page_path.endswith(f"/handoff/{world['booking'].reference}")
    page = clerk.get(page_path).get_data(as_text=True)
    assert "记录地点：汉滨区（HB）" in page and world["numbers"][1] in page
    first = world["numbers"][0]
    tap = clerk.post(page_path, data={"type": "GTOT", "record": f"{first}|ok",
                                      "csrf_token": csrf_token(clerk.get(page_path))})  # fmt: skip
    assert tap.status_code == 302 and "type=GTOT" in tap.headers["Location"]
    event = db_session.scalar(select(EquipmentEvent))
    assert (event.type.name, event.location, event.seal_intact) == ("GTOT", "HB", True)
    again = clerk.get(tap.headers["Location"]).get_data(as_text=True)
    assert "已为 " + first + " 记录：出闸" in again
    assert 'value="GTOT" checked' in again


def test_a_broken_seal_needs_a_note_beside_it_then_the_shipper_sees_it(app, db_session, world):
    clerk = _signed_in(app, world["clerk"])
    path = f"/handoff/{world['booking'].reference}"
    second = world["numbers"][1]
    missing = clerk.post(path, data={"type": "GTOT", "record": f"{second}|broken",
                                     "csrf_token": csrf_token(clerk.get(path))})  # fmt: skip
    assert missing.status_code == 422
    page = missing.get_data(as_text=True)
    card = page[page.index(f'id="c-{second}"') :]
    assert "施封已破损：请说明所见情况" in card[: card.index("</section>")]
    assert db_session.scalar(select(EquipmentEvent)) is None
    noted = clerk.post(path, data={"type": "GTOT", "record": f"{second}|broken",
                                   f"note-{second}": "封志被剪断",
                                   "csrf_token": csrf_token(clerk.get(path))})  # fmt: skip
    assert noted.status_code == 302
    shipper = _signed_in(app, world["shipper"])
    booking_page = shipper.get(f"/bookings/{world['booking'].reference}").get_data(as_text=True)
    alert = booking_page[booking_page.index('role="alert"') :][:400]
    assert "施封破损" in alert and second in alert and "封志被剪断" in alert


def test_the_hand_off_page_stays_within_reach(app, db_session, world, make_user):
    other = _signed_in(app, make_user(Role.CLERK, station="SQ"))
    assert other.get(f"/handoff/{world['booking'].reference}").status_code == 404
    missing = other.get(f"/handoff?q={world['numbers'][0]}")
    assert missing.status_code == 404
    assert "没有找到" in missing.get_data(as_text=True)
    hub = _signed_in(app, make_user(Role.CLERK, station="HK"))
    assert hub.get(f"/handoff/{world['booking'].reference}").status_code == 200
    shipper = _signed_in(app, world["shipper"])
    assert shipper.get("/handoff").status_code == 403


def test_an_operator_chooses_where_the_tablet_stands(app, db_session, world):
    operator = _signed_in(app, world["operator"])
    path = f"/handoff/{world['booking'].reference}"
    page = operator.get(path).get_data(as_text=True)
    assert "记录前请先选择所在地点" in page and "disabled" in page
    chosen = operator.post(
        "/handoff/location",
        data={"location": "CNXAG", "next": path, "csrf_token": csrf_token(operator.get(path))},
    )
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(path)
    tap = operator.post(path, data={"type": "DISC", "record": f"{world['numbers'][0]}|ok",
                                    "csrf_token": csrf_token(operator.get(path))})  # fmt: skip
    assert tap.status_code == 302
    assert db_session.scalar(select(EquipmentEvent.location)) == "CNXAG"


def test_the_verification_page_shows_leg_status_and_nothing_commercial(app, db_session, world):
    waybill = waybills.latest(db_session, world["booking"].id)
    anyone = app.test_client()
    page = anyone.get(f"/verify/{waybill.number}?t={waybill.token}").get_data(as_text=True)
    assert "西安国际港站" in page and "计划" in page
    assert world["booking"].consignee_name not in page and "记录交接" not in page
    clerk = _signed_in(app, world["clerk"])
    staff_view = clerk.get(f"/verify/{waybill.number}?t={waybill.token}").get_data(as_text=True)
    assert f"/handoff?q={waybill.number}" in staff_view
