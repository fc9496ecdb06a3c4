"""The shipper's booking form, amendment and cancellation, and the filtered list."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dryport.models import Booking, BookingStatus, Departure, Role
from dryport.services.clock import LOCAL_TZ, utcnow
from tests.conftest import cargo_form, csrf_token, destination_of


def _form(departure_id, **fields):
    data = {
        "departure_id": str(departure_id),
        "origin_station": "HB",
        "destination": destination_of(departure_id),
        "consignee.name": "Duisburg Intermodal GmbH",
        "consignee.address": "Hafenstraße 1, Duisburg",
        "notify_party.name": "",
        "notify_party.address": "",
        **cargo_form(**{"cargo.description": "富硒绿茶"}),
        "cargo.reefer_temperature_c": "",
        "cargo.dangerous_goods.un_number": "",
        "cargo.dangerous_goods.class": "",
        "containers.0.size_type": "22G1",
        "containers.0.quantity": "2",
        "containers.1.size_type": "45G1",
        "containers.1.quantity": "1",
        "containers.2.size_type": "",
        "containers.2.quantity": "",
        "containers.3.size_type": "",
        "containers.3.quantity": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER)
    auth.login(user.email)
    return user


def _post(client, path, data):
    page = client.get(path if not path.endswith("/cancel") else "/bookings/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def _count(db_session):
    return db_session.scalar(select(func.count()).select_from(Booking))


def test_a_shipper_books_through_the_form(client, db_session, shipper, make_departure):
    departure = make_departure("XAEU", capacity=82, service_no="X8157")
    page = client.get(f"/bookings/new?departure={departure.id}").get_data(as_text=True)
    assert "X8157" in page and f'value="{departure.id}"' in page and "selected" in page
    response = _post(client, "/bookings/new", _form(departure.id))
    assert response.status_code == 302
    booking = db_session.scalar(select(Booking))
    assert response.headers["Location"].endswith(f"/bookings/{booking.reference}")
    assert booking.teu == Decimal(4) and booking.notify_name is None and booking.un_number is None
    assert sorted((line.size_type, line.quantity) for line in booking.lines) == [
        ("22G1", 2),
        ("45G1", 1),
    ]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert booking.reference in detail and "订舱已受理" in detail and "4 TEU" in detail


def test_a_wrong_field_is_explained_next_to_it_and_nothing_is_booked(
    client, db_session, shipper, make_departure
):
    departure = make_departure()
    response = _post(client, "/bookings/new", _form(departure.id, **{"cargo.hs_code": "0902"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="cargo.hs_code-error"' in page and "HS 编码为 6、8 或 10 位数字" in page
    assert 'value="Duisburg Intermodal GmbH"' in page  # what was typed stays
    assert _count(db_session) == 0


def test_a_booking_that_does_not_fit_says_what_is_free(client, db_session, shipper, make_departure):
    departure = make_departure(capacity=3)
    response = _post(client, "/bookings/new", _form(departure.id))
    assert response.status_code == 409
    assert "舱位不足：申请 4 TEU，剩余 3 TEU" in response.get_data(as_text=True)
    assert _count(db_session) == 0


def test_only_shippers_see_the_form(client, auth, make_user):
    auth.login(make_user(Role.CLERK).email)
    assert client.get("/bookings/new").status_code == 403


def test_amend_through_the_form(client, db_session, shipper, make_departure, make_booking):
    booking = make_booking(shipper.company, lines=(("22G1", 1),))
    page = client.get(f"/bookings/{booking.reference}/amend").get_data(as_text=True)
    assert 'name="version" value="1"' in page and 'value="Green tea"' in page
    form = _form(
        booking.departure_id,
        version="1",
        **{"containers.1.size_type": "", "containers.1.quantity": ""},
    )
    response = _post(client, f"/bookings/{booking.reference}/amend", form)
    assert response.status_code == 302
    db_session.expire_all()
    amended = db_session.get(Booking, booking.id)
    assert amended.teu == Decimal(2) and amended.cargo_description == "富硒绿茶"
    assert db_session.get(Departure, booking.departure_id).held_teu == Decimal(2)


def test_a_stale_amendment_is_refused(client, db_session, shipper, make_booking):
    booking = make_booking(shipper.company)
    booking.consignee_name = "changed meanwhile"
    db_session.commit()  # version 2 now
    response = _post(
        client, f"/bookings/{booking.reference}/amend", _form(booking.departure_id, version="1")
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).consignee_name == "changed meanwhile"


def test_cancel_through_the_page(client, db_session, shipper, make_booking):
    booking = make_booking(shipper.company)
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "取消订舱" in detail
    response = _post(
        client, f"/bookings/{booking.reference}/cancel", {"version": "1", "confirmed": "yes"}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    assert db_session.get(Departure, booking.departure_id).held_teu == 0


def test_after_the_cutoff_the_page_offers_no_change_and_refuses_one(
    client, db_session, shipper, make_departure, make_booking
):
    departure = make_departure(departs_at=utcnow() + timedelta(hours=24, minutes=30))
    booking = make_booking(shipper.company, departure=departure, origin="HB")  # HB: 1 h
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "取消订舱" not in detail and "/amend" not in detail
    response = _post(
        client, f"/bookings/{booking.reference}/cancel", {"version": "1", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert "截载时间" in client.get(response.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


def test_another_companys_booking_cannot_be_changed(
    client, db_session, shipper, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company)
    assert client.get(f"/bookings/{booking.reference}/amend").status_code == 404
    response = _post(
        client, f"/bookings/{booking.reference}/cancel", {"version": "1", "confirmed": "yes"}
    )
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


def test_the_list_filters_by_route_status_and_month(client, shipper, make_departure, make_booking):
    east = make_departure("EAST")
    xaeu = make_departure("XAEU", days=70)
    first = make_booking(shipper.company, departure=east)
    second = make_booking(shipper.company, departure=xaeu, status=BookingStatus.CANCELLED)
    page = client.get("/bookings/?route=XAEU").get_data(as_text=True)
    assert second.reference in page and first.reference not in page
    page = client.get("/bookings/?status=RECEIVED").get_data(as_text=True)
    assert first.reference in page and second.reference not in page
    month = east.departs_at.astimezone(LOCAL_TZ).strftime("%Y-%m")
    page = client.get(f"/bookings/?month={month}").get_data(as_text=True)
    assert first.reference in page and second.reference not in page
    assert client.get("/bookings/?month=nonsense").status_code == 200


def test_availability_feeds_the_form(client, shipper, make_departure, make_booking):
    departure = make_departure(capacity=10)
    make_booking(shipper.company, departure=departure, lines=(("42G1", 2),))
    rows = client.get("/departures/availability.json").get_json()
    assert {"id": departure.id, "free_teu": "6", "status": "SCHEDULED"} in rows


@pytest.fixture
def bump_during_request(app, monkeypatch, db_session):
    """Another request commits a change to the booking between this one's read and its write
    (PostgreSQL only: on SQLite writers are serialised, so the window does not exist)."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: no window between read and write")
    from sqlalchemy import update

    from dryport.extensions import db
    from dryport.services import bookings as service

    def check_and_bump(booking, version):
        with db.engine.begin() as conn:
            conn.execute(
                update(Booking)
                .where(Booking.id == booking.id)
                .values(version=Booking.version + 1, consignee_name="the other request")
            )

    monkeypatch.setattr(service, "check_version", check_and_bump)


@pytest.mark.parametrize("action", ["amend", "cancel"])
def test_losing_a_race_is_a_409_page_and_changes_nothing(
    client, db_session, shipper, make_booking, bump_during_request, action
):
    booking = make_booking(shipper.company)
    path = f"/bookings/{booking.reference}/{action}"
    data = (
        _form(booking.departure_id, version="1")
        if action == "amend"
        else {"version": "1", "confirmed": "yes"}
    )
    response = _post(client, path, data)
    if action == "amend":
        assert response.status_code == 409
        page = response.get_data(as_text=True)
    else:
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已被他人修改" in page
    db_session.expire_all()
    stored = db_session.get(Booking, booking.id)
    assert stored.status is BookingStatus.RECEIVED and stored.consignee_name == "the other request"
    assert db_session.get(Departure, booking.departure_id).held_teu == Decimal(1)


def test_another_companys_booking_cannot_be_amended_by_post(
    client, db_session, shipper, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company)
    response = _post(
        client, f"/bookings/{booking.reference}/amend", _form(booking.departure_id, version="1")
    )
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).consignee_name == "Duisburg Intermodal GmbH"


def test_the_amend_page_shows_every_line_of_a_larger_booking(client, shipper, make_booking):
    lines = (("22G1", 1), ("42G1", 1), ("45G1", 1), ("22U1", 1), ("22T1", 1))
    booking = make_booking(shipper.company, lines=lines)
    page = client.get(f"/bookings/{booking.reference}/amend").get_data(as_text=True)
    for row, (size_type, _) in enumerate(lines):
        selected = rf'name="containers\.{row}\.size_type".*?value="{size_type}"[^>]*selected'
        assert re.search(selected, page, re.S), (row, size_type)


def test_the_list_costs_the_same_queries_for_two_bookings_or_twenty(
    app, client, auth, make_user, make_company, make_departure, make_booking
):
    """No query per row (an N+1): what the list shows is loaded with the page."""
    from sqlalchemy import event

    from dryport.extensions import db

    auth.login(make_user(Role.OPERATOR).email)
    companies = [make_company(f"Shipper {n}") for n in range(4)]

    def queries() -> int:
        seen = []

        def note(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert client.get("/bookings/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len(seen)

    for n in range(2):
        make_booking(companies[n % 4], departure=make_departure(days=5 + n))
    few = queries()
    for n in range(2, 20):
        make_booking(companies[n % 4], departure=make_departure(days=5 + n), origin="LG")
    assert queries() == few
