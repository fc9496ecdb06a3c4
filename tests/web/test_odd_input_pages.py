"""Pages given odd input or odd stored data answer with a page, never a 500: times at the
ends of the calendar, NUL characters in any value of a form, Unicode digits and letters
where a number or a container number belongs, a full-width month in a download's URL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dryport.models import Booking, BookingStatus, Departure, Role
from tests.conftest import cargo_form, csrf_token, destination_of

END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
START_OF_TIME = datetime(1, 1, 1, 12, 0, tzinfo=UTC)


def _post(client, page_path, path, data):
    page = client.get(page_path)
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


@pytest.mark.parametrize("departs_at", [END_OF_TIME, START_OF_TIME], ids=["9999", "0001"])
def test_every_page_shows_a_departure_stored_at_either_end_of_time(
    client, auth, db_session, make_user, make_departure, make_booking, departs_at
):
    departure = make_departure(departs_at=departs_at, cutoff_hours=12, service_no="X9999")
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company, departure=departure, origin="ZP")  # 4 h of road
    pages = {
        shipper: [
            "/departures",
            f"/bookings/new?departure={departure.id}",
            "/bookings/",
            f"/bookings/{booking.reference}",
            f"/bookings/{booking.reference}/amend",
            "/departures/availability.json",
        ],
        make_user(Role.OPERATOR): [
            "/operations/",
            f"/operations/departures/{departure.id}",
            f"/operations/departures/{departure.id}/edit",
            f"/operations/departures/{departure.id}/legs/1",
            "/operations/dashboard",
            "/bookings/",
        ],
    }
    for user, paths in pages.items():
        auth.login(user.email)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (user.role, path, response.status_code)
        auth.logout()
    page = client.get(f"/api/v1/departures/{departure.id}")  # the API too (needs a token)
    assert page.status_code == 401


def test_a_nul_in_any_value_of_a_repeated_form_field_is_refused(
    client, auth, db_session, make_user, make_departure
):
    auth.login(make_user(Role.SHIPPER).email)
    departure = make_departure()
    data = {
        "departure_id": str(departure.id),
        "origin_station": "HB",
        "destination": destination_of(departure),
        "consignee.name": ["Duisburg Intermodal GmbH", "Evil\x00Corp"],
        "consignee.address": "Duisburg",
        **cargo_form(**{"cargo.description": "Green tea"}),
        "containers.0.size_type": "22G1",
        "containers.0.quantity": "1",
    }
    response = _post(client, "/bookings/new", "/bookings/new", data)
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0


@pytest.mark.parametrize("number", ["ÉBCU1234567", "CSQU٣٠٥٤٣٨٣", "ＣＳＱＵ3054383"])
def test_a_container_number_in_other_letters_or_digits_is_refused_beside_its_row(
    client, auth, db_session, make_user, make_booking, number
):
    auth.login(make_user(Role.CLERK, station="HB").email)
    booking = make_booking(make_user(Role.SHIPPER).company)
    path = f"/station/bookings/{booking.reference}/check"
    response = _post(client, path, path, {
        "containers.0.number": number, "containers.0.size_type": "22G1",
        "containers.0.seal": "AK1", "containers.0.tare_kg": "2300",
        "containers.0.vgm_kg": "14300", "containers.0.vgm_method": "METHOD_1",
        "containers.0.vgm_certified_by": "Wang Fang",
        "version": "1", "action": "confirm",
    })  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error" id="containers.0.number-error">' in page
    assert "不是有效的箱号" in page
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


@pytest.mark.parametrize(
    "field, value",
    [
        ("containers.0.quantity", "²"),
        ("containers.0.quantity", "٣"),
        ("cargo.gross_weight_kg", "１８５００"),
        ("containers.².quantity", "1"),
    ],
)
def test_unicode_digits_in_a_form_number_are_refused(
    client, auth, db_session, make_user, make_departure, field, value
):
    auth.login(make_user(Role.SHIPPER).email)
    departure = make_departure()
    data = {
        "departure_id": str(departure.id),
        "origin_station": "HB",
        "destination": destination_of(departure),
        "consignee.name": "Duisburg Intermodal GmbH",
        "consignee.address": "Duisburg",
        **cargo_form(**{"cargo.description": "Green tea"}),
        "containers.0.size_type": "22G1",
        "containers.0.quantity": "1",
        field: value,
    }
    response = _post(client, "/bookings/new", "/bookings/new", data)
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0


def test_unicode_digits_in_a_version_or_a_page_number_are_not_read_as_numbers(
    client, auth, db_session, make_user, make_booking
):
    auth.login(make_user(Role.CLERK, station="HB").email)
    booking = make_booking(make_user(Role.SHIPPER).company)
    path = f"/station/bookings/{booking.reference}/check"
    response = _post(client, path, path, {
        "containers.0.number": "CSQU3054383", "containers.0.size_type": "22G1",
        "containers.0.seal": "AK1", "containers.0.tare_kg": "2300",
        "containers.0.vgm_kg": "14300", "containers.0.vgm_method": "METHOD_1",
        "containers.0.vgm_certified_by": "Wang Fang",
        "version": "¹", "action": "confirm",
    })  # fmt: skip
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


@pytest.mark.parametrize("month", ["２０２６-１１", "2026-１１", "٢٠٢٦-11", "2026-11\u00b2"])
def test_a_report_month_in_other_digits_is_not_found(client, auth, make_user, month):
    auth.login(make_user(Role.OPERATOR).email)
    for fmt in ("csv", "pdf"):
        assert client.get(f"/operations/reports/{month}.{fmt}").status_code == 404
    assert client.get(f"/operations/reports?month={month}").status_code == 302


def test_every_download_name_is_plain_ascii_with_the_exact_name_beside(
    client, auth, make_user, seeded
):
    auth.login(make_user(Role.OPERATOR).email)
    response = client.get("/operations/reports/2026-11.csv")
    header = response.headers["Content-Disposition"]
    assert header == (
        "attachment; filename=\"dryport-2026-11.csv\"; filename*=UTF-8''dryport-2026-11.csv"
    )


def test_a_far_time_in_the_departure_form_is_refused_beside_its_field(
    client, auth, db_session, make_user, seeded
):
    auth.login(make_user(Role.OPERATOR).email)
    data = {
        "route": "EAST",
        "service_no": "X1",
        "departs_at": "9999-12-31T23:59",
        "cutoff_at": "9999-12-30T23:59",
        "capacity_teu": "80",
    }
    path = "/operations/departures/new"
    response = _post(client, path, path, data)
    assert response.status_code == 422
    assert "请输入 2000 年至 2100 年之间的时间" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Departure)) == 0


@pytest.mark.parametrize(
    "raw, message",
    [("[" * 5000 + "]" * 5000, "嵌套超过了 32 层"), ('{"name": "\\ud800"}', "孤立的代理项")],
)
def test_json_that_cannot_be_read_is_a_400_page(client, auth, make_user, raw, message):
    auth.login(make_user(Role.SHIPPER).email)
    response = client.post("/bookings/new", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("seq", ["١", "１"])  # leg 1 exists
def test_a_number_in_a_page_path_is_ascii_digits(client, auth, make_user, seeded, seq):
    auth.login(make_user(Role.ADMIN).email)
    page = client.get("/admin/routes/EAST")
    response = client.post(
        f"/admin/routes/EAST/legs/{seq}",
        data={"action": "remove", "version": "1", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 404
