"""The operator's dashboard and monthly report page: the charts draw the tables' numbers."""

import re
from datetime import date

import pytest

from dryport.models import BookingStatus as B
from dryport.models import Role
from dryport.services import reports
from tests.conftest import beijing


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
    # nothing waits: said of the coming departures, not of a station (an operator has none)
    assert "即将发出的班列上的装箱均已查验" in text and "本站装箱均已查验" not in text


BAR = re.compile(r'<dt>([^<]+) <span class="code">([A-Z]+)</span></dt>.*?"num">([\d.]+) TEU<', re.S)


def _english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def test_the_monthly_page_charts_match_its_tables(client, operator, march, db_session):
    text = client.get("/operations/reports?month=2026-03").get_data(as_text=True)
    bars = {code: (name, teu) for name, code, teu in BAR.findall(text)}
    report = reports.monthly_report(db_session, date(2026, 3, 1))
    for row in report.by_route:
        assert bars[row.code] == (row.name_zh, f"{row.figures.teu.normalize():f}")
    assert bars["HB"] == ("汉滨区", "2") and bars["ZP"] == ("镇坪县", "3")
    assert "7" in text and "+600.0%" in text
    shippers = " ".join(text[text.index("主要货主") :].split())
    assert '<td>Tea</td><td class="num">5</td><td class="num">4</td>' in shippers
    _english(client)
    bars = BAR.findall(client.get("/operations/reports?month=2026-03").get_data(as_text=True))
    assert ("Eastbound rail", "EAST", "4") in bars and ("Hanbin", "HB", "2") in bars


def test_a_change_against_nothing_is_n_a_on_the_page(client, operator, march):
    # April 2026 has 5 TEU; April 2025 had nothing.
    text = client.get("/operations/reports?month=2026-04").get_data(as_text=True)
    assert "同比 +5 (无可比)" in " ".join(text.split())
    _english(client)
    text = client.get("/operations/reports?month=2026-04").get_data(as_text=True)
    assert "vs last year +5 (n/a)" in " ".join(text.split())


def test_the_dashboard_compares_the_same_days_and_says_which(
    client, operator, shipped, monkeypatch, make_departure, make_booking, make_company
):
    from dryport.services import reports as service
    from dryport.web import reports as view

    for module in (service, view):
        monkeypatch.setattr(module, "local_today", lambda: date(2026, 12, 4))
    shipped("EAST", beijing(2026, 12, 2, 10), [("Tea", "HB", (("22G1", 2),), 20000, B.DEPARTED)])
    shipped("EAST", beijing(2026, 11, 4, 9), [("Tea", "HB", (("22G1", 1),), 9000, B.ARRIVED)])
    shipped("EAST", beijing(2026, 11, 20, 9), [("Tea", "HB", (("22G1", 5),), 9000, B.ARRIVED)])
    ahead = make_departure("EAST", departs_at=beijing(2026, 12, 10, 10))
    make_booking(make_company("Silk"), departure=ahead)  # forward bookings name the route
    text = " ".join(client.get("/operations/dashboard").get_data(as_text=True).split())
    assert "12月1日至4日" in text and "11月1日至4日" in text and "2025年12月1日 – 4日" in text
    assert "环比 +1 (+100.0%)" in text and "同比 +2 (无可比)" in text
    _english(client)
    text = " ".join(client.get("/operations/dashboard").get_data(as_text=True).split())
    assert "Dec 1 – 4 compared with the same days: Nov 1 – 4 and Dec 1 – 4, 2025." in text
    assert "<figcaption>TEU shipped per month · 2026-12 so far</figcaption>" in text
    assert '<th scope="row" class="wrap">Eastbound rail <span class="code">EAST</span></th>' in text
    assert "vs last month +1 (+100.0%)" in text and "vs last year +2 (n/a)" in text


def test_waiting_chips_name_the_station(client, operator, make_booking, make_company):
    make_booking(make_company("Tea"), origin="ZP")
    for path in ("/operations/dashboard", "/operations/"):
        text = client.get(path).get_data(as_text=True)
        assert '<span class="chip" title="ZP">镇坪县 1</span>' in text, path
    _english(client)
    assert '<span class="chip" title="ZP">Zhenping 1</span>' in client.get(
        "/operations/dashboard"
    ).get_data(as_text=True)


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
