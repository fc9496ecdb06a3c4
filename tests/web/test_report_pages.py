"""The operator's dashboard and monthly report page: the charts draw the tables' numbers."""

import re
from datetime import date

import pytest

from dryport.models import Role
from dryport.services import reports


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR)
    auth.login(user.email)
    return user


def test_the_dashboard_draws_this_months_figures(client, operator, seeded):
    page = client.get("/operations/dashboard")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<svg" in text and "<script" not in text.split("booking-form")[0]
    for heading in (
        "统计看板",
        "近十二个月趋势",
        "按线路",
        "按始发站",
        "待运订舱",
        "待确认",
        "环比",
        "同比",
    ):
        assert heading in text, heading


def test_the_monthly_page_charts_match_its_tables(client, operator, march, db_session):
    text = client.get("/operations/reports?month=2026-03").get_data(as_text=True)
    bars = dict(re.findall(r"<title>([A-Z]{2,5}): ([\d.]+) TEU</title>", text))
    report = reports.monthly_report(db_session, date(2026, 3, 1))
    for row in report.by_route:
        assert bars[row.code] == f"{row.figures.teu.normalize():f}"
    assert "7" in text and "+600.0%" in text


def test_the_monthly_page_offers_pdf_and_csv(client, operator, march):
    assert client.get("/operations/reports/2026-03.pdf").mimetype == "application/pdf"
    csv_reply = client.get("/operations/reports/2026-03.csv")
    assert "本月 this month,7,5,65.0,3,2" in csv_reply.data.decode("utf-8-sig")
    assert client.get("/operations/reports/2026-13.pdf").status_code == 404
    assert client.get("/operations/reports").status_code == 302


def test_shippers_see_no_statistics(client, auth, make_user):
    auth.login(make_user(Role.SHIPPER).email)
    assert client.get("/operations/dashboard").status_code == 403
    assert client.get("/operations/reports?month=2026-03").status_code == 403
