"""Customs release through the API: the gate on ``depart``, one booking's release, the
release list as a CSV body or a multipart file, the booking's output and its webhook."""

import io

import pytest
from sqlalchemy import select

from dryport.models import BookingEvent, EventType, Role, WebhookDelivery
from dryport.services.clock import utcnow
from tests.conftest import declaration_for
from tests.pdf import conftest as pdf_fixtures

confirmed = pdf_fixtures.confirmed  # the fixture

NUMBER = "610120260000000123"


@pytest.fixture
def operator(make_user, api_token):
    return api_token(make_user(Role.OPERATOR).email)


def _train(make_departure, confirmed, route="XAEU", count=2):
    departure = make_departure(
        route, border_crossing="KHG-AKL" if route == "XAEU" else None, departs_at=utcnow()
    )
    return departure, [confirmed(route, departure=departure) for _ in range(count)]


def _release(client, headers, reference, number, **body):
    return client.post(
        f"/api/v1/bookings/{reference}/customs-release",
        json={"declaration_no": number, **body},
        headers=headers,
    )


@pytest.mark.parametrize("route", ["XAEU", "WHSEA"])
def test_depart_is_409_naming_the_unreleased_bookings_then_departs_once_released(
    client, operator, make_departure, confirmed, route
):
    departure, bookings = _train(make_departure, confirmed, route)
    references = sorted(b.reference for b in bookings)
    path = f"/api/v1/departures/{departure.id}/depart"
    refused = client.post(path, headers=operator)
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["bookings"] == references
    assert all(ref in refused.get_json()["detail"] for ref in references)

    for booking in bookings:
        assert (
            _release(client, operator, booking.reference, declaration_for(booking)).status_code
            == 200
        )
    left = client.post(path, headers=operator)
    assert left.status_code == 200 and left.get_json()["status"] == "DEPARTED"


def test_east_is_not_gated(client, operator, make_departure, confirmed):
    departure, (booking,) = _train(make_departure, confirmed, "EAST", count=1)
    assert (
        client.post(f"/api/v1/departures/{departure.id}/depart", headers=operator).status_code
        == 200
    )
    refused = _release(client, operator, booking.reference, NUMBER)
    assert refused.status_code == 409 and "EAST" in refused.get_json()["detail"]


def test_a_release_answers_with_the_booking_and_is_idempotent(
    client, db_session, operator, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    at = "2026-01-05T14:30:00+08:00"
    first = _release(client, operator, booking.reference, NUMBER, released_at=at)
    assert first.status_code == 200
    body = first.get_json()
    assert body["reference"] == booking.reference
    assert body["customs"]["declaration_no"] == NUMBER
    assert body["customs"]["released_at"] == "2026-01-05T06:30:00+00:00"
    again = _release(client, operator, booking.reference, NUMBER, released_at=at)
    assert again.status_code == 200 and again.get_json()["version"] == body["version"]
    other = _release(
        client, operator, booking.reference, NUMBER, released_at="2026-01-06T08:00:00+08:00"
    )
    assert other.status_code == 409
    events = db_session.scalars(
        select(BookingEvent).where(
            BookingEvent.booking_id == booking.id, BookingEvent.type == EventType.CUSTOMS_RELEASED
        )
    ).all()
    assert len(events) == 1
    timeline = client.get(f"/api/v1/bookings/{booking.reference}/events", headers=operator)
    assert "CUSTOMS_RELEASED" in [e["type"] for e in timeline.get_json()]


def test_the_booking_shows_no_release_until_one_is_recorded(
    client, operator, api_token, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    path = f"/api/v1/bookings/{booking.reference}"
    assert client.get(path, headers=operator).get_json()["customs"] is None
    _release(client, operator, booking.reference, NUMBER)
    seen = client.get(path, headers=api_token(confirmed.shipper.email)).get_json()
    assert seen["customs"]["declaration_no"] == NUMBER
    assert seen["customs"]["released_at"] is not None
    assert seen["customs"]["invoice_value"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"declaration_no": "61012026000000012"}, "declaration_no"),
        ({"declaration_no": "610120260000000999"}, "declaration_no"),
        ({"declaration_no": NUMBER, "released_at": "2099-01-01T00:00:00+08:00"}, "released_at"),
        ({"declaration_no": NUMBER, "released_at": "2026-01-05 14:30"}, "released_at"),
        ({}, "declaration_no"),
    ],
)
def test_a_bad_release_is_422_on_its_field(
    client, operator, make_departure, confirmed, body, field
):
    _, (booking, _other) = _train(make_departure, confirmed)
    booking.customs_declaration_no = NUMBER
    response = client.post(
        f"/api/v1/bookings/{booking.reference}/customs-release", json=body, headers=operator
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_the_mismatch_says_which_number_the_booking_names(
    client, operator, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    booking.customs_declaration_no = NUMBER
    english = client.post(
        f"/api/v1/bookings/{booking.reference}/customs-release",
        json={"declaration_no": "610120260000000999"},
        headers={**operator, "Accept-Language": "en"},
    )
    assert english.get_json()["errors"]["declaration_no"] == [
        f"The booking names declaration {NUMBER}."
    ]


def test_shippers_and_clerks_may_not_release_and_unknown_bookings_are_404(
    client, make_user, api_token, operator, make_departure, confirmed
):
    _, (booking, _other) = _train(make_departure, confirmed)
    for role, kw in ((Role.SHIPPER, {}), (Role.CLERK, {"station": "HB"})):
        headers = api_token(make_user(role, **kw).email)
        assert _release(client, headers, booking.reference, NUMBER).status_code == 403
        listed = client.post(
            f"/api/v1/departures/{booking.departure_id}/customs-releases",
            data=f"{NUMBER},2026-01-05 14:30\n",
            headers={**headers, "Content-Type": "text/csv"},
        )
        assert listed.status_code == 403
    assert _release(client, operator, "HK2612-99999", NUMBER).status_code == 404


def test_a_departed_departure_takes_no_release(
    client, operator, make_departure, confirmed, make_booking
):
    departure, bookings = _train(make_departure, confirmed)
    for booking in bookings:
        _release(client, operator, booking.reference, declaration_for(booking))
    assert (
        client.post(f"/api/v1/departures/{departure.id}/depart", headers=operator).status_code
        == 200
    )
    late = make_booking(bookings[0].company, departure=departure)
    assert _release(client, operator, late.reference, NUMBER).status_code == 409
    again = _release(client, operator, bookings[0].reference, declaration_for(bookings[0]))
    assert again.status_code == 200  # the same release, repeated: nothing to refuse


def _numbered(db_session, bookings):
    for booking in bookings:
        booking.customs_declaration_no = declaration_for(booking)
    db_session.commit()
    return [b.customs_declaration_no for b in bookings]


def test_a_release_list_as_a_csv_body(client, db_session, operator, make_departure, confirmed):
    departure, bookings = _train(make_departure, confirmed)
    numbers = _numbered(db_session, bookings)
    data = "\ufeff报关单号,放行时间\r\n" + "".join(f"{n},2026-01-05 14:30\r\n" for n in numbers)
    response = client.post(
        f"/api/v1/departures/{departure.id}/customs-releases",
        data=data.encode("utf-8"),
        headers={**operator, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"released": [b.reference for b in bookings]}
    assert (
        client.post(f"/api/v1/departures/{departure.id}/depart", headers=operator).status_code
        == 200
    )


def test_a_release_list_as_a_multipart_file_in_gb18030(
    client, db_session, operator, make_departure, confirmed
):
    departure, bookings = _train(make_departure, confirmed)
    numbers = _numbered(db_session, bookings)
    data = "报关单号,放行时间\r\n" + "".join(f"{n},2026/1/5 14:30\r\n" for n in numbers)
    response = client.post(
        f"/api/v1/departures/{departure.id}/customs-releases",
        data={"file": (io.BytesIO(data.encode("gb18030")), "放行清单.csv")},
        headers=operator,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    assert sorted(response.get_json()["released"]) == sorted(b.reference for b in bookings)


def test_a_bad_release_list_is_422_by_line_and_records_nothing(
    client, db_session, operator, make_departure, confirmed
):
    departure, bookings = _train(make_departure, confirmed)
    numbers = _numbered(db_session, bookings)
    data = (
        f"{numbers[0]},2026-01-05 14:30\n610120260000000777,2026-01-05 14:30\n{numbers[1]},soon\n"
    )
    response = client.post(
        f"/api/v1/departures/{departure.id}/customs-releases",
        data=data,
        headers={**operator, "Content-Type": "text/csv", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert sorted(errors) == ["line 2", "line 3"]
    assert errors["line 2"] == [
        "No booking on this departure names declaration 610120260000000777."
    ]
    db_session.expire_all()
    assert all(b.customs_released_at is None for b in bookings)
    empty = client.post(
        f"/api/v1/departures/{departure.id}/customs-releases",
        data=b"",
        headers={**operator, "Content-Type": "text/csv"},
    )
    assert empty.status_code == 422 and "file" in empty.get_json()["errors"]


def test_a_release_is_a_webhook_event_of_the_booking_s_company(
    client, db_session, operator, make_departure, confirmed, api_token
):
    _, (booking, _other) = _train(make_departure, confirmed)
    shipper = api_token(confirmed.shipper.email)
    hook = client.post(
        "/api/v1/webhooks", json={"url": "https://erp.example.com/dryport/events"}, headers=shipper
    )
    assert hook.status_code == 201
    assert _release(client, operator, booking.reference, NUMBER).status_code == 200
    deliveries = db_session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.event_type == "booking.customs_released")
    ).all()
    assert [d.booking_reference for d in deliveries] == [booking.reference]
    payload = deliveries[0].payload
    assert payload["data"]["event"]["details"]["declaration_no"] == NUMBER
    assert payload["data"]["booking"]["customs"]["released_at"] is not None
    _release(client, operator, booking.reference, NUMBER)  # the same again: no second event
    db_session.expire_all()
    assert len(db_session.scalars(select(WebhookDelivery)).all()) == 1
