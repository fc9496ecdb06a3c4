"""Irreversible actions on the web take a confirmation step: the action's page says what will
happen, and the server refuses the action (400, nothing changed) without the confirmation
that page sends."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dryport.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    Departure,
    DepartureStatus,
    Role,
    VgmMethod,
)
from dryport.services import loading, waybills
from dryport.services.clock import utcnow
from tests.conftest import csrf_token


def _post(client, path, data):
    page = client.get("/bookings/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def _confirm_form(page: str) -> dict:
    """The hidden fields of the confirmation page's form, as the browser would send them."""
    form = page[page.index('class="card narrow confirm"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER)
    auth.login(user.email)
    return user


def _confirmed_with_waybill(db_session, make_user, booking):
    clerk = make_user(Role.CLERK, station="HB")
    loading.confirm_load(db_session, clerk, booking.reference, [{
        "number": "CSQU3054383", "size_type": "22G1", "seal": "S1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    db_session.commit()
    return waybills.latest(db_session, booking.id)


def test_cancelling_a_booking_says_what_it_gives_up_and_needs_the_confirmation(
    client, db_session, shipper, make_user, make_booking
):
    booking = make_booking(shipper.company)
    waybill = _confirmed_with_waybill(db_session, make_user, booking)
    path = f"/bookings/{booking.reference}/cancel"
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert f'action="{path}"' in detail and 'method="get"' in detail

    page = client.get(f"{path}?version=2").get_data(as_text=True)
    assert "1 TEU" in page and waybill.number in page and "无法撤销" in page

    refused = _post(client, path, {"version": "2"})
    assert refused.status_code == 400
    assert "尚未执行" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert db_session.get(Departure, booking.departure_id).held_teu == 1

    done = client.post(path, data=_confirm_form(page))
    assert done.status_code == 302
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.CANCELLED


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    return user


@pytest.mark.parametrize("action", ["depart", "cancel"])
def test_departure_actions_need_the_confirmation(
    client, db_session, operator, make_departure, action
):
    departure = make_departure("EAST", days=6)
    path = f"/operations/departures/{departure.id}/{action}"
    detail = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    assert f'action="{path}"' in detail
    assert f'method="get" action="{path}"' in detail  # one click asks first, changes nothing

    refused = _post(client, path, {})
    assert refused.status_code == 400
    assert "Nothing was done" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).status is DepartureStatus.SCHEDULED
    assert (
        db_session.scalars(select(AuditEntry).where(AuditEntry.entity == "departure")).all() == []
    )

    page = client.get(path).get_data(as_text=True)
    assert "cannot be undone" in page
    assert client.post(path, data=_confirm_form(page)).status_code == 302
    db_session.expire_all()
    expected = DepartureStatus.DEPARTED if action == "depart" else DepartureStatus.CANCELLED
    assert db_session.get(Departure, departure.id).status is expected


def test_recording_a_departure_days_early_warns(client, operator, make_departure):
    departure = make_departure("EAST", days=6)
    page = client.get(f"/operations/departures/{departure.id}/depart").get_data(as_text=True)
    assert "in 6 days" in page and "only if the train has really left" in page
    soon = make_departure("EAST", departs_at=utcnow() + timedelta(minutes=20))
    page = client.get(f"/operations/departures/{soon.id}/depart").get_data(as_text=True)
    assert "really left" not in page


def test_arrival_needs_the_confirmation(client, db_session, operator, make_departure):
    departure = make_departure("EAST", days=-1, status=DepartureStatus.DEPARTED)
    departure.departed_at = utcnow() - timedelta(hours=1)
    db_session.commit()
    path = f"/operations/departures/{departure.id}/arrive"
    assert _post(client, path, {}).status_code == 400
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).status is DepartureStatus.DEPARTED
    page = client.get(path).get_data(as_text=True)
    assert client.post(path, data=_confirm_form(page)).status_code == 302
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).status is DepartureStatus.ARRIVED


def test_rejecting_a_load_shows_the_reason_and_needs_the_confirmation(
    client, db_session, auth, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company)
    auth.login(make_user(Role.CLERK, station="HB").email)
    path = f"/station/bookings/{booking.reference}/reject"
    check = client.get(f"/station/bookings/{booking.reference}/check").get_data(as_text=True)
    assert f'method="get" action="{path}"' in check

    page = client.get(f"{path}?reason=箱体破损&version=1").get_data(as_text=True)
    assert "箱体破损" in page and booking.reference in page

    refused = _post(client, path, {"reason": "箱体破损", "version": "1"})
    assert refused.status_code == 400
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.RECEIVED

    assert client.post(path, data=_confirm_form(page)).status_code == 302
    db_session.expire_all()
    stored = db_session.get(Booking, booking.id)
    assert stored.status is BookingStatus.REJECTED


def test_a_too_short_reason_is_sent_back_to_the_check_page(
    client, db_session, auth, make_user, make_booking
):
    booking = make_booking(make_user(Role.SHIPPER).company)
    auth.login(make_user(Role.CLERK, station="HB").email)
    response = client.get(f"/station/bookings/{booking.reference}/reject?reason=x&version=1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")


def test_the_departure_page_says_when_bookings_still_wait(
    client, operator, make_user, make_departure, make_booking
):
    departure = make_departure("EAST", days=1)
    make_booking(make_user(Role.SHIPPER).company, departure=departure)
    page = client.get(f"/operations/departures/{departure.id}/depart").get_data(as_text=True)
    assert "Not yet possible: 1 booking still waits for its load check" in page
    assert "Yes, it has departed" not in page  # no button for what the server would refuse


def test_revoking_a_token_needs_the_confirmation(client, db_session, shipper):
    from dryport.models import ApiToken
    from dryport.services import accounts

    _token, record = accounts.create_personal_token(db_session, shipper, "ERP", 30)
    db_session.commit()
    path = f"/account/tokens/{record.id}/revoke"
    assert f'method="get" action="{path}"' in client.get("/account/tokens").get_data(as_text=True)
    assert _post(client, path, {}).status_code == 400
    db_session.expire_all()
    assert db_session.get(ApiToken, record.id).revoked_at is None
    page = client.get(path).get_data(as_text=True)
    assert "ERP" in page
    assert client.post(path, data=_confirm_form(page)).status_code == 302
    db_session.expire_all()
    assert db_session.get(ApiToken, record.id).revoked_at is not None


def test_removing_a_webhook_endpoint_needs_the_confirmation(client, db_session, shipper):
    from dryport.models import WebhookEndpoint
    from dryport.services import webhooks

    endpoint, _secret = webhooks.create_endpoint(db_session, shipper, "https://erp.example.com/x")
    db_session.commit()
    path = f"/account/webhooks/{endpoint.id}/delete"
    assert _post(client, path, {}).status_code == 400
    assert db_session.scalar(select(WebhookEndpoint)) is not None
    page = client.get(path).get_data(as_text=True)
    assert "https://erp.example.com/x" in page
    assert client.post(path, data=_confirm_form(page)).status_code == 302
    db_session.expire_all()
    assert db_session.scalar(select(WebhookEndpoint)) is None


def test_removing_a_route_leg_needs_the_confirmation(client, db_session, auth, make_user):
    from dryport.models import Leg, Route

    auth.login(make_user(Role.ADMIN, locale="en").email)

    def legs():
        return db_session.scalars(select(Leg).join(Leg.route).where(Route.code == "XAEU")).all()

    before = len(legs())
    path = "/admin/routes/XAEU/legs/1/remove"
    assert f'action="{path}"' in client.get("/admin/routes/XAEU").get_data(as_text=True)
    assert _post(client, path, {}).status_code == 400
    db_session.expire_all()
    assert len(legs()) == before
    page = client.get(path).get_data(as_text=True)
    assert "Remove leg 1 of XAEU?" in page and "cannot be undone" in page
    assert client.post(path, data=_confirm_form(page)).status_code == 302
    db_session.expire_all()
    assert len(legs()) == before - 1


def test_a_departure_with_live_bookings_offers_no_cancel_button(
    client, operator, make_user, make_departure, make_booking
):
    departure = make_departure("EAST", days=3)
    booking = make_booking(make_user(Role.SHIPPER).company, departure=departure)
    page = client.get(f"/operations/departures/{departure.id}/cancel").get_data(as_text=True)
    assert f"Roll or reject its bookings first: {booking.reference}." in page
    assert "Yes, cancel the departure" not in page  # the server would refuse it
