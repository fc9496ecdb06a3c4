"""The operator's departure page lists the legs; each is planned on its own form."""

from datetime import UTC, datetime

import pytest

from dryport.models import Departure, DepartureStatus, Role
from tests.conftest import csrf_token

DEPARTS = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR)
    auth.login(user.email)
    return user


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client.get(path))})


def test_the_departure_page_shows_the_plan(client, operator, make_departure):
    departure = make_departure("XAEU", departs_at=DEPARTS, service_no="X8024")
    page = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    legs = page[page.index("区段") :]
    assert "西安国际港站" in legs and "X8024" in legs
    assert "2027-03-01 00:00" in legs  # the feeder leaves 10 hours before the train
    assert "2027-03-17 10:00" in legs
    assert f"/operations/departures/{departure.id}/legs/1" in legs


def test_an_operator_plans_the_feeder_and_blank_means_default(
    client, db_session, operator, make_departure
):
    departure = make_departure("XAEU", departs_at=DEPARTS)
    path = f"/operations/departures/{departure.id}/legs/1"
    form = client.get(path).get_data(as_text=True)
    assert "默认：2027-03-01 00:00" in form
    response = _post(client, path, {
        "version": "1", "carrier": "", "service_no": "X1234", "planned_departure": "",
        "planned_arrival": "2027-03-01T09:30",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    (row,) = db_session.get(Departure, departure.id).leg_plans
    assert (row.carrier, row.service_no, row.planned_departure) == (None, "X1234", None)
    assert row.planned_arrival == datetime(2027, 3, 1, 1, 30, tzinfo=UTC)


def test_an_arrival_before_the_departure_is_shown_beside_its_field(
    client, db_session, operator, make_departure
):
    departure = make_departure("XAEU", departs_at=DEPARTS)
    path = f"/operations/departures/{departure.id}/legs/2"
    response = _post(client, path, {
        "version": "1", "planned_departure": "2027-03-05T10:00",
        "planned_arrival": "2027-03-04T10:00",
    })  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="planned_arrival-error"' in page and "到达时间必须晚于出发时间" in page
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).leg_plans == []


def test_a_stale_form_is_refused(client, db_session, operator, make_departure):
    departure = make_departure("XAEU")
    path = f"/operations/departures/{departure.id}/legs/2"
    assert _post(client, path, {"version": "1", "service_no": "A1"}).status_code == 302
    stale = _post(client, path, {"version": "1", "service_no": "B2"})
    assert stale.status_code == 409
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).leg_plans[0].service_no == "A1"


def test_a_left_departure_has_no_leg_forms(client, operator, make_departure):
    departure = make_departure("XAEU", status=DepartureStatus.DEPARTED)
    page = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    assert "/legs/1" not in page
    assert client.get(f"/operations/departures/{departure.id}/legs/1").status_code == 302


def test_an_unknown_leg_is_a_404(client, operator, make_departure):
    departure = make_departure("EAST")
    assert client.get(f"/operations/departures/{departure.id}/legs/2").status_code == 404


def test_an_administrator_sets_a_legs_transit_hours(client, db_session, make_user, auth):
    from sqlalchemy import select

    from dryport.models import Route

    auth.login(make_user(Role.ADMIN).email)
    page = "/admin/routes/XAEU"
    form = client.get(page).get_data(as_text=True)
    assert 'id="leg-1-transit_hours"' in form and 'value="10"' in form
    db_session.expire_all()
    leg = db_session.scalar(select(Route).where(Route.code == "XAEU")).legs[0]
    fields = {
        "action": "save", "version": "1", "mode": "RAIL", "origin_zh": leg.origin_zh,
        "origin_en": leg.origin_en, "destination_zh": leg.destination_zh,
        "destination_en": leg.destination_en, "carriers.0.name_zh": leg.carriers[0].name_zh,
        "carriers.0.name_en": leg.carriers[0].name_en,
    }  # fmt: skip
    token = csrf_token(client.get(page))
    bad = client.post(f"{page}/legs/1", data={**fields, "transit_hours": "0", "csrf_token": token})
    assert bad.status_code == 422
    assert 'id="leg-1-transit_hours-error"' in bad.get_data(as_text=True)
    saved = client.post(
        f"{page}/legs/1", data={**fields, "transit_hours": "12", "csrf_token": token}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    db_session.expire_all()
    assert db_session.scalar(select(Route).where(Route.code == "XAEU")).legs[0].transit_hours == 12
