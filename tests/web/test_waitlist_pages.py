"""The shipper's side of station quotas and the waitlist (DESIGN §14): the booking form's
room for the chosen station (its quota and the open pool, from ``services.capacity``), the
waitlist box, a waiting booking's page with its position, leaving the waitlist, an expired
booking's reason, and the lists."""

import re

import pytest
from sqlalchemy import select

from dryport.extensions import db
from dryport.models import Booking, BookingStatus, Role
from dryport.services import bookings, capacity, operations
from dryport.services.clock import LOCAL_TZ
from dryport.services.departures import station_cutoff
from tests.conftest import csrf_token
from tests.services.test_quotas_waitlist import booking_data
from tests.web.test_booking_pages import _form


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER, locale="en")
    auth.login(user.email)
    return user


@pytest.fixture
def other(make_user):
    return make_user(Role.SHIPPER)


@pytest.fixture
def split(db_session, make_user, make_departure):
    """10 TEU: Hanbin's quota of 4, Xunyang's of 3; the pool's 3 TEU left."""
    departure = make_departure(capacity=10, days=10, service_no="X9021")
    operations.update_departure(
        db_session,
        make_user(Role.OPERATOR),
        departure.id,
        {"version": departure.version, "quotas": [{"station": "HB", "teu": 4},
                                                  {"station": "XY", "teu": 3}]},
    )  # fmt: skip
    db_session.commit()
    return departure


def _room(client, data):
    page = client.get("/bookings/new")
    return client.post("/bookings/room", data={**data, "csrf_token": csrf_token(page)})


def _note(html: str) -> str:
    found = re.search(r'id="free-note">\s*(.*?)\s*</p>', html, re.S)
    return found.group(1) if found else ""


def test_the_form_shows_the_stations_quota_and_the_pool(client, shipper, split, other):
    bookings.place_booking(db.session, other, booking_data(split, 1, "HB"))
    db.session.commit()
    departure = db.session.get(type(split), split.id, populate_existing=True)
    assert capacity.pool_available(departure) == 3
    assert capacity.available_for(departure, departure.quotas[0].station_id) == 6

    page = client.get(f"/bookings/new?departure={split.id}&origin_station=HB")
    assert _note(page.get_data(as_text=True)) == "Your station's quota: 3 TEU left; pool: 3 TEU"
    live = _room(client, _form(split.id, origin_station="XY")).get_data(as_text=True)
    assert _note(live) == "Your station's quota: 3 TEU left; pool: 3 TEU"
    none = _room(client, _form(split.id, origin_station="ZY")).get_data(as_text=True)
    assert _note(none) == "Your station has no quota on this departure; pool: 3 TEU"
    unchosen = _room(client, _form(split.id, origin_station="")).get_data(as_text=True)
    assert _note(unchosen).startswith("Pool: 3 TEU free;")


def test_the_form_says_when_the_containers_do_not_fit(client, shipper, split):
    fits = _room(client, _form(split.id)).get_data(as_text=True)  # 4 TEU from Hanbin
    assert 'id="room-short"' not in fits
    wide = _form(split.id, **{"containers.0.quantity": "8"})  # 8 × 22G1 and 1 × 45G1
    short = _room(client, wide).get_data(as_text=True)
    assert "Your 10 TEU do not fit: 7 TEU free for you." in short
    assert "Put me on the waitlist" in short


def test_a_departure_without_quotas_shows_what_is_free(client, shipper, make_departure):
    departure = make_departure(capacity=12)
    page = client.get(f"/bookings/new?departure={departure.id}").get_data(as_text=True)
    assert _note(page) == "12 TEU free on this departure"
    unchosen = _room(client, {**_form(departure.id), "departure_id": ""})
    assert unchosen.get_data(as_text=True).strip() == ""


def test_the_room_needs_the_form_token_and_a_shipper(client, auth, make_user, split):
    assert client.post("/bookings/room", data=_form(split.id)).status_code in (302, 400)
    auth.login(make_user(Role.CLERK).email)
    page = client.get("/bookings/")
    response = client.post(
        "/bookings/room", data={**_form(split.id), "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 403


@pytest.fixture
def full(db_session, make_departure, make_booking, other):
    departure = make_departure(capacity=4, days=10, service_no="X8157")
    make_booking(other.company, departure=departure, lines=(("42G1", 2),))
    return departure


def _book(client, data):
    page = client.get("/bookings/new")
    return client.post("/bookings/new", data={**data, "csrf_token": csrf_token(page)})


def test_the_form_always_offers_the_waitlist(client, shipper, full):
    page = client.get("/bookings/new").get_data(as_text=True)
    assert 'name="waitlist" value="true"' in page and "Put me on the waitlist" in page


def test_a_refusal_points_to_the_waitlist_box_and_ticking_it_waits(
    client, db_session, shipper, full, other
):
    refused = _book(client, _form(full.id))
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Not enough capacity: 4 TEU requested, 0 TEU free." in page
    box = page[page.index('id="waitlist-choice"') :]
    box = box[: box.index("</fieldset>")]
    assert 'id="waitlist-error"' in box and "Tick this box and book again" in box
    assert 'aria-invalid="true"' in box
    mine = select(Booking).where(Booking.company_id == shipper.company_id)
    assert db_session.scalar(mine) is None

    bookings.place_booking(db_session, other, booking_data(full, 1, waitlist_=True))
    db_session.commit()  # someone waits already
    placed = _book(client, _form(full.id, waitlist="true"))
    assert placed.status_code == 302
    booking = db_session.scalar(mine)
    assert booking.status is BookingStatus.WAITLISTED
    detail = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert f"Booking {booking.reference} is on the waitlist of X8157, position 2" in detail


def test_a_waiting_booking_shows_its_position_its_cutoff_and_how_to_leave(
    client, db_session, shipper, full, other
):
    bookings.place_booking(db_session, other, booking_data(full, 1, waitlist_=True))
    mine = bookings.place_booking(db_session, shipper, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    page = client.get(f"/bookings/{mine.reference}").get_data(as_text=True)
    note = page[page.index('id="waitlist"') :]
    note = note[: note.index("</section>")]
    assert "On the waitlist — position 2" in note
    cutoff = station_cutoff(full, mine.origin_station).astimezone(LOCAL_TZ)
    assert cutoff.strftime("%Y-%m-%d %H:%M") in note
    assert "received automatically as soon as room frees" in note
    assert "Leave the waitlist" in page and ">Amend<" not in page
    timeline = page[page.index("Timeline") :]
    assert "Placed on the waitlist" in timeline and "1 TEU · X8157" in timeline


def test_leaving_the_waitlist_moves_those_behind_up(client, db_session, shipper, full, other):
    mine = bookings.place_booking(db_session, shipper, booking_data(full, 1, waitlist_=True))
    theirs = bookings.place_booking(db_session, other, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    path = f"/bookings/{mine.reference}/cancel"
    confirm = client.get(f"{path}?version={mine.version}")
    text = confirm.get_data(as_text=True)
    assert "Leave the waitlist of X8157?" in text and "those behind it move up" in text
    response = client.post(
        path, data={"csrf_token": csrf_token(confirm), "version": str(mine.version),
                    "confirmed": "yes"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Booking {mine.reference} has left the waitlist." in page
    db_session.expire_all()
    assert db_session.get(Booking, mine.id).status is BookingStatus.CANCELLED
    assert bookings.waitlist.positions(db_session, [db_session.get(Booking, theirs.id)]) == {
        theirs.id: 1
    }


def test_an_expired_booking_says_why(client, db_session, shipper, full, make_user):
    mine = bookings.place_booking(db_session, shipper, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    operator = make_user(Role.OPERATOR)
    db_session.delete(db_session.scalar(select(Booking).where(Booking.id != mine.id)))
    db_session.commit()  # the one live booking gone, the departure can be cancelled
    operations.cancel_departure(db_session, operator, full.id)
    db_session.commit()
    page = client.get(f"/bookings/{mine.reference}").get_data(as_text=True)
    note = page[page.index('id="waitlist"') :]
    assert "Expired on the waitlist" in note and "Its departure was cancelled." in note
    timeline = page[page.index("Timeline") :]
    assert "Expired on the waitlist" in timeline and "DEPARTURE_CANCELLED" not in timeline
    assert "On the waitlist → Expired" in timeline


def test_the_lists_show_the_new_statuses_and_the_positions(
    client, db_session, shipper, full, other
):
    bookings.place_booking(db_session, other, booking_data(full, 1, waitlist_=True))
    mine = bookings.place_booking(db_session, shipper, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    page = client.get("/bookings/").get_data(as_text=True)
    assert '<option value="WAITLISTED" >On the waitlist</option>' in page
    assert '<option value="EXPIRED" >Expired</option>' in page
    row = page[page.index(mine.reference) :]
    row = row[: row.index("</tr>")]
    assert "On the waitlist</span> position 2" in row
    only = client.get("/bookings/?status=WAITLISTED").get_data(as_text=True)
    assert mine.reference in only


def test_a_list_with_waiting_bookings_costs_the_same_queries_for_two_or_twelve(
    client, db_session, shipper, full, count_queries
):
    def queries() -> int:
        with count_queries() as seen:
            assert client.get("/bookings/").status_code == 200
        return len(seen)

    for _ in range(2):
        bookings.place_booking(db_session, shipper, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    few = queries()
    for _ in range(10):
        bookings.place_booking(db_session, shipper, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    assert queries() == few


def test_the_clerks_queue_leaves_waiting_bookings_out_and_their_list_has_them(
    client, auth, db_session, make_user, full, other
):
    waiting = bookings.place_booking(db_session, other, booking_data(full, 1, waitlist_=True))
    db_session.commit()
    auth.login(make_user(Role.CLERK, station="HB", locale="en").email)
    queue = client.get("/station/")
    assert queue.status_code == 200 and waiting.reference not in queue.get_data(as_text=True)
    listed = client.get("/bookings/").get_data(as_text=True)
    assert waiting.reference in listed and "position 1" in listed
    page = client.get(f"/bookings/{waiting.reference}")
    assert page.status_code == 200 and "On the waitlist — position 1" in page.get_data(as_text=True)
