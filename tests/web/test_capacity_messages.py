"""Capacity messages agree with the screen: an amendment speaks of the total asked for, a
roll of the selection against what the menu showed; only departures that have not left are
offered, or accepted, as roll targets; a departure that has left or was cancelled is not
edited."""

from datetime import timedelta

import pytest

from dryport.models import BookingStatus, DepartureStatus, Role
from dryport.services import rolls
from dryport.services.clock import utcnow
from dryport.services.errors import Invalid
from tests.conftest import cargo_form, csrf_token


def _post(client, path, data):
    page = client.get("/bookings/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def _flash(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    return user


def test_an_amendment_that_does_not_fit_names_the_total_asked_for(
    client, auth, make_user, make_departure, make_booking
):
    shipper = make_user(Role.SHIPPER, locale="en")
    departure = make_departure(capacity=10)
    make_booking(make_user(Role.SHIPPER).company, departure=departure, lines=(("42G1", 2),))
    booking = make_booking(shipper.company, departure=departure, lines=(("42G1", 2),))
    auth.login(shipper.email)
    path = f"/bookings/{booking.reference}/amend"
    form = client.get(path)
    data = {
        "version": "1", "consignee.name": "Duisburg Intermodal GmbH",
        "consignee.address": "Hafenstraße 1", **cargo_form(**{"cargo.description": "Tea"}),
        "containers.0.size_type": "42G1", "containers.0.quantity": "4",
    }  # fmt: skip
    response = client.post(path, data={**data, "csrf_token": csrf_token(form)})
    assert response.status_code == 409
    # 8 TEU asked for in all; 2 free on the train plus the 4 the booking holds
    assert "8 TEU requested, 6 TEU free" in response.get_data(as_text=True)


def test_a_roll_that_does_not_fit_speaks_of_the_selection_and_the_menu(
    client, operator, make_user, make_departure, make_booking
):
    source = make_departure("EAST", days=5)
    tight = make_departure("EAST", days=12, capacity=3, service_no="T-TIGHT")
    company = make_user(Role.SHIPPER).company
    first = make_booking(company, departure=source, lines=(("42G1", 1),))
    second = make_booking(company, departure=source, lines=(("42G1", 1),))
    detail = client.get(f"/operations/departures/{source.id}").get_data(as_text=True)
    assert "3 TEU free" in detail
    response = _post(
        client,
        f"/operations/departures/{source.id}/roll",
        {"target": str(tight.id), "references": [first.reference, second.reference]},
    )
    page = _flash(client, response)
    assert "the selection needs 4 TEU, 3 TEU free" in page
    assert "1 TEU free" not in page


def test_one_booking_rolled_is_singular(client, operator, make_user, make_departure, make_booking):
    source = make_departure("EAST", days=5)
    target = make_departure("EAST", days=12)
    booking = make_booking(make_user(Role.SHIPPER).company, departure=source)
    response = _post(
        client,
        f"/operations/departures/{source.id}/roll",
        {"target": str(target.id), "references": [booking.reference]},
    )
    assert "1 booking rolled." in _flash(client, response)


def test_a_train_due_to_have_left_is_no_roll_target(
    db_session, make_user, make_departure, make_booking
):
    source = make_departure("EAST", days=5)
    overdue = make_departure("EAST", departs_at=utcnow() - timedelta(hours=2))
    assert overdue.status is DepartureStatus.SCHEDULED  # not recorded yet, but gone
    booking = make_booking(make_user(Role.SHIPPER).company, departure=source)
    assert overdue not in rolls.roll_targets(db_session, source)
    with pytest.raises(Invalid) as refused:
        rolls.roll_booking(db_session, make_user(Role.OPERATOR), booking.reference, overdue.id)
    assert "departure_id" in refused.value.errors
    db_session.rollback()
    assert db_session.get(type(booking), booking.id).departure_id == source.id


def test_a_departed_train_shows_no_roll_control(
    client, db_session, operator, make_user, make_departure, make_booking
):
    gone = make_departure("EAST", days=-1, status=DepartureStatus.DEPARTED)
    make_departure("EAST", days=12)  # a target there would be
    make_booking(make_user(Role.SHIPPER).company, departure=gone, status=BookingStatus.DEPARTED)
    page = client.get(f"/operations/departures/{gone.id}").get_data(as_text=True)
    assert 'name="target"' not in page and "/roll" not in page


@pytest.mark.parametrize(
    "status, message",
    [
        (DepartureStatus.ARRIVED, "A departure that has left cannot be replanned."),
        (DepartureStatus.DEPARTED, "A departure that has left cannot be replanned."),
        (DepartureStatus.CANCELLED, "A cancelled departure cannot be replanned."),
    ],
)
def test_the_edit_page_does_not_open_for_a_departure_past_planning(
    client, operator, make_departure, status, message
):
    departure = make_departure("EAST", days=-2, status=status)
    path = f"/operations/departures/{departure.id}/edit"
    detail = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    assert path not in detail
    response = client.get(path)
    assert response.status_code == 302
    assert message in _flash(client, response)
    assert message in _flash(client, _post(client, path, {"capacity_teu": "5"}))
