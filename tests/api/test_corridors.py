"""GET /api/v1/corridors: one entry per route, money as strings, 422 per field."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import Role, Route, Tariff
from dryport.services.clock import local_today

PATH = "/api/v1/corridors"


@pytest.fixture
def shipper(make_user, api_token):
    """A shipper whose program reads English."""
    user = make_user(Role.SHIPPER)
    user.headers = {**api_token(user.email), "Accept-Language": "en"}
    return user


@pytest.fixture
def world(db_session, make_departure):
    departures = {route: make_departure(route, days=d)
                  for route, d in (("EAST", 5), ("XAEU", 3), ("WHSEA", 4))}  # fmt: skip
    db_session.add(
        Tariff(
            route=db_session.scalar(select(Route).where(Route.code == "EAST")),
            leg_seq=None, size_group="40", currency="CNY", amount=Decimal("7600.00"),
            valid_from=local_today() - timedelta(days=30),
        )
    )  # fmt: skip
    db_session.commit()
    return departures


def test_one_entry_per_route_with_the_first_departure_that_fits(client, shipper, world):
    query = "origin_station=HB&size_type=42G1&quantity=2&destination=DEHAM&gross_weight_kg=30000"
    response = client.get(f"{PATH}?{query}", headers=shipper.headers)
    assert response.status_code == 200, response.get_json()
    entries = {entry["route"]: entry for entry in response.get_json()}
    assert set(entries) == {"EAST", "XAEU", "WHSEA"}
    xaeu = entries["XAEU"]
    assert xaeu["departure_id"] == world["XAEU"].id
    assert xaeu["service_no"] == world["XAEU"].service_no
    assert xaeu["available_teu"] == 100
    assert xaeu["destination"] == "DEHAM"
    assert xaeu["cargo_tonnes"] == 30 and xaeu["cargo_tonnes_assumed"] is False
    # 30 km of road at 62, 280 + 9,700 km of rail at 22, 30 t
    assert xaeu["co2e_kg"] == (30 * 62 + (280 + 9_700) * 22) * 30 / 1000
    assert xaeu["transit_days"] == 16.5  # 1 + 10 + 384 = 395 hours
    assert xaeu["total"] is None and xaeu["reason"] is None
    assert xaeu["departs_at"].endswith("+00:00") and xaeu["station_cutoff"]
    assert xaeu["route_name_en"] == "Ankang–Xi'an–Europe train"
    east = entries["EAST"]
    assert east["departure_id"] is None
    assert east["reason"] == "This route does not go to DEHAM."
    # ranked by time: XAEU arrives first, WHSEA after, EAST (no departure) last
    assert [e["route"] for e in response.get_json()] == ["XAEU", "WHSEA", "EAST"]


def test_money_is_a_string_and_price_ranks(client, shipper, world):
    response = client.get(f"{PATH}?origin_station=HK&size_type=42G1&quantity=3&sort=price",
                          headers=shipper.headers)  # fmt: skip
    body = response.get_json()
    assert body[0]["route"] == "EAST"
    assert body[0]["total"] == {"currency": "CNY", "amount": "22800.00"}
    assert body[0]["cargo_tonnes"] == 60 and body[0]["cargo_tonnes_assumed"] is True


def test_bad_parameters_are_refused_per_field(client, shipper, world):
    response = client.get(f"{PATH}?origin_station=HK&size_type=42G1&quantity=0&from=2026-02-30"
                          "&sort=cheap", headers=shipper.headers)  # fmt: skip
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"quantity", "from", "sort"}
    response = client.get(f"{PATH}?origin_station=QQ&size_type=42G1&quantity=1&destination=ZZZZ",
                          headers=shipper.headers)  # fmt: skip
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == {"origin_station", "destination"}
    response = client.get(PATH, headers=shipper.headers)
    assert set(response.get_json()["errors"]) == {"origin_station", "size_type", "quantity"}


def test_any_signed_in_user_may_compare_and_nobody_else(client, make_user, api_token, world):
    query = "?origin_station=HK&size_type=22G1&quantity=1"
    assert client.get(PATH + query).status_code == 401
    for role in (Role.CLERK, Role.OPERATOR, Role.ADMIN):
        headers = api_token(make_user(role).email)
        assert client.get(PATH + query, headers=headers).status_code == 200


def test_the_earliest_day_moves_the_choice(client, shipper, make_departure, world):
    later = make_departure("EAST", days=20)
    day = (local_today() + timedelta(days=10)).isoformat()
    response = client.get(f"{PATH}?origin_station=HK&size_type=22G1&quantity=1&from={day}",
                          headers=shipper.headers)  # fmt: skip
    entries = {entry["route"]: entry for entry in response.get_json()}
    assert entries["EAST"]["departure_id"] == later.id
    assert entries["XAEU"]["departure_id"] is None
    assert entries["XAEU"]["reason"] == (
        "No departure that takes this shipment in the next 60 days."
    )
