"""Tracking through the API: transport events on a departure's legs, equipment events on
containers, and a booking's tracking, each within its scope, each a webhook."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from dryport.models import Role, VgmMethod, WebhookDelivery
from dryport.services import loading, webhooks
from dryport.services.clock import utcnow
from dryport.services.containers import make_number

PROBLEM = "application/problem+json"
H = timedelta(hours=1)


@pytest.fixture
def world(db_session, make_user, make_departure, make_booking, api_token):
    """A confirmed EAST booking from Hanbin (one container) on a departure planned 10 days
    ago, its shipper listening for webhooks; and everyone who might ask about it."""
    shipper = make_user(Role.SHIPPER)
    departs = (utcnow() - timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    departure = make_departure("EAST", departs_at=departs)
    booking = make_booking(shipper.company, departure=departure, origin="HB")
    number = make_number("TGH", 11)
    clerk = make_user(Role.CLERK, station="HB")
    loading.confirm_load(db_session, clerk, booking.reference, [{
        "number": number, "size_type": "22G1", "seal": "AK1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    webhooks.create_endpoint(db_session, shipper, "https://erp.example.com/hook")
    db_session.commit()
    people = {
        "shipper": shipper,
        "other_shipper": make_user(Role.SHIPPER),
        "clerk": clerk,
        "other_clerk": make_user(Role.CLERK, station="SQ"),
        "hub_clerk": make_user(Role.CLERK, station="HK"),
        "operator": make_user(Role.OPERATOR),
    }
    headers = {role: api_token(user.email) for role, user in people.items()}
    return {"departure": departure, "booking": booking, "number": number, "headers": headers}


def _deliveries(db_session) -> list[str]:
    return db_session.scalars(select(WebhookDelivery.event_type)).all()


def test_a_shipper_follows_the_booking_leg_by_leg(client, db_session, world):
    h, departure, booking = world["headers"], world["departure"], world["booking"]
    d = departure.departs_at
    left = client.post(
        f"/api/v1/departures/{departure.id}/depart",
        headers=h["operator"], json={"at": (d + 3 * H).isoformat()},
    )  # fmt: skip
    assert left.status_code == 200
    estimate = client.post(
        f"/api/v1/departures/{departure.id}/events",
        headers=h["operator"],
        json={"leg_seq": 1, "type": "ARRI", "classifier": "EST",
              "at": (d + 222 * H).isoformat(), "location": "CNNGB"},
    )  # fmt: skip
    assert estimate.status_code == 201, estimate.get_json()
    assert estimate.get_json()["event_type"] == "TRANSPORT"

    seen = client.get(f"/api/v1/bookings/{booking.reference}/tracking", headers=h["shipper"])
    assert seen.status_code == 200
    body = seen.get_json()
    (leg,) = body["legs"]
    assert leg["status"] == "UNDERWAY" and body["current_leg"] == 1
    assert leg["actual_departure"] == (d + 3 * H).isoformat()
    assert leg["planned_arrival"] == (d + 216 * H).isoformat()
    assert leg["estimated_arrival"] == body["eta"] == (d + 222 * H).isoformat()
    assert [(e["type"], e["classifier"]) for e in body["events"]] == [
        ("DEPA", "ACT"),
        ("ARRI", "EST"),
    ]
    assert body["containers"][0]["number"] == world["number"]
    # the departure shows the same legs; the estimate is a webhook, the departure was one
    legs = client.get(f"/api/v1/departures/{departure.id}", headers=h["shipper"]).get_json()
    assert legs["legs"][0]["estimated_arrival"] == body["eta"]
    assert {"booking.departed", "booking.transport"} <= set(_deliveries(db_session))

    arrived = client.post(
        f"/api/v1/departures/{departure.id}/events",
        headers=h["operator"],
        json={"leg_seq": 1, "type": "ARRI", "classifier": "ACT", "at": (d + 220 * H).isoformat()},
    )
    assert arrived.status_code == 201
    done = client.get(f"/api/v1/bookings/{booking.reference}/tracking", headers=h["shipper"])
    assert done.get_json()["status"] == "ARRIVED" and done.get_json()["current_leg"] is None
    listed = client.get(f"/api/v1/departures/{departure.id}/events", headers=h["shipper"])
    assert [e["type"] for e in listed.get_json()] == ["DEPA", "ARRI", "ARRI"]


@pytest.mark.parametrize(
    "who, status",
    [("other_shipper", 404), ("other_clerk", 404), ("clerk", 200), ("operator", 200)],
)
def test_tracking_is_scoped(client, world, who, status):
    reference = world["booking"].reference
    response = client.get(f"/api/v1/bookings/{reference}/tracking", headers=world["headers"][who])
    assert response.status_code == status


@pytest.mark.parametrize(
    "body, field",
    [
        ({"leg_seq": 4, "type": "DEPA", "classifier": "EST"}, "leg_seq"),
        ({"leg_seq": 1, "type": "DEPA", "classifier": "PLN"}, "classifier"),
        ({"leg_seq": 1, "type": "LEFT", "classifier": "ACT"}, "type"),
        ({"leg_seq": 1, "type": "DEPA", "classifier": "ACT", "at": "FUTURE"}, "at"),
        ({"leg_seq": 1, "type": "DEPA", "classifier": "EST", "location": "XXXXX"}, "location"),
    ],
)
def test_a_bad_transport_event_is_a_422_that_says_why(client, db_session, world, body, field):
    if body.get("at") == "FUTURE":
        body = {**body, "at": (utcnow() + H).isoformat()}
    response = client.post(
        f"/api/v1/departures/{world['departure'].id}/events",
        headers=world["headers"]["operator"],
        json=body,
    )
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert field in response.get_json()["errors"]
    db_session.expire_all()
    assert world["departure"].transport_events == []


def test_only_operators_record_transport_events(client, world):
    path = f"/api/v1/departures/{world['departure'].id}/events"
    body = {"leg_seq": 1, "type": "DEPA", "classifier": "EST", "at": utcnow().isoformat()}
    for who in ("shipper", "clerk", "hub_clerk"):
        assert client.post(path, headers=world["headers"][who], json=body).status_code == 403
    missing = client.post(
        f"/api/v1/departures/{world['departure'].id + 99}/events",
        headers=world["headers"]["operator"],
        json=body,
    )
    assert missing.status_code == 404


def test_a_clerk_records_a_gate_out_and_a_broken_seal_reaches_the_shipper(
    client, db_session, world
):
    h, number = world["headers"], world["number"]
    path = f"/api/v1/containers/{number}/events"
    out = client.post(path, headers=h["clerk"], json={"type": "GTOT", "seal_intact": True})
    assert out.status_code == 201, out.get_json()
    assert (out.get_json()["location"], out.get_json()["booking"]) == (
        "HB",
        world["booking"].reference,
    )
    broken = client.post(
        path,
        headers=h["hub_clerk"],
        json={"type": "GTIN", "seal_intact": False, "note": "Seal AK1 cut, resealed HK0042"},
    )
    assert broken.status_code == 201
    tracking = client.get(
        f"/api/v1/bookings/{world['booking'].reference}/tracking", headers=h["shipper"]
    ).get_json()
    gates = [e for e in tracking["events"] if e["event_type"] == "EQUIPMENT"]
    assert [(e["type"], e["location"], e["seal_intact"]) for e in gates] == [
        ("GTOT", "HB", True),
        ("GTIN", "HK", False),
    ]
    assert _deliveries(db_session).count("booking.equipment") == 2


@pytest.mark.parametrize(
    "who, body, status, field",
    [
        ("other_clerk", {"type": "GTIN", "seal_intact": True}, 422, "number"),
        ("clerk", {"type": "GTIN", "seal_intact": True, "location": "HK"}, 403, None),
        ("operator", {"type": "GTIN", "seal_intact": True}, 422, "location"),
        ("operator", {"type": "GTIN", "seal_intact": False, "location": "HK"}, 422, "note"),
        ("operator", {"type": "GTIN", "location": "HK"}, 422, "seal_intact"),
        ("shipper", {"type": "GTIN", "seal_intact": True}, 403, None),
    ],
)
def test_a_container_event_out_of_reach_or_incomplete_is_refused(
    client, db_session, world, who, body, status, field
):
    response = client.post(
        f"/api/v1/containers/{world['number']}/events", headers=world["headers"][who], json=body
    )
    assert response.status_code == status
    if field:
        assert field in response.get_json()["errors"]
    assert "booking.equipment" not in _deliveries(db_session)


def test_an_unknown_container_is_a_422(client, world):
    response = client.post(
        f"/api/v1/containers/{make_number('ZZZ', 5)}/events",
        headers=world["headers"]["operator"],
        json={"type": "DISC", "seal_intact": True, "location": "CNXAG"},
    )
    assert response.status_code == 422 and "number" in response.get_json()["errors"]


def test_the_first_legs_departure_is_held_by_the_customs_gate(
    client, db_session, make_user, make_departure, make_booking, api_token, release_customs
):
    shipper = make_user(Role.SHIPPER)
    departs = (utcnow() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    departure = make_departure("XAEU", departs_at=departs, border_crossing="AKA-DOS")
    booking = make_booking(shipper.company, departure=departure, origin="HB")
    loading.confirm_load(db_session, make_user(Role.CLERK, station="HB"), booking.reference, [{
        "number": make_number("TGH", 41), "size_type": "22G1", "seal": "AK1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    db_session.commit()
    operator = api_token(make_user(Role.OPERATOR).email)
    body = {"leg_seq": 1, "type": "DEPA", "classifier": "ACT", "at": (departs - 10 * H).isoformat()}
    held = client.post(f"/api/v1/departures/{departure.id}/events", headers=operator, json=body)
    assert held.status_code == 409 and held.get_json()["bookings"] == [booking.reference]
    db_session.expire_all()
    assert departure.transport_events == []
    release_customs(departure)
    left = client.post(f"/api/v1/departures/{departure.id}/events", headers=operator, json=body)
    assert left.status_code == 201, left.get_json()
