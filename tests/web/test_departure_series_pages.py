"""The operator's weekly schedule form: plans the departures, lists them, and says how many
were already there; errors beside their fields."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dryport.models import Departure, DepartureStatus, Role
from dryport.services.clock import local_today
from tests.conftest import csrf_token

PATH = "/operations/departures/series"
def next_year():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today().year + 1


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    return user


def _post(client, data):
    return client.post(PATH, data={**data, "csrf_token": csrf_token(client.get(PATH))})


def form(**overrides) -> dict:
    data = {
        "route": "EAST",
        "service_no": "X9021",
        "weekday": "2",
        "time": "10:00",
        "cutoff_hours": "24",
        "capacity_teu": "60",
        "capacity_kg": "",
        "from": f"{next_year()}-01-27",
        "to": f"{next_year()}-02-28",
    }
    return {**data, **overrides}


def _count(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Departure))


def _tuesdays(start: date, end: date) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.isoweekday() == 2]


def test_the_board_links_to_the_form(client, operator):
    page = client.get("/operations/").get_data(as_text=True)
    assert f'href="{PATH}"' in page and "Weekly schedule" in page


def test_the_form_plans_the_departures_and_lists_them(client, db_session, operator):
    page = client.get(PATH).get_data(as_text=True)
    assert 'name="csrf_token"' in page and "Wednesday" in page
    response = _post(client, form())
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    tuesdays = _tuesdays(date(next_year(), 1, 27), date(next_year(), 2, 28))
    text = response.get_data(as_text=True)
    assert f"{len(tuesdays)} departures planned, 0 already there." in text
    for day in tuesdays:
        assert f"{day.isoformat()} 10:00" in text
    assert _count(db_session) == len(tuesdays)


def test_sent_again_it_says_they_are_already_there(client, db_session, operator):
    _post(client, form())
    count = _count(db_session)
    text = _post(client, form(to=f"{next_year()}-03-14")).get_data(as_text=True)
    new = len(_tuesdays(date(next_year(), 3, 1), date(next_year(), 3, 14)))
    assert f"{new} departures planned, {count} already there." in text
    assert "Already there, left as they were" in text
    assert _count(db_session) == count + new


def test_a_departure_of_the_schedule_is_cancelled_from_its_page(client, db_session, operator):
    _post(client, form())
    db_session.rollback()
    first, second = db_session.scalars(select(Departure).order_by(Departure.departs_at)).all()[:2]
    page = client.get(f"/operations/departures/{first.id}/cancel")
    response = client.post(
        f"/operations/departures/{first.id}/cancel",
        data={"csrf_token": csrf_token(page), "confirmed": "yes"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Departure, first.id).status is DepartureStatus.CANCELLED
    assert db_session.get(Departure, second.id).status is DepartureStatus.SCHEDULED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"weekday": ""}, "weekday", "required"),
        ({"time": "25:00"}, "time", "HH:MM"),
        ({"cutoff_hours": "500"}, "cutoff_hours", "From 1 to 168 hours."),
        ({"capacity_teu": "0"}, "capacity_teu", "From 1 to 10,000 TEU."),
        ({"to": f"{next_year()}-01-01"}, "to", "cannot come before"),
        ({"from": (local_today() - timedelta(days=20)).isoformat()}, "from", "has passed"),
    ],
)
def test_an_error_sits_beside_its_field_and_nothing_is_planned(
    client, db_session, operator, overrides, field, message
):
    response = _post(client, form(**overrides))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    error = text[text.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</span>")]
    assert f'aria-describedby="{field}-error' in text
    assert _count(db_session) == 0


def test_without_the_csrf_token_nothing_is_planned(client, db_session, operator):
    response = client.post(PATH, data=form())
    assert response.status_code == 400
    assert _count(db_session) == 0


def test_chinese_by_default(client, make_user, auth):
    auth.login(make_user(Role.OPERATOR).email)
    page = client.get(PATH).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "星期三" in page and "运力（TEU）" in page


def test_only_staff(client, make_user, auth, db_session):
    auth.login(make_user(Role.SHIPPER).email)
    assert client.get(PATH).status_code == 403
    page = client.get("/departures")
    response = client.post(PATH, data={**form(), "csrf_token": csrf_token(page)})
    assert response.status_code == 403
    assert _count(db_session) == 0
