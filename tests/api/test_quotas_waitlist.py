"""Station quotas and the waitlist through the API (DESIGN §14): the departure JSON's
``quotas`` and ``pool_available_teu``, quotas set with PATCH, and ``"waitlist": true``."""

import pytest
from sqlalchemy import select, update

from dryport.models import Booking, BookingStatus, Departure, Role
from dryport.schemas.bookings import BOOKING_SCHEMA
from tests.conftest import booking_body


@pytest.fixture
def people(make_user, api_token):
    shipper = make_user(Role.SHIPPER)
    other = make_user(Role.SHIPPER)
    operator = make_user(Role.OPERATOR)
    return {
        "shipper": api_token(shipper.email),
        "other": api_token(other.email),
        "operator": api_token(operator.email),
    }


def _patch(client, headers, departure_id, **body):
    version = client.get(f"/api/v1/departures/{departure_id}", headers=headers).get_json()
    return client.patch(
        f"/api/v1/departures/{departure_id}",
        json={"version": version["version"], **body},
        headers=headers,
    )


def _book(client, headers, departure, teu=2, origin="HB", **extra):
    body = booking_body(
        departure, origin_station=origin, containers=[{"size_type": "22G1", "quantity": teu}],
        **extra,
    )  # fmt: skip
    return client.post("/api/v1/bookings", json=body, headers=headers)


def test_quotas_set_by_patch_show_on_the_departure(client, people, make_departure):
    departure = make_departure(capacity=20)
    response = _patch(
        client, people["operator"], departure.id,
        quotas=[{"station": "HB", "teu": 6}, {"station": "zy", "teu": 4}],
    )  # fmt: skip
    assert response.status_code == 422  # codes are as stations have them
    response = _patch(
        client, people["operator"], departure.id,
        quotas=[{"station": "HB", "teu": 6}, {"station": "ZY", "teu": 4}],
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["pool_available_teu"] == 10 and body["available_teu"] == 20
    rows = [(q["station"], q["teu"], q["held_teu"], q["available_teu"], q["released"])
            for q in body["quotas"]]  # fmt: skip
    assert rows == [("HB", 6, 0, 6, False), ("ZY", 4, 0, 4, False)]

    assert _book(client, people["shipper"], departure, 8).status_code == 201  # 6 + 2 of pool
    body = client.get(f"/api/v1/departures/{departure.id}", headers=people["shipper"]).get_json()
    assert body["pool_available_teu"] == 8 and body["available_teu"] == 12
    assert body["quotas"][0]["held_teu"] == 8 and body["quotas"][0]["available_teu"] == 0
    listed = client.get("/api/v1/departures", headers=people["shipper"]).get_json()
    [row] = [d for d in listed if d["id"] == departure.id]
    assert row["quotas"] == body["quotas"]


@pytest.mark.parametrize(
    "quotas, where",
    [
        ([{"station": "HB", "teu": 15}, {"station": "ZY", "teu": 6}], "quotas"),
        ([{"station": "XX", "teu": 1}], "quotas.0.station"),
        ([{"station": "HB", "teu": 1}, {"station": "HB", "teu": 1}], "quotas.1.station"),
        ([{"station": "HB", "teu": 0}], "quotas.0.teu"),
        ([{"station": "HB", "teu": 1.5}], "quotas.0.teu"),
        ([{"station": "HB"}], "quotas.0.teu"),
        ({"station": "HB", "teu": 1}, "quotas"),
    ],
)
def test_bad_quotas_are_422_beside_their_field_and_change_nothing(
    client, db_session, people, make_departure, quotas, where
):
    departure = make_departure(capacity=20)
    response = _patch(client, people["operator"], departure.id, quotas=quotas)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [where]
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).quota_teu == 0


def test_a_shipper_may_not_set_quotas(client, people, make_departure):
    departure = make_departure(capacity=20)
    response = _patch(client, people["shipper"], departure.id, quotas=[])
    assert response.status_code == 403


def test_a_full_departure_puts_a_booking_asking_to_wait_on_its_waitlist(
    client, db_session, people, make_departure
):
    departure = make_departure(capacity=2)
    holder = _book(client, people["shipper"], departure, 2).get_json()
    refused = _book(client, people["other"], departure, 1)
    assert refused.status_code == 409 and refused.get_json()["available_teu"] == 0
    first = _book(client, people["other"], departure, 1, waitlist=True)
    second = _book(client, people["shipper"], departure, 2, waitlist=True)
    assert first.status_code == second.status_code == 201
    assert (first.get_json()["status"], first.get_json()["waitlist_position"]) == ("WAITLISTED", 1)
    assert second.get_json()["waitlist_position"] == 2
    assert holder["waitlist_position"] is None
    assert "booking.waitlisted" not in str(first.headers)  # events go to webhooks, not here

    cancel = client.post(
        f"/api/v1/bookings/{holder['reference']}/cancel", headers=people["shipper"]
    )
    assert cancel.status_code == 200
    ref = first.get_json()["reference"]
    promoted = client.get(f"/api/v1/bookings/{ref}", headers=people["other"]).get_json()
    assert (promoted["status"], promoted["waitlist_position"]) == ("RECEIVED", None)
    ref2 = second.get_json()["reference"]
    still = client.get(f"/api/v1/bookings/{ref2}", headers=people["shipper"]).get_json()
    assert (still["status"], still["waitlist_position"]) == ("WAITLISTED", 1)
    events = client.get(f"/api/v1/bookings/{ref}/events", headers=people["other"]).get_json()
    assert [e["type"] for e in events] == ["WAITLISTED", "PROMOTED"]
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).held_teu == 1


def test_raising_capacity_promotes_who_waits(client, db_session, people, make_departure):
    departure = make_departure(capacity=2)
    _book(client, people["shipper"], departure, 2)
    waiting = _book(client, people["other"], departure, 2, waitlist=True).get_json()
    assert _patch(client, people["operator"], departure.id, capacity_teu=4).status_code == 200
    db_session.expire_all()
    status = db_session.scalar(
        select(Booking.status).where(Booking.reference == waiting["reference"])
    )
    assert status is BookingStatus.RECEIVED


def test_waiting_bookings_filter_by_their_status(client, people, make_departure):
    departure = make_departure(capacity=1)
    _book(client, people["shipper"], departure, 1)
    waiting = _book(client, people["shipper"], departure, 1, waitlist=True).get_json()
    listed = client.get("/api/v1/bookings?status=WAITLISTED", headers=people["shipper"]).get_json()
    assert [b["reference"] for b in listed] == [waiting["reference"]]
    assert listed[0]["waitlist_position"] == 1


def test_a_list_shows_each_queue_s_places_for_the_same_queries_whatever_waits(
    client, people, make_departure, count_queries
):
    """Places read for the whole page at once: a list of many waiting bookings costs the
    queries of a list with one, and each shows its own queue's place."""

    def listed() -> tuple[dict, int]:
        with count_queries() as seen:
            response = client.get("/api/v1/bookings", headers=people["operator"])
        assert response.status_code == 200
        return {b["reference"]: b["waitlist_position"] for b in response.get_json()}, len(seen)

    full, other = make_departure(capacity=1), make_departure(capacity=1, days=9)
    holders = [
        _book(client, people["shipper"], d, 1).get_json()["reference"] for d in (full, other)
    ]
    first = _book(client, people["other"], full, 1, waitlist=True).get_json()["reference"]
    listed()  # the token's use is written at most once an hour: not in what is counted
    shown, few = listed()
    assert shown == {holders[0]: None, holders[1]: None, first: 1}
    second = _book(client, people["shipper"], full, 1, waitlist=True).get_json()["reference"]
    elsewhere = _book(client, people["other"], other, 1, waitlist=True).get_json()["reference"]
    third = _book(client, people["other"], full, 1, waitlist=True).get_json()["reference"]
    shown, many = listed()
    assert [shown[r] for r in (first, second, third, elsewhere)] == [1, 2, 3, 1]
    assert many == few


def test_a_booking_promoted_since_it_was_read_is_still_shown_with_a_place(
    client, db_session, people, make_departure
):
    """Read as waiting, then promoted by another request before its answer is built: the
    answer shows it as read, waiting, with the place it had (never a waiting booking
    without a place)."""
    departure = make_departure(capacity=1)
    _book(client, people["shipper"], departure, 1)
    first = _book(client, people["other"], departure, 1, waitlist=True).get_json()["reference"]
    second = _book(client, people["other"], departure, 1, waitlist=True).get_json()["reference"]
    read = db_session.scalars(select(Booking).where(Booking.reference.in_([first, second])))
    shown = sorted(read, key=lambda b: b.reference)
    db_session.execute(
        update(Booking)
        .where(Booking.reference == first)
        .values(status=BookingStatus.RECEIVED)
        .execution_options(synchronize_session=False)
    )  # as another request's promotion: the objects read still say WAITLISTED
    places = [b["waitlist_position"] for b in BOOKING_SCHEMA.dump(shown, many=True)]
    assert places == [1, 1]


def test_capacity_below_the_quotas_is_422_on_capacity(client, db_session, people, make_departure):
    departure = make_departure(capacity=20)
    assert _patch(client, people["operator"], departure.id,
                  quotas=[{"station": "HB", "teu": 12}]).status_code == 200  # fmt: skip
    both = _patch(
        client, people["operator"], departure.id,
        capacity_teu=10, quotas=[{"station": "HB", "teu": 12}],
    )  # fmt: skip
    assert both.status_code == 422 and list(both.get_json()["errors"]) == ["quotas"]
    alone = _patch(client, people["operator"], departure.id, capacity_teu=10)
    assert alone.status_code == 422 and list(alone.get_json()["errors"]) == ["capacity_teu"]
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).capacity_teu == 20


def test_a_page_of_departures_loads_their_quotas_at_once(
    client, people, make_departure, count_queries
):
    for days in (3, 4, 5):
        departure = make_departure(capacity=20, days=days)
        _patch(client, people["operator"], departure.id, quotas=[{"station": "HB", "teu": 2}])
    client.get("/api/v1/departures", headers=people["shipper"])  # the token's first use noted
    with count_queries() as few:
        client.get("/api/v1/departures", headers=people["shipper"])
    for days in (6, 7, 8, 9):
        departure = make_departure(capacity=20, days=days)
        _patch(client, people["operator"], departure.id, quotas=[{"station": "ZY", "teu": 2}])
    with count_queries() as many:
        body = client.get("/api/v1/departures", headers=people["shipper"]).get_json()
    assert len(many) == len(few)
    assert sum(len(d["quotas"]) for d in body) >= 7
