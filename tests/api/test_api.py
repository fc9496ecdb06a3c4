"""The API skeleton: tokens, bearer auth, reference data, departures, problem+json errors."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from dryport.models import Role
from dryport.services.clock import utcnow

PROBLEM = "application/problem+json"


def _is_problem(response, status):
    body = response.get_json()
    assert response.status_code == status, body
    assert response.mimetype == PROBLEM
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


def test_a_token_is_issued_for_a_right_password(client, make_user):
    user = make_user(Role.OPERATOR)
    response = client.post(
        "/api/v1/tokens", json={"email": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 201
    body = response.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None and expires > datetime.now(UTC)
    assert len(body["token"]) >= 40


def test_a_wrong_password_gets_401_problem(client, make_user):
    user = make_user(Role.OPERATOR)
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "nope-nope"})
    body = _is_problem(response, 401)
    assert body["detail"] == "邮箱或密码错误。"


def test_problem_details_follow_accept_language(client, make_user):
    user = make_user(Role.OPERATOR)
    response = client.post(
        "/api/v1/tokens",
        json={"email": user.email, "password": "nope-nope"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert _is_problem(response, 401)["detail"] == "Wrong email or password."


def test_missing_fields_get_422_with_errors_per_field(client):
    response = client.post("/api/v1/tokens", json={"email": "a@example.com", "extra": 1})
    body = _is_problem(response, 422)
    assert body["errors"]["password"] == ["此字段为必填项。"]
    assert body["errors"]["extra"] == ["未知字段。"]


def test_a_body_that_is_not_json_is_a_problem_too(client):
    response = client.post(
        "/api/v1/tokens", data="not json", headers={"Content-Type": "application/json"}
    )
    assert "JSON" in _is_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page_size=1000", "page_size"), ("page=abc", "page")],
)
def test_bad_paging_is_422_in_the_users_language(client, make_user, api_token, query, field):
    headers = api_token(make_user(Role.SHIPPER).email)
    body = _is_problem(client.get(f"/api/v1/departures?{query}", headers=headers), 422)
    assert field in body["errors"]
    assert all(not message.isascii() for message in body["errors"][field]), body["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/departures?page=99999999999999999999",
        "/api/v1/departures/2147483648",
        "/api/v1/departures/99999999999999999999999",
        "/api/v1/departures?from=9999-12-31",
        "/api/v1/departures?from=9999-12-31T23:59:59-12:00",
        "/api/v1/departures?route=%00",
    ],
)
def test_extreme_input_never_fails_with_500(client, make_user, api_token, path):
    headers = api_token(make_user(Role.SHIPPER).email)
    response = client.get(path, headers=headers)
    assert response.status_code in (200, 404, 422), response.get_json()
    assert response.mimetype in ("application/json", PROBLEM)


def test_a_nul_character_is_refused_with_a_message(client):
    response = client.post(
        "/api/v1/tokens",
        data='{"email": "a\\u0000b@example.com", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert "NUL" in _is_problem(response, 422)["detail"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer made-up-token", "Basic abc"])
def test_reference_data_needs_a_valid_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/stations", headers=headers)
    _is_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_stations(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    stations = client.get("/api/v1/stations", headers=headers).get_json()
    assert len(stations) == 11
    hub = next(s for s in stations if s["code"] == "HK")
    assert hub == {
        "code": "HK",
        "name_zh": "恒口枢纽",
        "name_en": "Hengkou hub",
        "kind": "HUB",
        "feeder_hours": 0,
        "feeder_km": 0,
        "active": True,
        "version": 1,
    }


def test_routes_with_their_legs(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    routes = {r["code"]: r for r in client.get("/api/v1/routes", headers=headers).get_json()}
    assert set(routes) == {"EAST", "XAEU", "WHSEA"}
    assert [leg["mode"] for leg in routes["WHSEA"]["legs"]] == ["ROAD", "RAIL", "WATER", "SEA"]
    assert routes["EAST"]["legs"][0]["destination_locode"] == "CNNGB"
    assert routes["XAEU"]["document_type"] == "CIM_SMGS"


def test_departures_are_filtered_and_paginated(client, make_user, make_departure, api_token):
    for day in range(1, 8):
        make_departure("EAST", days=day)
    make_departure("XAEU", days=3)
    make_departure("EAST", departs_at=utcnow() - timedelta(days=2))  # past: not by default
    headers = api_token(make_user(Role.SHIPPER).email)

    response = client.get("/api/v1/departures?route=EAST&page=2&page_size=5", headers=headers)
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == 7 and pagination["total_pages"] == 2

    everything = client.get("/api/v1/departures?page_size=100", headers=headers).get_json()
    assert len(everything) == 8
    assert [d["departs_at"] for d in everything] == sorted(d["departs_at"] for d in everything)


def test_departures_between_two_dates(client, make_user, make_departure, api_token):
    base = datetime(utcnow().year + 1, 6, 1, 2, 0, tzinfo=UTC)
    for day in range(5):
        make_departure("EAST", departs_at=base + timedelta(days=day))
    headers = api_token(make_user(Role.SHIPPER).email)
    year = base.year
    days = client.get(
        f"/api/v1/departures?from={year}-06-02&to={year}-06-03", headers=headers
    ).get_json()
    assert [d["departs_at"][:10] for d in days] == [f"{year}-06-02", f"{year}-06-03"]
    moment = client.get(
        f"/api/v1/departures?from={year}-06-04T10:00:00%2B08:00", headers=headers
    ).get_json()
    assert len(moment) == 2


def test_a_bad_filter_is_422(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    body = _is_problem(client.get("/api/v1/departures?from=tomorrow", headers=headers), 422)
    assert "from" in body["errors"]
    naive = client.get("/api/v1/departures?from=2026-12-01T10:00:00", headers=headers)
    assert "from" in _is_problem(naive, 422)["errors"]


def test_one_departure_has_the_contract_fields(
    client, make_user, make_departure, make_booking, api_token
):
    departure = make_departure("XAEU", capacity=82)
    shipper = make_user(Role.SHIPPER)
    make_booking(shipper.company, departure=departure, lines=(("22G1", 3),))
    body = client.get(
        f"/api/v1/departures/{departure.id}", headers=api_token(shipper.email)
    ).get_json()
    assert set(body) == {
        "id",
        "route",
        "service_no",
        "departs_at",
        "cutoff_at",
        "capacity_teu",
        "capacity_kg",
        "booked_teu",
        "available_teu",
        "status",
        "departed_at",
        "border_crossing",
        "legs",  # the leg plan, one entry per route leg
        "quotas",  # station quotas, none here
        "pool_available_teu",
        "version",  # for If-Match, as a booking's
    }
    assert body["quotas"] == [] and body["pool_available_teu"] == 79
    assert body["route"] == "XAEU" and body["status"] == "SCHEDULED"
    own = [leg for leg in body["legs"] if leg["own"]]
    assert len(own) == 1 and own[0]["service_no"] == departure.service_no
    assert body["booked_teu"] == 3 and body["available_teu"] == 79
    assert datetime.fromisoformat(body["departs_at"]) == departure.departs_at


def test_unknown_departure_is_404_problem(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    _is_problem(client.get("/api/v1/departures/999999", headers=headers), 404)


def test_unknown_path_and_wrong_method_are_problems(client):
    _is_problem(client.get("/api/v1/no-such-thing"), 404)
    response = client.delete("/api/v1/tokens")
    _is_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_error_is_500_without_internals(make_app):
    broken = make_app()

    @broken.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = broken.test_client().get("/api/v1/boom")
    body = _is_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in body["detail"]


def test_the_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/tokens",
        "/api/v1/stations",
        "/api/v1/routes",
        "/api/v1/departures",
        "/api/v1/departures/{departure_id}",
    ):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_an_oversized_body_is_413_and_books_nothing(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    response = client.post("/api/v1/bookings", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                           headers={**headers, "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/bookings", headers=headers).get_json() == []


def test_a_body_that_is_not_json_is_not_read_as_json(client, make_user, make_departure, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    body = json.dumps({"departure_id": make_departure().id, "origin_station": "HB"})
    response = client.post("/api/v1/bookings", data=body,
                           headers={**headers, "Content-Type": "text/plain"})  # fmt: skip
    assert response.status_code in (415, 422)
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/bookings", headers=headers).get_json() == []
