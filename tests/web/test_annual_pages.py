"""The year on the dashboard (against its target, like for like, "n/a" against nothing) and
the administrator's page of a year's targets (errors beside their fields, nothing written
when refused)."""

from datetime import timedelta

import pytest

from dryport.models import AnnualTarget, BookingStatus, Role
from dryport.services import targets
from dryport.services.clock import local_day_start, local_today
from tests.conftest import csrf_token, row_count

def today():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today()
YEAR = today().year


@pytest.fixture
def admin(make_user, auth):
    user = make_user(Role.ADMIN, locale="en")
    auth.login(user.email)
    return user


def test_the_dashboard_leads_with_the_year(client, admin, shipped, db_session):
    """This year shipped 3 TEU this morning; last year nothing: growth is n/a, not +∞."""
    shipped("EAST", local_day_start(today()) + timedelta(hours=1), [
        ("Tea", "HB", (("22G1", 3),), 30000, BookingStatus.DEPARTED),
    ])  # fmt: skip
    targets.set_targets(db_session, admin, YEAR, {"target_teu": 12, "stations": [
        {"station": "HB", "target_teu": 6}]})  # fmt: skip
    db_session.commit()
    text = client.get("/operations/dashboard").get_data(as_text=True)
    year_part = text.split("By month")[0]
    assert f"The year {YEAR}" in year_part
    assert "compared with the same days of last year" in year_part
    assert "25.0% of the target, 12 TEU" in year_part
    assert "Growth, like for like n/a" in year_part
    assert 'class="progress"' in year_part and "<script" not in year_part
    stations = text.split("By origin station, against its target")[1]
    hb = next(row for row in stations.split("</tr>") if '"code">HB<' in row)
    assert "50%" in hb  # 3 of 6
    assert text.index("The year") < text.index("so far</h2>")  # the year comes first


def test_the_dashboard_in_chinese(client, make_user, auth):
    auth.login(make_user(Role.OPERATOR, locale="zh").email)
    page = client.get("/operations/dashboard")
    assert page.status_code == 200
    assert f"{YEAR}" in page.get_data(as_text=True)


def test_an_administrator_sets_the_year_s_targets(client, admin, db_session):
    form = client.get(f"/admin/targets/{YEAR}")
    assert form.status_code == 200 and 'name="stations.0.station"' in form.get_data(as_text=True)
    answer = client.post(f"/admin/targets/{YEAR}", data={
        "csrf_token": csrf_token(form), "version": "0", "target_teu": "3000",
        "stations.0.station": "HK", "stations.0.target_teu": "1200",
        "stations.1.station": "HB", "stations.1.target_teu": "",
    })  # fmt: skip
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Targets for {YEAR} saved." in page
    saved = targets.year_targets(db_session, YEAR)
    assert {code: t.target_teu for code, t in saved.items()} == {None: 3000, "HK": 1200}
    assert 'value="1200"' in page


def test_stations_above_the_zone_are_shown_beside_the_zone_s_figure(client, admin, db_session):
    form = client.get(f"/admin/targets/{YEAR}")
    answer = client.post(f"/admin/targets/{YEAR}", data={
        "csrf_token": csrf_token(form), "version": "0", "target_teu": "100",
        "stations.0.station": "HK", "stations.0.target_teu": "80",
        "stations.1.station": "HB", "stations.1.target_teu": "-5",
    })  # fmt: skip
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert 'id="stations.1.target_teu-error"' in text and row_count(db_session, AnnualTarget) == 0
    answer = client.post(f"/admin/targets/{YEAR}", data={
        "csrf_token": csrf_token(form), "version": "0", "target_teu": "100",
        "stations.0.station": "HK", "stations.0.target_teu": "80",
        "stations.1.station": "HB", "stations.1.target_teu": "30",
    })  # fmt: skip
    assert answer.status_code == 422
    error = answer.get_data(as_text=True).split('id="target_teu-error"')[1].split("</span>")[0]
    assert "110 TEU" in error and row_count(db_session, AnnualTarget) == 0


def test_operators_cannot_open_the_targets_page(client, make_user, auth):
    auth.login(make_user(Role.OPERATOR).email)
    assert client.get("/admin/targets").status_code == 403
