"""The clerk's pages: the queue, checking a load on a tablet, rejecting one."""

import pytest
from sqlalchemy import select

from dryport.models import Booking, BookingStatus, Role
from tests.conftest import csrf_token


@pytest.fixture
def clerk(make_user, auth):
    user = make_user(Role.CLERK, station="HB")
    auth.login(user.email)
    return user


def _rows(numbers, **extra):
    data = {}
    for i, number in enumerate(numbers):
        data.update(
            {
                f"containers.{i}.number": number,
                f"containers.{i}.size_type": "22G1",
                f"containers.{i}.seal": f"AK{i}",
                f"containers.{i}.tare_kg": "2300",
                f"containers.{i}.vgm_kg": str(2300 + 12000 // len(numbers)),
                f"containers.{i}.vgm_method": "METHOD_1",
                f"containers.{i}.cargo_kg": "",
                f"containers.{i}.packing_kg": "",
                f"containers.{i}.owner": "COC",
                f"containers.{i}.vgm_certified_by": "Wang Fang",
                f"containers.{i}.weighed_at": "",
            }
        )
    data.update(extra)
    return data


def _post(client, path, data):
    page = client.get("/station/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def test_the_queue_lists_the_stations_loads_by_cutoff(
    client, clerk, make_user, make_departure, make_booking
):
    company = make_user(Role.SHIPPER).company
    later = make_booking(company, departure=make_departure(days=9), origin="HB")
    sooner = make_booking(company, departure=make_departure(days=3), origin="HB")
    elsewhere = make_booking(company, departure=make_departure(days=2), origin="BH")
    done = make_booking(company, origin="HB", status=BookingStatus.CONFIRMED)
    page = client.get("/station/").get_data(as_text=True)
    assert page.index(sooner.reference) < page.index(later.reference)
    assert elsewhere.reference not in page and done.reference not in page
    assert "1 × 22G1" in page


def test_only_clerks_have_a_queue(client, auth, make_user):
    auth.login(make_user(Role.SHIPPER).email)
    assert client.get("/station/").status_code == 403


def test_pasted_numbers_fill_the_rows(client, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, lines=(("22G1", 2),))
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/check",
        {"action": "fill", "version": "1", "numbers": "csqu 305438 3\n\nTCNU7200794\n"},
    )
    page = response.get_data(as_text=True)
    assert (
        'id="containers.0.number" name="containers.0.number" type="text" value="CSQU3054383"'
        in page
    )
    assert 'value="TCNU7200794"' in page


def test_confirm_through_the_page(client, db_session, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, lines=(("22G1", 2),))
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/check",
        _rows(["CSQU3054383", "TCNU7200794"], version="1", action="confirm"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    stored = db_session.get(Booking, booking.id)
    assert stored.status is BookingStatus.CONFIRMED
    assert sorted(c.number for c in stored.containers) == ["CSQU3054383", "TCNU7200794"]


def test_a_wrong_check_digit_is_named_on_its_row(
    client, db_session, clerk, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company, lines=(("22G1", 2),))
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/check",
        _rows(["CSQU3054384", "TCNU7200794"], version="1", action="confirm"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="containers.0.number-error"' in page and "校验码应为 3" in page
    assert 'value="TCNU7200794"' in page
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED


def test_reject_through_the_page(client, db_session, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/reject",
        {"reason": "箱体破损", "version": "1", "confirmed": "yes"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.REJECTED


def test_another_stations_load_is_not_found(client, db_session, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, origin="BH")
    assert client.get(f"/station/bookings/{booking.reference}/check").status_code == 404
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/reject",
        {"reason": "not mine", "version": "1", "confirmed": "yes"},
    )
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.scalar(select(Booking.status)) is BookingStatus.RECEIVED


def test_a_malformed_form_is_a_message_not_a_crash(client, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/check",
        {"action": "confirm", "containers.0": "x", "containers.0.number": "y"},
    )
    assert response.status_code == 422


def test_a_yard_sheet_with_columns_fills_the_numbers(client, clerk, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company, lines=(("22G1", 1),))
    response = _post(
        client,
        f"/station/bookings/{booking.reference}/check",
        {"action": "fill", "numbers": "CSQU 305438 3\t22G1\tAK0001"},
    )
    assert 'value="CSQU3054383"' in response.get_data(as_text=True)
