"""The operator's pages: the board, planning, depart and arrive, rolling a selection."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import Booking, BookingStatus, Departure, DepartureStatus, Role
from dryport.services.clock import LOCAL_TZ, utcnow
from tests.conftest import csrf_token


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR)
    auth.login(user.email)
    return user


def _post(client, path, data):
    page = client.get("/operations/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def test_the_board_shows_held_confirmed_free_and_waiting(
    client, operator, make_user, make_departure, make_booking
):
    departure = make_departure(capacity=10, service_no="X9021")
    company = make_user(Role.SHIPPER).company
    make_booking(company, departure=departure, origin="HB", lines=(("42G1", 1),))
    make_booking(
        company,
        departure=departure,
        origin="BH",
        lines=(("22G1", 1),),
        status=BookingStatus.CONFIRMED,
    )
    page = client.get("/operations/").get_data(as_text=True)
    row = page[page.index("X9021") :]
    row = row[: row.index("</tr>")]
    assert ">3<" in row and ">1<" in row and ">7<" in row and "30%" in row
    assert "汉滨区 1" in row and "白河县" not in row and "BH" not in row


def test_the_board_counts_the_waiting_at_each_station_in_order_of_code(
    client, operator, make_user, make_departure, make_booking
):
    departure = make_departure(capacity=10, service_no="X9022")
    company = make_user(Role.SHIPPER).company
    for origin in ("HB", "BH", "HB"):
        make_booking(company, departure=departure, origin=origin, lines=(("22G1", 1),))
    make_booking(
        company, departure=departure, origin="BH", lines=(("22G1", 1),),
        status=BookingStatus.CONFIRMED,
    )  # fmt: skip
    page = client.get("/operations/").get_data(as_text=True)
    row = page[page.index("X9022") :]
    row = row[: row.index("</tr>")]
    assert ">4<" in row and ">1<" in row and ">6<" in row  # held, confirmed, free
    assert row.index("白河县 1") < row.index("汉滨区 2")  # BH before HB


def test_only_staff_see_operations(client, auth, make_user):
    auth.login(make_user(Role.CLERK).email)
    assert client.get("/operations/").status_code == 403


def test_plan_a_departure_in_beijing_time(client, db_session, operator):
    day = (utcnow() + timedelta(days=20)).astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
    response = _post(
        client,
        "/operations/departures/new",
        {
            "route": "WHSEA",
            "service_no": "WH9001",
            "departs_at": f"{day}T10:00",
            "cutoff_at": f"{day}T08:00",
            "capacity_teu": "30",
            "capacity_kg": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    departure = db_session.scalar(select(Departure).where(Departure.service_no == "WH9001"))
    assert departure.departs_at.astimezone(LOCAL_TZ).strftime("%H:%M") == "10:00"
    assert departure.capacity_kg is None


def test_capacity_below_what_is_held_is_explained(
    client, db_session, operator, make_user, make_departure, make_booking
):
    departure = make_departure(capacity=10)
    make_booking(make_user(Role.SHIPPER).company, departure=departure, lines=(("42G1", 2),))
    form = client.get(f"/operations/departures/{departure.id}/edit").get_data(as_text=True)
    assert 'name="version"' in form
    version = str(db_session.get(Departure, departure.id).version)
    response = _post(
        client,
        f"/operations/departures/{departure.id}/edit",
        {
            "version": version,
            "service_no": departure.service_no,
            "departs_at": departure.departs_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
            "cutoff_at": departure.cutoff_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
            "capacity_teu": "3",
            "capacity_kg": "",
        },
    )
    assert response.status_code == 422
    assert "不得少于已订的 4 TEU" in response.get_data(as_text=True)


def test_a_replan_without_the_version_read_changes_nothing(
    client, db_session, operator, make_departure
):
    departure = make_departure(capacity=10)
    response = _post(
        client,
        f"/operations/departures/{departure.id}/edit",
        {
            "service_no": departure.service_no,
            "departs_at": departure.departs_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
            "cutoff_at": departure.cutoff_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
            "capacity_teu": "30",
            "capacity_kg": "",
        },
    )
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).capacity_teu == 10


def test_depart_refused_then_done_then_arrive(
    client, db_session, operator, make_user, make_departure, make_booking
):
    departure = make_departure()
    company = make_user(Role.SHIPPER).company
    waiting = make_booking(company, departure=departure)
    path = f"/operations/departures/{departure.id}"
    refused = _post(client, f"{path}/depart", {"confirmed": "yes"})
    assert waiting.reference in client.get(refused.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).status is DepartureStatus.SCHEDULED
    stored = db_session.get(Booking, waiting.id)
    stored.status = BookingStatus.CONFIRMED
    db_session.commit()
    _post(client, f"{path}/depart", {"confirmed": "yes"})
    _post(client, f"{path}/arrive", {"confirmed": "yes"})
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).status is DepartureStatus.ARRIVED
    assert db_session.get(Booking, waiting.id).status is BookingStatus.ARRIVED


def test_roll_a_selection_all_or_nothing(
    client, db_session, operator, make_user, make_departure, make_booking
):
    source = make_departure("EAST", days=5)
    roomy = make_departure("EAST", days=12, capacity=10)
    tight = make_departure("EAST", days=19, capacity=3)
    company = make_user(Role.SHIPPER).company
    first = make_booking(company, departure=source, lines=(("42G1", 1),))
    second = make_booking(company, departure=source, lines=(("42G1", 1),))
    path = f"/operations/departures/{source.id}/roll"
    _post(
        client, path, {"target": str(tight.id), "references": [first.reference, second.reference]}
    )
    db_session.expire_all()
    assert db_session.get(Departure, tight.id).held_teu == 0  # 4 TEU do not fit in 3
    assert db_session.get(Departure, source.id).held_teu == Decimal(4)
    _post(
        client, path, {"target": str(roomy.id), "references": [first.reference, second.reference]}
    )
    db_session.expire_all()
    assert db_session.get(Departure, roomy.id).held_teu == Decimal(4)
    assert db_session.get(Departure, source.id).held_teu == 0


def test_a_roll_to_a_made_up_departure_is_a_message(
    client, db_session, operator, make_user, make_departure, make_booking
):
    source = make_departure()
    booking = make_booking(make_user(Role.SHIPPER).company, departure=source)
    response = _post(
        client,
        f"/operations/departures/{source.id}/roll",
        {"target": "99999999999", "references": [booking.reference]},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).departure_id == source.id
