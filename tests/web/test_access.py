"""The role guard and object scope: what is not yours is not there (404)."""

import pytest

from dryport.models import Role


@pytest.mark.parametrize("path", ["/departures", "/bookings/", "/bookings/HKTEST-00001"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_shipper_sees_its_own_booking(client, auth, make_user, make_booking):
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company)
    auth.login(shipper.email)
    response = client.get(f"/bookings/{booking.reference}")
    assert response.status_code == 200
    assert booking.reference in response.get_data(as_text=True)


def test_another_companys_booking_is_not_found(client, auth, make_user, make_booking):
    owner, other = make_user(Role.SHIPPER), make_user(Role.SHIPPER)
    booking = make_booking(owner.company)
    auth.login(other.email)
    response = client.get(f"/bookings/{booking.reference}")
    assert response.status_code == 404
    assert booking.cargo_description not in response.get_data(as_text=True)
    assert booking.reference not in client.get("/bookings/").get_data(as_text=True)


def test_a_clerk_sees_only_its_stations_bookings(client, auth, make_user, make_booking):
    shipper = make_user(Role.SHIPPER)
    at_hanbin = make_booking(shipper.company, origin="HB")
    at_baihe = make_booking(shipper.company, origin="BH")
    auth.login(make_user(Role.CLERK, station="HB").email)
    assert client.get(f"/bookings/{at_hanbin.reference}").status_code == 200
    assert client.get(f"/bookings/{at_baihe.reference}").status_code == 404
    listing = client.get("/bookings/").get_data(as_text=True)
    assert at_hanbin.reference in listing and at_baihe.reference not in listing


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_staff_see_every_booking(client, auth, make_user, make_booking, role):
    booking = make_booking(make_user(Role.SHIPPER).company, origin="ZP")
    auth.login(make_user(role).email)
    assert client.get(f"/bookings/{booking.reference}").status_code == 200


def test_an_unknown_reference_is_not_found(client, auth, make_user):
    auth.login(make_user(Role.OPERATOR).email)
    assert client.get("/bookings/HK0000-99999").status_code == 404


def test_the_role_guard_refuses_other_roles_with_403(make_app, make_user):
    from dryport.web.access import role_required
    from tests.conftest import Auth

    guarded = make_app()

    @guarded.route("/operators-only")
    @role_required(Role.OPERATOR)
    def operators_only():
        return "operators welcome"

    client = guarded.test_client()
    shipper, operator = make_user(Role.SHIPPER), make_user(Role.OPERATOR)
    Auth(client).login(shipper.email)
    response = client.get("/operators-only")
    assert response.status_code == 403
    assert "operators welcome" not in response.get_data(as_text=True)
    Auth(client).logout()
    Auth(client).login(operator.email)
    assert client.get("/operators-only").get_data(as_text=True) == "operators welcome"
