"""The operator's station quotas on the web: the departure form's quota rows (saved, shown
again, refused beside the row or above the rows), and the board and departure page showing
each quota's held and released TEU, the open pool and the waitlist (DESIGN §14)."""

import re
from datetime import timedelta

import pytest

from dryport.extensions import db
from dryport.models import Departure, Role
from dryport.services import capacity
from dryport.services.clock import LOCAL_TZ, utcnow
from tests.conftest import csrf_token
from tests.services.test_quotas_waitlist import booking_data


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    return user


def _edit(client, departure, rows, **fields):
    """Post the departure's edit form as its page made it, with the quota ``rows``
    ([(station, teu)], blank rows as ("", "")), every other input as it stands."""
    path = f"/operations/departures/{departure.id}/edit"
    page = client.get(path)
    departure = db.session.get(Departure, departure.id, populate_existing=True)
    data = {
        "csrf_token": csrf_token(page),
        "version": str(departure.version),
        "service_no": departure.service_no,
        "departs_at": departure.departs_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
        "cutoff_at": departure.cutoff_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
        "capacity_teu": str(departure.capacity_teu),
        "capacity_kg": "",
        "quota_rows": str(len(rows)),
        **fields,
    }
    for row, (station, teu) in enumerate(rows):
        data[f"quotas.{row}.station"] = station
        data[f"quotas.{row}.teu"] = teu
    return client.post(path, data=data)


def _quotas(departure) -> dict[str, int]:
    db.session.expire_all()
    found = db.session.get(Departure, departure.id)
    return {q.station.code: q.teu for q in found.quotas}


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select id="{re.escape(name)}".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="(\w*)" selected', select)
    return chosen.group(1) if chosen else None


def test_the_quota_rows_round_trip_through_the_edit_form(client, operator, make_departure):
    departure = make_departure(capacity=10, days=10)
    response = _edit(client, departure, [("", ""), ("HB", "4"), ("", ""), ("BH", "2")])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _quotas(departure) == {"HB": 4, "BH": 2}

    page = client.get(f"/operations/departures/{departure.id}/edit").get_data(as_text=True)
    assert _selected(page, "quotas.0.station") == "HB"
    assert 'id="quotas.0.teu" name="quotas.0.teu" type="number"' in page
    assert re.search(r'name="quotas.0.teu"[^>]*value="4"', page)
    assert _selected(page, "quotas.1.station") == "BH"
    assert _selected(page, "quotas.2.station") is None  # blank rows to add one
    assert "Held 0 TEU" in page

    assert _edit(client, departure, [("", ""), ("", "")]).status_code == 302
    assert _quotas(departure) == {}  # every row left blank: no quotas


def test_a_refused_row_is_explained_beside_it_and_nothing_changes(client, operator, make_departure):
    departure = make_departure(capacity=10, days=10)
    response = _edit(client, departure, [("", ""), ("HB", "4"), ("HB", "2"), ("XY", "")])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # the blank row left out: the page shows the rows the service was given, numbered so
    assert _selected(page, "quotas.0.station") == "HB"
    assert _selected(page, "quotas.1.station") == "HB"
    assert _selected(page, "quotas.2.station") == "XY"
    assert 'id="quotas.2.teu-error"' in page  # the schema's refusal: TEU left blank
    assert _quotas(departure) == {}

    response = _edit(client, departure, [("HB", "4"), ("HB", "2")])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="quotas.1.station-error">([^<]*)<', page)
    assert error and error.group(1) == "One quota per station."
    assert 'aria-describedby="quotas.1.station-error"' in page
    assert 'id="quotas.0.station-error"' not in page
    assert _quotas(departure) == {}


def test_quotas_above_the_capacity_are_refused_above_the_rows(client, operator, make_departure):
    departure = make_departure(capacity=10, days=10)
    response = _edit(client, departure, [("HB", "6"), ("XY", "5")])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    fieldset = page[page.index('<fieldset id="quotas"') :]
    first_row = fieldset.index('class="quota-row"')
    error = fieldset.index('id="quotas-error"')
    assert error < first_row
    assert "The quotas add up to 11 TEU, more than the capacity of 10 TEU." in fieldset
    assert _quotas(departure) == {}


def test_a_capacity_below_the_quotas_is_explained_not_a_server_error(
    client, operator, make_departure
):
    departure = make_departure(capacity=10, days=10)
    assert _edit(client, departure, [("HB", "6")]).status_code == 302
    response = _edit(client, departure, [("HB", "6")], capacity_teu="5")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="quotas-error">The quotas add up to 6 TEU, more than the capacity'
                     r" of 5 TEU.<", page)  # fmt: skip
    assert db.session.get(Departure, departure.id, populate_existing=True).capacity_teu == 10


def test_a_stale_form_is_a_conflict_and_changes_nothing(client, operator, make_departure):
    departure = make_departure(capacity=10, days=10)
    stale_version = str(departure.version)
    assert _edit(client, departure, [("HB", "4")]).status_code == 302
    response = _edit(client, departure, [("HB", "2")], version=stale_version)
    assert response.status_code == 409
    assert _quotas(departure) == {"HB": 4}


def test_a_new_departure_is_planned_with_its_quotas(client, operator):
    day = (utcnow() + timedelta(days=20)).astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
    page = client.get("/operations/departures/new")
    assert 'name="quotas.0.station"' in page.get_data(as_text=True)
    response = client.post(
        "/operations/departures/new",
        data={
            "csrf_token": csrf_token(page),
            "route": "EAST",
            "service_no": "X9901",
            "departs_at": f"{day}T10:00",
            "cutoff_at": f"{day}T08:00",
            "capacity_teu": "30",
            "quotas.0.station": "",
            "quotas.0.teu": "",
            "quotas.1.station": "ZY",
            "quotas.1.teu": "8",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    departure = db.session.get(Departure, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert {q.station.code: q.teu for q in departure.quotas} == {"ZY": 8}


@pytest.fixture
def planned(db_session, make_user, make_departure):
    """A departure leaving in two days (10 TEU) with Hanbin's quota of 4 (1 TEU held) and
    Ziyang's of 3, set two days ago (Ziyang's released now that its time has come); 3 TEU
    from Xunyang in the pool, and a booking of 4 TEU waits."""
    from dryport.services import bookings

    # the hub's cut-off in 26 h: Ziyang's release (3 h of trucking and 24 h before) has
    # come, Hanbin's (1 h and 24 h before) is an hour away
    departure = make_departure(capacity=10, days=2, cutoff_hours=22, service_no="X9021")
    set_at = utcnow() - timedelta(days=2)
    capacity.set_quotas(
        db_session, departure, [{"station": "HB", "teu": 4}, {"station": "ZY", "teu": 3}], set_at
    )
    db_session.commit()
    shipper = make_user(Role.SHIPPER)
    bookings.place_booking(db_session, shipper, booking_data(departure, 1, "HB"), set_at)
    bookings.place_booking(db_session, shipper, booking_data(departure, 3, "XY"), set_at)
    waiting = booking_data(departure, 4, "XY", waitlist_=True)
    bookings.place_booking(db_session, shipper, waiting, set_at)
    db_session.commit()
    return db_session.get(Departure, departure.id)


def _row(page: str, service_no: str) -> str:
    row = page[page.index(service_no) :]
    return row[: row.index("</tr>")]


def test_the_board_shows_each_quota_the_pool_and_the_waitlist(client, operator, planned):
    # Hanbin: 1 of 4 held, 3 kept. Ziyang: released, so the pool has 10 - 4 held - 3 kept.
    page = client.get("/operations/").get_data(as_text=True)
    row = _row(page, "X9021")
    assert "Hanbin 1/4 TEU" in row and "Ziyang 0/3 TEU" in row
    ziyang = capacity.quota_state(planned)[1]
    assert ziyang.station.code == "ZY" and ziyang.released
    released = ziyang.release_at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
    assert f"released {released}" in row
    assert len(re.findall(r">released \d", row)) == 1  # Hanbin's is not
    assert "Pool: 3 TEU free" in row
    assert "1 waiting" in row


def test_the_departure_page_shows_the_quotas_and_the_waiting_booking(client, operator, planned):
    page = client.get(f"/operations/departures/{planned.id}").get_data(as_text=True)
    assert "Hanbin 1/4 TEU" in page and "Pool: 3 TEU free" in page
    assert "1 waiting" in page
    assert "On the waitlist</span> position 1" in page


def test_the_board_costs_the_same_queries_for_one_departure_or_several(
    app, client, operator, planned, make_departure, db_session, count_queries
):
    def queries() -> int:
        with count_queries() as seen:
            assert client.get("/operations/").status_code == 200
        return len(seen)

    few = queries()
    for days in (3, 4, 5):
        other = make_departure(capacity=20, days=days)
        capacity.set_quotas(db_session, other, [{"station": "HB", "teu": 2}])
        db_session.commit()
    assert queries() == few
