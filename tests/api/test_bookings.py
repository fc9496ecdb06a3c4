"""Booking through the API: place, follow, amend, cancel; capacity, cut-off, idempotency,
stale edits and scope."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dryport.api import bookings as api_bookings
from dryport.extensions import db
from dryport.models import Booking, BookingStatus, Departure, IdempotencyKey, Role, VgmMethod
from dryport.services import loading, waybills
from dryport.services.clock import utcnow
from dryport.services.containers import make_number
from tests.conftest import booking_body, cargo, container_rows

PROBLEM = "application/problem+json"
PAINT = {
    "un_number": "UN1263",
    "class": "3",
    "packing_group": "III",
    "proper_shipping_name": "PAINT",
    "emergency_contact": "+86 915 321 0000 (24 h)",
}


def _book(client, shipper, departure, headers=None, **overrides):
    return client.post(
        "/api/v1/bookings",
        json=booking_body(departure.id, **overrides),
        headers=headers or shipper.headers,
    )


def _held(db_session, departure):
    db_session.expire_all()
    return db_session.get(Departure, departure.id).held_teu


def test_a_booking_holds_its_teu_and_has_a_reference(client, db_session, shipper, make_departure):
    departure = make_departure("XAEU", capacity=82)
    response = _book(
        client,
        shipper,
        departure,
        containers=[{"size_type": "45G1", "quantity": 2}, {"size_type": "22G1", "quantity": 1}],
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "RECEIVED" and body["teu"] == 5
    assert body["reference"].startswith("HK") and len(body["reference"]) == 12
    assert body["containers"] == [  # the requested lines, as posted (DESIGN §8)
        {"size_type": "45G1", "quantity": 2},
        {"size_type": "22G1", "quantity": 1},
    ]
    assert _held(db_session, departure) == Decimal(5)
    events = client.get(
        f"/api/v1/bookings/{body['reference']}/events", headers=shipper.headers
    ).get_json()
    assert [e["type"] for e in events] == ["CREATED"]


def test_a_booking_that_does_not_fit_is_409_with_the_free_teu(
    client, db_session, shipper, make_departure
):
    departure = make_departure(capacity=3)
    assert _book(client, shipper, departure).status_code == 201
    response = _book(client, shipper, departure)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["available_teu"] == 1
    assert "1" in body["detail"] and "2" in body["detail"]
    assert _held(db_session, departure) == Decimal(2)
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 1


@pytest.mark.parametrize(("origin", "feeder_hours"), [("HK", 0), ("ZP", 4)])
def test_cutoff_edges(client, db_session, shipper, make_departure, origin, feeder_hours):
    departs = utcnow() + timedelta(hours=24 + feeder_hours, seconds=30)
    # The station's cut-off is departs - 24 h - feeder hours: 30 s from now.
    departure = make_departure(departs_at=departs)
    from dryport.services import bookings as service
    from dryport.services.errors import CutoffPassed

    cutoff = departure.cutoff_at - timedelta(hours=feeder_hours)
    data = {
        **booking_body(departure.id, origin_station=origin),
        "containers": [{"size_type": "22G1", "quantity": 1}],
    }
    from dryport.schemas.bookings import BookingCreateSchema

    loaded = BookingCreateSchema().load(data)
    service.place_booking(db_session, shipper, loaded, now=cutoff - timedelta(seconds=1))
    with pytest.raises(CutoffPassed):
        service.place_booking(db_session, shipper, loaded, now=cutoff)
    with pytest.raises(CutoffPassed):
        service.place_booking(db_session, shipper, loaded, now=cutoff + timedelta(seconds=1))


def test_a_late_booking_is_409_naming_the_cutoff(client, shipper, make_departure):
    departure = make_departure(departs_at=utcnow() + timedelta(hours=25))  # ZP needs 28 h
    response = _book(client, shipper, departure, origin_station="ZP")
    assert response.status_code == 409
    body = response.get_json()
    assert "镇坪县" in body["detail"] and "cutoff_at" in body
    assert _book(client, shipper, departure, origin_station="HK").status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"cargo": cargo(description="x", hs_code="09021", gross_weight_kg=1)},
            "cargo.hs_code",
        ),
        (
            {"cargo": cargo(description="x", hs_code="090210", gross_weight_kg=0)},
            "cargo.gross_weight_kg",
        ),
        ({"containers": []}, "containers"),
        ({"containers": [{"size_type": "99X9", "quantity": 1}]}, "containers.0.size_type"),
        ({"containers": [{"size_type": "22G1", "quantity": 0}]}, "containers.0.quantity"),
        (
            {
                "containers": [
                    {"size_type": "22G1", "quantity": 1},
                    {"size_type": "22G1", "quantity": 1},
                ]
            },
            "containers",
        ),
        ({"containers": [{"size_type": "22R1", "quantity": 1}]}, "cargo.reefer_temperature_c"),
        (
            {
                "cargo": cargo(dangerous_goods={**PAINT, "un_number": "UN12"}),
            },
            "cargo.dangerous_goods.un_number",
        ),
        (
            {
                "cargo": cargo(dangerous_goods={**PAINT, "class": "10"}),
            },
            "cargo.dangerous_goods.class",
        ),
        ({"origin_station": "XX"}, "origin_station"),
        ({"departure_id": 999999}, "departure_id"),
        ({"consignee": {"name": "", "address": "x"}}, "consignee.name"),
    ],
)
def test_invalid_bookings_get_422_per_field_and_change_nothing(
    client, db_session, shipper, make_departure, overrides, field
):
    departure = make_departure()
    response = _book(client, shipper, departure, **overrides)
    assert response.status_code == 422, response.get_json()
    chinese = response.get_json()["errors"]
    assert field in chinese, chinese
    english = client.post(
        "/api/v1/bookings",
        json=booking_body(departure.id, **overrides),
        headers={**shipper.headers, "Accept-Language": "en"},
    ).get_json()["errors"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in chinese[field]), chinese
    assert all(m.isascii() and m for m in english[field]), english
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0
    assert _held(db_session, departure) == 0


def test_validation_messages_in_both_languages(client, shipper, make_departure):
    departure = make_departure()
    body = booking_body(departure.id, cargo=cargo(description="x", hs_code="12", gross_weight_kg=1))
    zh = client.post("/api/v1/bookings", json=body, headers=shipper.headers).get_json()
    en = client.post(
        "/api/v1/bookings", json=body, headers={**shipper.headers, "Accept-Language": "en"}
    ).get_json()
    assert zh["errors"]["cargo.hs_code"] == ["HS 编码为 6、8 或 10 位数字。"]
    assert en["errors"]["cargo.hs_code"] == ["An HS code has 6, 8 or 10 digits."]


def test_dangerous_goods_and_reefer_are_kept_normalised(client, shipper, make_departure):
    departure = make_departure()
    response = _book(
        client,
        shipper,
        departure,
        cargo=cargo(
            description="Paint",
            hs_code="3208100000",
            gross_weight_kg=9000,
            dangerous_goods={**PAINT, "un_number": "1263", "packing_group": "iii"},
            reefer_temperature_c=5,
        ),
        containers=[{"size_type": "22r1", "quantity": 1}],
    )
    assert response.status_code == 201, response.get_json()
    shown = response.get_json()["cargo"]
    assert shown["dangerous_goods"] == {**PAINT, "un_number": "UN1263", "packing_group": "III"}
    assert shown["has_dangerous_goods"] is True
    assert shown["reefer_temperature_c"] == 5
    assert response.get_json()["containers"] == [{"size_type": "22R1", "quantity": 1}]


def test_only_shippers_book(client, make_user, api_token, make_departure):
    departure = make_departure()
    headers = api_token(make_user(Role.CLERK).email)
    response = client.post("/api/v1/bookings", json=booking_body(departure.id), headers=headers)
    assert response.status_code == 403


# ---- amend and cancel -------------------------------------------------------------------


def test_amend_grows_within_capacity_and_records_the_change(
    client, db_session, shipper, make_departure
):
    departure = make_departure(capacity=10)
    booking = _book(client, shipper, departure).get_json()
    response = client.patch(
        f"/api/v1/bookings/{booking['reference']}",
        json={
            "version": booking["version"],
            "containers": [
                {"size_type": "22G1", "quantity": 2},
                {"size_type": "45G1", "quantity": 1},
            ],
        },
        headers=shipper.headers,
    )
    assert response.status_code == 200, response.get_json()
    amended = response.get_json()
    assert amended["teu"] == 4 and amended["version"] == booking["version"] + 1
    assert _held(db_session, departure) == Decimal(4)
    events = client.get(
        f"/api/v1/bookings/{booking['reference']}/events", headers=shipper.headers
    ).get_json()
    assert events[-1]["type"] == "AMENDED"
    assert events[-1]["details"]["changes"]["teu"] == ["2", "4"]


def test_amend_beyond_capacity_is_409_and_changes_nothing(
    client, db_session, shipper, make_departure
):
    departure = make_departure(capacity=3)
    booking = _book(client, shipper, departure).get_json()
    response = client.patch(
        f"/api/v1/bookings/{booking['reference']}",
        json={"version": booking["version"], "containers": [{"size_type": "42G1", "quantity": 2}]},
        headers=shipper.headers,
    )
    assert response.status_code == 409
    assert response.get_json()["available_teu"] == 1
    again = client.get(f"/api/v1/bookings/{booking['reference']}", headers=shipper.headers)
    assert again.get_json()["teu"] == 2 and again.get_json()["version"] == booking["version"]
    assert _held(db_session, departure) == Decimal(2)


def test_amend_shrinks_and_releases(client, db_session, shipper, make_departure):
    departure = make_departure(capacity=10)
    booking = _book(client, shipper, departure).get_json()
    client.patch(
        f"/api/v1/bookings/{booking['reference']}",
        json={"version": booking["version"], "containers": [{"size_type": "22G1", "quantity": 1}]},
        headers=shipper.headers,
    )
    assert _held(db_session, departure) == Decimal(1)


def test_a_stale_edit_is_409(client, db_session, shipper, make_departure):
    departure = make_departure()
    booking = _book(client, shipper, departure).get_json()
    ref, version = booking["reference"], booking["version"]
    first = client.patch(
        f"/api/v1/bookings/{ref}",
        headers=shipper.headers,
        json={"version": version, "consignee": {"name": "A", "address": "B"}},
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/bookings/{ref}",
        headers=shipper.headers,
        json={"version": version, "consignee": {"name": "C", "address": "D"}},
    )
    assert second.status_code == 409
    assert (
        client.get(f"/api/v1/bookings/{ref}", headers=shipper.headers).get_json()["consignee"][
            "name"
        ]
        == "A"
    )
    stale_cancel = client.post(
        f"/api/v1/bookings/{ref}/cancel", json={"version": version}, headers=shipper.headers
    )
    assert stale_cancel.status_code == 409


def test_cancel_releases_the_teu(client, db_session, shipper, make_departure):
    departure = make_departure()
    booking = _book(client, shipper, departure).get_json()
    response = client.post(
        f"/api/v1/bookings/{booking['reference']}/cancel", headers=shipper.headers
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "CANCELLED"
    assert _held(db_session, departure) == 0
    again = client.post(f"/api/v1/bookings/{booking['reference']}/cancel", headers=shipper.headers)
    assert again.status_code == 409
    assert _held(db_session, departure) == 0


def test_late_amend_and_cancel_are_409(client, db_session, shipper, make_departure, make_booking):
    departure = make_departure(departs_at=utcnow() + timedelta(hours=24, minutes=30))
    booking = make_booking(shipper.company, departure=departure, origin="HB")  # HB: 1 h
    ref = booking.reference
    cancel = client.post(f"/api/v1/bookings/{ref}/cancel", headers=shipper.headers)
    assert cancel.status_code == 409 and "cutoff_at" in cancel.get_json()
    amend = client.patch(
        f"/api/v1/bookings/{ref}",
        headers=shipper.headers,
        json={"version": booking.version, "consignee": {"name": "A", "address": "B"}},
    )
    assert amend.status_code == 409
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


# ---- lists and scope ------------------------------------------------------------------


def test_the_list_is_filtered_and_paginated(
    client, shipper, make_departure, make_booking, make_user
):
    east, xaeu = make_departure("EAST"), make_departure("XAEU")
    for _ in range(3):
        make_booking(shipper.company, departure=east)
    make_booking(shipper.company, departure=xaeu, status=BookingStatus.CANCELLED)
    make_booking(make_user(Role.SHIPPER).company, departure=east)  # someone else's
    headers = shipper.headers
    everything = client.get("/api/v1/bookings", headers=headers)
    assert len(everything.get_json()) == 4
    assert '"total": 4' in everything.headers["X-Pagination"]
    assert len(client.get("/api/v1/bookings?route=EAST", headers=headers).get_json()) == 3
    assert len(client.get("/api/v1/bookings?status=CANCELLED", headers=headers).get_json()) == 1
    by_departure = client.get(f"/api/v1/bookings?departure_id={xaeu.id}", headers=headers)
    assert len(by_departure.get_json()) == 1
    page = client.get("/api/v1/bookings?page=2&page_size=3", headers=headers).get_json()
    assert len(page) == 1
    assert client.get("/api/v1/bookings?status=LOST", headers=headers).status_code == 422


def test_another_companys_booking_is_404_on_every_route(client, shipper, make_user, make_booking):
    other = make_user(Role.SHIPPER)
    booking = make_booking(other.company)
    ref, headers = booking.reference, shipper.headers
    for method, path, body in (
        ("get", f"/api/v1/bookings/{ref}", None),
        ("get", f"/api/v1/bookings/{ref}/events", None),
        (
            "patch",
            f"/api/v1/bookings/{ref}",
            {"version": 1, "consignee": {"name": "A", "address": "B"}},
        ),
        ("post", f"/api/v1/bookings/{ref}/cancel", {}),
    ):
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 404, (method, path)
        assert booking.cargo_description not in response.get_data(as_text=True)


# ---- idempotency --------------------------------------------------------------------------


def test_the_same_key_and_body_returns_the_first_response(
    client, db_session, shipper, make_departure
):
    departure = make_departure()
    headers = {**shipper.headers, "Idempotency-Key": "order-4711"}
    body = booking_body(departure.id)
    first = client.post("/api/v1/bookings", json=body, headers=headers)
    second = client.post(
        "/api/v1/bookings", json=dict(reversed(list(body.items()))), headers=headers
    )
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 1
    assert _held(db_session, departure) == Decimal(2)


def test_the_same_key_with_another_body_is_422(client, db_session, shipper, make_departure):
    departure = make_departure()
    headers = {**shipper.headers, "Idempotency-Key": "order-4712"}
    client.post("/api/v1/bookings", json=booking_body(departure.id), headers=headers)
    other = booking_body(departure.id, origin_station="HK")
    response = client.post("/api/v1/bookings", json=other, headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 1


def test_keys_are_per_user(client, db_session, shipper, make_user, api_token, make_departure):
    departure = make_departure()
    other = api_token(make_user(Role.SHIPPER).email)
    body = booking_body(departure.id)
    a = client.post(
        "/api/v1/bookings", json=body, headers={**shipper.headers, "Idempotency-Key": "k1"}
    )
    b = client.post("/api/v1/bookings", json=body, headers={**other, "Idempotency-Key": "k1"})
    assert a.status_code == b.status_code == 201
    assert a.get_json()["reference"] != b.get_json()["reference"]


def test_keys_expire(client, db_session, shipper, make_departure):
    departure = make_departure()
    headers = {**shipper.headers, "Idempotency-Key": "k-expiring"}
    client.post("/api/v1/bookings", json=booking_body(departure.id), headers=headers)
    record = db_session.scalar(select(IdempotencyKey))
    record.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    again = client.post("/api/v1/bookings", json=booking_body(departure.id), headers=headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 2


def test_a_refused_booking_does_not_use_up_its_key(client, db_session, shipper, make_departure):
    departure = make_departure(capacity=1)
    headers = {**shipper.headers, "Idempotency-Key": "k-full"}
    assert (
        client.post(
            "/api/v1/bookings", json=booking_body(departure.id), headers=headers
        ).status_code
        == 409
    )
    departure.capacity_teu = 2
    db_session.commit()
    assert (
        client.post(
            "/api/v1/bookings", json=booking_body(departure.id), headers=headers
        ).status_code
        == 201
    )


def test_a_weight_limit_is_held_too(client, db_session, shipper, make_departure):
    departure = make_departure(capacity=100, capacity_kg=30000)
    first = _book(client, shipper, departure)  # 18,500 kg
    assert first.status_code == 201
    refused = _book(client, shipper, departure)
    assert refused.status_code == 409
    assert refused.get_json()["available_kg"] == 11500
    assert "11,500" in refused.get_json()["detail"]
    lighter = client.patch(
        f"/api/v1/bookings/{first.get_json()['reference']}",
        json={
            "version": first.get_json()["version"],
            "cargo": cargo(description="Tea", hs_code="090210", gross_weight_kg=10000),
        },
        headers=shipper.headers,
    )
    assert lighter.status_code == 200
    assert _book(client, shipper, departure).status_code == 201
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).held_kg == Decimal(28500)


# ---- a change racing another one ---------------------------------------------------------


def test_a_change_on_a_stale_copy_is_409_not_500(client, db_session, shipper, make_departure):
    departure = make_departure()
    booking = _book(client, shipper, departure).get_json()
    ref = booking["reference"]
    first = client.patch(
        f"/api/v1/bookings/{ref}",
        headers=shipper.headers,
        json={"version": 1, "consignee": {"name": "A", "address": "B"}},
    )
    assert first.status_code == 200
    from dryport.models import Booking as BookingModel
    from dryport.services import bookings as service
    from dryport.services.errors import Conflict

    db_session.expire_all()
    loaded = db_session.scalar(select(BookingModel).where(BookingModel.reference == ref))
    # Another request bumps the row behind this session's back.
    session = db_session()
    session.expire_on_commit = False
    try:
        db_session.commit()
        client.patch(
            f"/api/v1/bookings/{ref}",
            headers=shipper.headers,
            json={"version": 2, "consignee": {"name": "C", "address": "D"}},
        )
        with pytest.raises(Conflict):
            service.cancel_booking(db_session, shipper, ref, version=loaded.version)
        db_session.rollback()
    finally:
        session.expire_on_commit = True
    assert _held(db_session, departure) == Decimal(2)
    body = client.get(f"/api/v1/bookings/{ref}", headers=shipper.headers).get_json()
    assert body["status"] == "RECEIVED" and body["consignee"]["name"] == "C"


# ---- more rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {
                "cargo": cargo(
                    description="x",
                    hs_code="090210",
                    gross_weight_kg=1,
                    reefer_temperature_c=5,
                )
            },
            "cargo.reefer_temperature_c",
        ),
        (
            {
                "cargo": cargo(
                    description="x",
                    hs_code="090210",
                    gross_weight_kg=1,
                    reefer_temperature_c=-60,
                ),
                "containers": [{"size_type": "22R1", "quantity": 1}],
            },
            "cargo.reefer_temperature_c",
        ),
        ({"containers": [{"size_type": "22G1", "quantity": 101}]}, "containers.0.quantity"),
        ({"containers": [{"size_type": "22G1", "quantity": "2"}]}, "containers.0.quantity"),
        (
            {"cargo": cargo(description="x", hs_code="090210", gross_weight_kg=1_000_001)},
            "cargo.gross_weight_kg",
        ),
        (
            {
                "containers": [
                    {"size_type": t, "quantity": 1}
                    for t in (
                        "22G1",
                        "42G1",
                        "45G1",
                        "L5G1",
                        "22R1",
                        "45R1",
                        "22U1",
                        "22T1",
                        "22G1",
                    )
                ]
            },
            "containers",
        ),
        ({"consignee": {"name": "x" * 129, "address": "y"}}, "consignee.name"),
        ({"departure_id": 10**20}, "departure_id"),
    ],
)
def test_more_rules_each_with_a_message(
    client, db_session, shipper, make_departure, overrides, field
):
    departure = make_departure()
    response = _book(client, shipper, departure, **overrides)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0


def test_an_amendment_keeps_the_reefer_rule_on_the_whole_booking(client, shipper, make_departure):
    departure = make_departure()
    reefer = _book(
        client,
        shipper,
        departure,
        cargo=cargo(
            description="Konjac",
            hs_code="110620",
            gross_weight_kg=9000,
            reefer_temperature_c=4,
        ),
        containers=[{"size_type": "22R1", "quantity": 1}],
    ).get_json()
    dropped = client.patch(
        f"/api/v1/bookings/{reefer['reference']}",
        headers=shipper.headers,
        json={
            "version": 1,
            "cargo": cargo(description="Konjac", hs_code="110620", gross_weight_kg=9000),
        },
    )
    assert dropped.status_code == 422
    assert "cargo.reefer_temperature_c" in dropped.get_json()["errors"]
    dry = _book(client, shipper, departure).get_json()
    to_reefer = client.patch(
        f"/api/v1/bookings/{dry['reference']}",
        headers=shipper.headers,
        json={"version": 1, "containers": [{"size_type": "22R1", "quantity": 1}]},
    )
    assert to_reefer.status_code == 422


@pytest.mark.parametrize("action", ["amend", "cancel"])
def test_amend_and_cancel_cutoff_edges(db_session, shipper, make_departure, make_booking, action):
    from dryport.services import bookings as service
    from dryport.services.errors import CutoffPassed

    departure = make_departure()
    booking = make_booking(shipper.company, departure=departure, origin="ZP")  # ZP: 4 h
    cutoff = departure.cutoff_at - timedelta(hours=4)

    def act(now):
        if action == "amend":
            return service.amend_booking(
                db_session,
                shipper,
                booking.reference,
                {"version": booking.version, "consignee": {"name": "N", "address": "A"}},
                now,
            )
        return service.cancel_booking(db_session, shipper, booking.reference, now=now)

    with pytest.raises(CutoffPassed):
        act(cutoff)
    with pytest.raises(CutoffPassed):
        act(cutoff + timedelta(seconds=1))
    act(cutoff - timedelta(seconds=1))


def test_etags_make_conditional_requests_possible(client, shipper, make_departure):
    booking = _book(client, shipper, make_departure()).get_json()
    path = f"/api/v1/bookings/{booking['reference']}"
    first = client.get(path, headers=shipper.headers)
    tag = first.headers["ETag"]
    assert tag == 'W/"1"'
    unchanged = client.get(path, headers={**shipper.headers, "If-None-Match": tag})
    assert unchanged.status_code == 304 and not unchanged.data
    amended = client.patch(
        path,
        headers={**shipper.headers, "If-Match": tag},
        json={"consignee": {"name": "A", "address": "B"}},
    )
    assert amended.status_code == 200 and amended.headers["ETag"] == 'W/"2"'
    stale = client.patch(
        path,
        headers={**shipper.headers, "If-Match": tag},
        json={"consignee": {"name": "C", "address": "D"}},
    )
    assert stale.status_code == 409
    bad = client.patch(
        path,
        headers={**shipper.headers, "If-Match": "nonsense"},
        json={"consignee": {"name": "C", "address": "D"}},
    )
    assert bad.status_code == 422 and "If-Match" in bad.get_json()["errors"]
    neither = client.patch(
        path, headers=shipper.headers, json={"consignee": {"name": "C", "address": "D"}}
    )
    assert neither.status_code == 422 and "version" in neither.get_json()["errors"]
    cancelled = client.post(f"{path}/cancel", headers={**shipper.headers, "If-Match": tag})
    assert cancelled.status_code == 409


@pytest.mark.parametrize(
    ("key", "waits"),
    [(None, False), ("order-4713", False), (None, True)],
    ids=["no key", "key", "waits"],
)
def test_the_answer_is_built_after_the_commit_unless_it_reads_or_is_stored(
    client, shipper, make_departure, monkeypatch, key, waits
):
    """Without an Idempotency-Key the booking is committed before its answer is built: the
    train's row (or SQLite's write lock) is not held meanwhile, and the answer is what a
    later GET shows. With a key, the answer is stored in the booking's own transaction; a
    waiting booking's answer reads its place in the queue, under the lock it was placed in."""
    departure = make_departure(capacity=2)
    if waits:  # the departure is full
        assert _book(client, shipper, departure).status_code == 201
    in_transaction = []
    dump = api_bookings.BOOKING_SCHEMA.dump

    def dump_seen(booking, *args, **kwargs):
        in_transaction.append(db.session().in_transaction())
        return dump(booking, *args, **kwargs)

    monkeypatch.setattr(api_bookings.BOOKING_SCHEMA, "dump", dump_seen)
    headers = {**shipper.headers, **({"Idempotency-Key": key} if key else {})}
    answer = _book(client, shipper, departure, headers=headers, waitlist=waits)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["waitlist_position"] == (1 if waits else None)
    assert in_transaction == [key is not None or waits]
    reference = answer.get_json()["reference"]
    shown = client.get(f"/api/v1/bookings/{reference}", headers=shipper.headers)
    assert answer.get_json() == shown.get_json()


def test_the_list_costs_the_same_queries_for_two_bookings_or_twenty(
    db_session,
    make_user,
    make_company,
    make_departure,
    make_booking,
    api_token,
    count_queries,
    client,
):
    """No query per booking (an N+1): what the API shows of each (departure, origin,
    destination, port of discharge, lines, containers, waybill) is loaded with the page,
    whatever companies, trains, stations and places the bookings have."""
    clerks = {code: make_user(Role.CLERK, station=code) for code in ("HB", "LG")}
    operator = api_token(make_user(Role.OPERATOR).email)
    routes, stations = ("EAST", "XAEU", "WHSEA"), ("HB", "LG")

    def book(n: int) -> None:
        route, station = routes[n % 3], stations[n % 2]
        booking = make_booking(
            make_company(f"Shipper {n}"), departure=make_departure(route, days=5 + n),
            origin=station, **({"port_of_discharge": "NLRTM"} if route == "EAST" else {}),
        )  # fmt: skip
        if n % 2 == 0:  # confirmed with its container, and its waybill issued
            rows = container_rows(make_number("TGH", n), vgm_method=VgmMethod.METHOD_1)
            loading.confirm_load(db_session, clerks[station], booking.reference, rows)
            waybills.issue_waybill(db_session, booking, None)
        db_session.commit()

    def queries() -> tuple[int, list]:
        with count_queries() as seen:
            response = client.get("/api/v1/bookings?page_size=100", headers=operator)
        assert response.status_code == 200
        return len(seen), response.get_json()

    for n in range(2):
        book(n)
    queries()  # the token's use is written at most once an hour: not in what is counted
    few, _ = queries()
    for n in range(2, 20):
        book(n)
    many, listed = queries()
    assert many == few
    assert len(listed) == 20
    assert sum(1 for b in listed if b["equipment"] and b["waybill_no"]) == 10
    assert {b["sea_leg"]["port_of_discharge"] for b in listed if b["sea_leg"]} >= {"NLRTM"}
