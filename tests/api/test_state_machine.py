"""The booking and departure state machines of DESIGN §4 (with the waitlist of §14: a waiting
booking may only be cancelled; it is promoted or expires by itself): every allowed transition
works, every other one is refused with 409 and changes nothing."""

import pytest

from dryport.models import Booking, BookingStatus, Departure, DepartureStatus, Role

B = BookingStatus
ALLOWED = {
    "cancel": {B.WAITLISTED: B.CANCELLED, B.RECEIVED: B.CANCELLED, B.CONFIRMED: B.CANCELLED},
    "amend": {B.RECEIVED: B.RECEIVED},
    "confirm": {B.RECEIVED: B.CONFIRMED},
    "reject": {B.RECEIVED: B.REJECTED},
    "roll": {B.RECEIVED: B.RECEIVED, B.CONFIRMED: B.CONFIRMED},
}
DEPARTURE_OF = {
    B.DEPARTED: DepartureStatus.DEPARTED,
    B.ARRIVED: DepartureStatus.ARRIVED,
}


@pytest.fixture
def actors(make_user, api_token):
    shipper = make_user(Role.SHIPPER)
    return {
        "shipper": shipper,
        "cancel": api_token(shipper.email),
        "amend": api_token(shipper.email),
        "confirm": api_token(make_user(Role.CLERK, station="HB").email),
        "reject": api_token(make_user(Role.CLERK, station="HB").email),
        "roll": api_token(make_user(Role.OPERATOR).email),
    }


def _request(client, action, booking, headers, target_id):
    ref = booking.reference
    calls = {
        "cancel": ("post", f"/api/v1/bookings/{ref}/cancel", {}),
        "amend": (
            "patch",
            f"/api/v1/bookings/{ref}",
            {"version": booking.version, "consignee": {"name": "N", "address": "A"}},
        ),
        "confirm": (
            "post",
            f"/api/v1/bookings/{ref}/confirm",
            {
                "containers": [
                    {
                        "number": "CSQU3054383",
                        "size_type": "22G1",
                        "seal": "S1",
                        "tare_kg": 2300,
                        "vgm_kg": 14300,
                        "vgm_certified_by": "Wang Fang",
                    }
                ]
            },
        ),
        "reject": ("post", f"/api/v1/bookings/{ref}/reject", {"reason": "Damaged box"}),
        "roll": ("post", f"/api/v1/bookings/{ref}/roll", {"departure_id": target_id}),
    }
    method, path, body = calls[action]
    return getattr(client, method)(path, json=body, headers=headers)


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("status", list(BookingStatus))
def test_booking_transitions(
    client, db_session, actors, make_departure, make_booking, status, action
):
    departure = make_departure(status=DEPARTURE_OF.get(status, DepartureStatus.SCHEDULED))
    target = make_departure(days=14)
    booking = make_booking(actors["shipper"].company, departure=departure, status=status)
    response = _request(client, action, booking, actors[action], target.id)
    db_session.expire_all()
    after = db_session.get(Booking, booking.id)
    if status in ALLOWED[action]:
        assert response.status_code == 200, (status, action, response.get_json())
        assert after.status is ALLOWED[action][status]
    else:
        assert response.status_code == 409, (status, action, response.get_json())
        assert after.status is status and after.version == booking.version


D = DepartureStatus
DEPARTURE_ALLOWED = {
    "depart": {D.SCHEDULED: D.DEPARTED, D.CLOSED: D.DEPARTED},
    "arrive": {D.DEPARTED: D.ARRIVED},
    "cancel": {D.SCHEDULED: D.CANCELLED, D.CLOSED: D.CANCELLED},
}


@pytest.mark.parametrize("action", sorted(DEPARTURE_ALLOWED))
@pytest.mark.parametrize("status", list(DepartureStatus))
def test_departure_transitions(client, db_session, actors, make_departure, status, action):
    departure = make_departure(status=status)
    response = client.post(f"/api/v1/departures/{departure.id}/{action}", headers=actors["roll"])
    db_session.expire_all()
    after = db_session.get(Departure, departure.id)
    if status in DEPARTURE_ALLOWED[action]:
        assert response.status_code == 200, (status, action, response.get_json())
        assert after.status is DEPARTURE_ALLOWED[action][status]
    else:
        assert response.status_code == 409, (status, action, response.get_json())
        assert after.status is status
