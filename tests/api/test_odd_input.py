"""Odd input to the API gets a clear 4xx that names the field, in the caller's language, and
changes nothing: far times, NUL in any transport, letters and digits of other scripts where
ASCII belongs, JSON too deep to parse or holding half a character."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from dryport.models import Booking, BookingStatus, Departure, DepartureStatus, Role
from dryport.services.clock import LOCAL_TZ
from tests.conftest import booking_body, cargo, row_count

PROBLEM = "application/problem+json"
WINDOW = {
    "en": "Enter a time between the years 2000 and 2100.",
    "zh": "请输入 2000 年至 2100 年之间的时间。",
}


@pytest.fixture
def users(make_user):
    return {role: make_user(role) for role in (Role.SHIPPER, Role.OPERATOR)}


@pytest.fixture
def headers(users, api_token):
    return {role: api_token(user.email) for role, user in users.items()}


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return response.get_json()


# ---- 1. times within the years the port plans for ------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    "field, value",
    [
        ("departs_at", "9999-12-31T23:59:59+00:00"),
        ("departs_at", "9999-12-31T23:59:59-01:00"),  # beyond year 9999 in UTC
        ("cutoff_at", "0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
        ("departs_at", "1970-01-01T00:00:00+00:00"),
        ("cutoff_at", "2101-01-01T00:00:00+08:00"),
    ],
)
def test_a_departure_outside_the_years_2000_to_2100_is_a_422_naming_the_window(
    client, db_session, seeded, headers, language, field, value
):
    body = {
        "route": "EAST",
        "service_no": "X1",
        "departs_at": "2026-12-01T10:00:00+08:00",
        "cutoff_at": "2026-11-30T10:00:00+08:00",
        "capacity_teu": 80,
        field: value,
    }
    response = client.post(
        "/api/v1/departures",
        json=body,
        headers={**headers[Role.OPERATOR], "Accept-Language": language},
    )
    assert _problem(response, 422)["errors"] == {field: [WINDOW[language]]}
    assert row_count(db_session, Departure) == 0


def test_a_replanned_departure_outside_the_years_is_refused(
    client, db_session, headers, make_departure
):
    departure = make_departure()
    response = client.patch(
        f"/api/v1/departures/{departure.id}",
        json={"version": departure.version, "departs_at": "9999-12-31T23:59:59-01:00"},
        headers=headers[Role.OPERATOR],
    )
    assert "departs_at" in _problem(response, 422)["errors"]


@pytest.mark.parametrize(
    "at",
    ["1970-01-01T00:00:00+00:00", "2016-05-01T10:00:00+08:00", "9999-12-31T23:59:59-01:00"],
)
def test_a_departure_recorded_years_back_or_beyond_is_refused(
    client, db_session, headers, make_departure, at
):
    departure = make_departure(days=-1)
    response = client.post(
        f"/api/v1/departures/{departure.id}/depart",
        json={"at": at},
        headers={**headers[Role.OPERATOR], "Accept-Language": "en"},
    )
    assert list(_problem(response, 422)["errors"]) == ["at"]
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).status is DepartureStatus.SCHEDULED


def test_a_departure_is_recorded_from_three_days_before_its_plan_to_now(
    client, db_session, headers, make_departure
):
    departure = make_departure(days=-1)
    operator = {**headers[Role.OPERATOR], "Accept-Language": "en"}
    path = f"/api/v1/departures/{departure.id}/depart"
    too_early = departure.departs_at - timedelta(days=3, minutes=1)
    response = client.post(path, json={"at": too_early.isoformat()}, headers=operator)
    earliest = (departure.departs_at - timedelta(days=3)).astimezone(LOCAL_TZ)
    earliest = earliest.strftime("%Y-%m-%d %H:%M")
    message = _problem(response, 422)["errors"]["at"]
    assert message == [f"Enter a time from {earliest} to now (Beijing time)."]
    in_window = departure.departs_at - timedelta(days=2)
    assert (
        client.post(path, json={"at": in_window.isoformat()}, headers=operator).status_code == 200
    )
    arrive = f"/api/v1/departures/{departure.id}/arrive"
    before = in_window - timedelta(minutes=1)
    assert client.post(arrive, json={"at": before.isoformat()}, headers=operator).status_code == 422
    assert client.post(arrive, json={}, headers=operator).status_code == 200


# ---- 3. NUL whatever the transport ----------------------------------------------------------


def _chunked(client, path, body: bytes, content_type: str, headers):
    """A body sent as gunicorn hands a chunked one to the app: no Content-Length, the
    stream marked as ending by itself."""
    return client.post(
        path,
        input_stream=BytesIO(body),
        headers={**headers, "Content-Type": content_type, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_nul_in_a_merge_patch_body_is_refused(client, db_session, users, headers, make_booking):
    shipper = headers[Role.SHIPPER]
    booking = make_booking(users[Role.SHIPPER].company)
    body = {"version": 1, "consignee": {"name": "Evil\x00Corp", "address": "Nowhere"}}
    response = client.patch(
        f"/api/v1/bookings/{booking.reference}",
        data=json.dumps(body),
        headers={**shipper, "Content-Type": "application/merge-patch+json"},
    )
    assert "NUL" in _problem(response, 422)["detail"]
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).consignee_name == "Duisburg Intermodal GmbH"


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json"])
def test_a_nul_in_a_chunked_body_is_refused(
    client, db_session, headers, make_departure, content_type
):
    departure = make_departure()
    body = booking_body(departure.id, consignee={"name": "Evil\x00Corp", "address": "Nowhere"})
    response = _chunked(
        client, "/api/v1/bookings", json.dumps(body).encode(), content_type, headers[Role.SHIPPER]
    )
    assert "NUL" in _problem(response, 422)["detail"]
    assert row_count(db_session, Booking) == 0


def test_a_chunked_body_without_nul_still_books(client, db_session, headers, make_departure):
    body = json.dumps(booking_body(make_departure().id)).encode()
    response = _chunked(client, "/api/v1/bookings", body, "application/json", headers[Role.SHIPPER])
    assert response.status_code == 201, response.get_json()


def test_a_nul_in_a_repeated_query_parameter_is_refused(client, headers):
    response = client.get(
        "/api/v1/bookings?status=RECEIVED&status=REC%00EIVED", headers=headers[Role.SHIPPER]
    )
    assert "NUL" in _problem(response, 422)["detail"]


# ---- 4. container numbers in other scripts --------------------------------------------------


@pytest.mark.parametrize("number", ["ÉBCU1234567", "CSQU٣٠٥٤٣٨٣", "CSQU３０５４３８３"])
def test_a_container_number_in_other_letters_or_digits_is_a_422_on_its_row(
    client, db_session, make_user, api_token, make_booking, number
):
    clerk = api_token(make_user(Role.CLERK, station="HB").email)
    booking = make_booking(make_user(Role.SHIPPER).company)
    row = {
        "number": number,
        "size_type": "22G1",
        "seal": "AK1",
        "tare_kg": 2300,
        "vgm_kg": 14300,
        "vgm_certified_by": "Wang Fang",
    }
    response = client.post(
        f"/api/v1/bookings/{booking.reference}/confirm",
        json={"containers": [row]},
        headers={**clerk, "Accept-Language": "en"},
    )
    errors = _problem(response, 422)["errors"]
    assert list(errors) == ["containers.0.number"]
    assert "is not a container number" in errors["containers.0.number"][0]
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


# ---- 5. digits of other scripts where a number belongs --------------------------------------


@pytest.mark.parametrize("tag", ['W/"²"', 'W/"٣"', '"１"', 'W/"1\u00b9"'])
def test_unicode_digits_in_if_match_are_a_422(
    client, db_session, users, headers, make_booking, tag
):
    shipper = headers[Role.SHIPPER]
    reference = make_booking(users[Role.SHIPPER].company).reference
    for method, path, body in [
        ("patch", f"/api/v1/bookings/{reference}", {"cargo": _cargo()}),
        ("post", f"/api/v1/bookings/{reference}/cancel", {}),
    ]:
        response = getattr(client, method)(path, json=body, headers={**shipper, "If-Match": tag})
        assert list(_problem(response, 422)["errors"]) == ["If-Match"]
    db_session.expire_all()
    booking = db_session.scalar(select(Booking).where(Booking.reference == reference))
    assert booking.status is BookingStatus.RECEIVED and booking.version == 1


def _cargo():
    return cargo(description="Tea", hs_code="090210", gross_weight_kg=1000)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/departures/٣",
        "/api/v1/departures/１",
        "/api/v1/bookings?departure_id=٣",
        "/api/v1/bookings?departure_id=%C2%B2",
    ],
)
def test_unicode_digits_in_an_id_are_no_id(client, headers, path):
    response = client.get(path, headers=headers[Role.SHIPPER])
    assert response.status_code in (404, 422) and response.mimetype == PROBLEM


def test_unicode_digits_in_a_json_number_field_are_a_422(
    client, db_session, headers, make_departure
):
    departure = make_departure()
    for lines in (
        [{"size_type": "22G1", "quantity": "²"}],
        [{"size_type": "22G1", "quantity": "٣"}],
    ):
        body = booking_body(departure.id, containers=lines)
        response = client.post("/api/v1/bookings", json=body, headers=headers[Role.SHIPPER])
        assert "containers.0.quantity" in _problem(response, 422)["errors"]
    body = booking_body(departure.id, cargo={**_cargo(), "gross_weight_kg": "１８５００"})
    response = client.post("/api/v1/bookings", json=body, headers=headers[Role.SHIPPER])
    assert "cargo.gross_weight_kg" in _problem(response, 422)["errors"]
    assert row_count(db_session, Booking) == 0


# ---- 6. JSON that cannot be read -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 5000 + "]" * 5000,
        '{"a": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"email": "\\ud800@example.com", "password": "correct-horse-battery"}',
        '{"\\udfff": 1}',
        '{"email": "' + "9" * 5000 + '"}',
        '{"n": ' + "9" * 5000 + "}",
        "{" * 40 + "}" * 40,
    ],
    ids=["deep", "deep-inside", "surrogate", "surrogate-key", "long-text", "long-int", "40-deep"],
)
@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json"])
def test_json_that_cannot_be_read_is_a_400_problem(client, raw, content_type):
    response = client.post("/api/v1/tokens", data=raw, headers={"Content-Type": content_type})
    if raw.startswith('{"email": "9'):  # readable: an ordinary wrong sign-in
        assert response.status_code in (401, 422)
        return
    assert _problem(response, 400)["status"] == 400


def test_a_lone_surrogate_in_a_booking_is_a_400_and_books_nothing(
    client, db_session, headers, make_departure
):
    body = json.dumps(booking_body(make_departure().id)).replace("Duisburg", "\\ud800")
    response = client.post(
        "/api/v1/bookings",
        data=body,
        headers={
            **headers[Role.SHIPPER],
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    assert "surrogate" in _problem(response, 400)["detail"]
    assert row_count(db_session, Booking) == 0


def test_the_far_past_is_no_time_for_a_list_either(client, headers):
    response = client.get(
        "/api/v1/departures?from=0001-01-01T00:00:00%2B01:00", headers=headers[Role.SHIPPER]
    )
    assert list(_problem(response, 422)["errors"]) == ["from"]
