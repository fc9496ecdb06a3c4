"""The monthly rail plan page: its tables and chart draw the service's numbers, in both
languages; a month that is none is said beside its field; the downloads; the monthly report
page's plan against actual."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from dryport.models import BookingStatus, Role
from dryport.services import rail_plan
from tests.conftest import beijing

MARCH = date(2026, 3, 1)


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR)
    auth.login(user.email)
    return user


@pytest.fixture
def march(weekly_history, road_route, make_departure, make_booking, make_company):
    """EAST shipped 14 TEU a week in the 12 weeks before March 2026, has a train in every week
    of March and 9 TEU booked on that of 4 March; a road-only route has 6 TEU booked on 12
    March."""
    weekly_history("EAST", MARCH, [14] * 12)
    for day in (1, 11, 18, 25, 31):
        make_departure("EAST", departs_at=beijing(2026, 3, day, 10))
    east = make_departure("EAST", departs_at=beijing(2026, 3, 4, 10))
    make_booking(make_company("Silk"), departure=east, lines=(("22G1", 9),))
    road = make_departure("TRUCK", departs_at=beijing(2026, 3, 12, 10))
    make_booking(make_company("Konjac"), departure=road, lines=(("22G1", 6),))


def _english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


ROW = re.compile(
    r'<th scope="row">([^<]+) <span class="code">[^<]+</span></th>\s*'
    r'<td class="num" data-label="[^"]+">(\d+)</td>\s*'
    r'<td class="num" data-label="[^"]+">([\d.]+)</td>\s*'
    r'<td class="num" data-label="[^"]+">([\d.]+)</td>\s*'
    r'<td class="num" data-label="[^"]+">([\d.]+)</td>\s*'
    r'<td class="num" data-label="[^"]+">([\d—]+)</td>'
)


def test_the_page_shows_the_plan_of_each_route_and_week(client, operator, march, db_session):
    text = client.get("/operations/plans/monthly?month=2026-03").get_data(as_text=True)
    assert "月度运输计划 · 2026-03" in text and "<script" not in text.split("</header>")[1]
    rows = ROW.findall(text)
    east, truck = rows[:7], rows[-7:]
    assert east[1] == ("2026-W10", "1", "9", "14", "14", "7")
    assert east[-1] == ("全月", "6", "9", "62", "62", "31")
    assert truck[2] == ("2026-W11", "1", "6", "0", "6", "—")  # no rail leg: no wagons
    assert truck[-1][-1] == "—" and "无铁路段，不请车皮" in text
    plan = rail_plan.monthly_plan(db_session, MARCH)
    assert len(rows) == (len(plan.weeks) + 1) * len(plan.routes)
    # the chart: a pair of bars a week, booked then expected, in the scale of the largest
    bars = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="26" height="([\d.]+)" class="bar( expected)?"/>', text
    )
    assert len(bars) == 2 * len(plan.weeks)
    heights = [float(h) for h, _ in bars]
    assert max(max(c.teu_booked, c.teu_expected) for c in plan.week_totals) == 14
    # week 10: 9 booked beside 14 expected; week 11: 6 (the truck's) beside 14
    assert heights[2:6] == [130 * 9.0 / 14.0, 130.0, 130 * 6.0 / 14.0, 130.0]


def test_the_page_in_english(client, operator, march):
    _english(client)
    text = client.get("/operations/plans/monthly?month=2026-03").get_data(as_text=True)
    assert "Monthly rail plan · 2026-03" in text and "Eastbound rail" in text
    assert "Whole month" in text and "Expected: the least-squares line" in text
    assert "月度" not in text.split("</header>")[1]


def test_without_a_month_it_shows_next_month(client, operator, seeded):
    text = client.get("/operations/plans/monthly").get_data(as_text=True)
    assert f"月度运输计划 · {rail_plan.default_month():%Y-%m}" in text


@pytest.mark.parametrize("month", ["2026-13", "March", "٢٠٢٦-٠٣"])
def test_a_month_that_is_none_is_said_beside_its_field(client, operator, month):
    text = client.get(f"/operations/plans/monthly?month={month}").get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="month-error"' in text
    assert '<span class="error" id="month-error">请按 YYYY-MM 格式填写月份。</span>' in text
    assert "PDF" not in text.split("</form>")[0].split("<form")[-1]


def test_the_downloads(client, operator, march):
    csv_answer = client.get("/operations/plans/2026-03.csv")
    assert csv_answer.mimetype == "text/csv"
    assert "EAST,2026-W10,2026-03-02,2026-03-08,1,9,14,14,7" in csv_answer.data.decode("utf-8-sig")
    pdf = client.get("/operations/plans/2026-03.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "TRUCK" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert client.get("/operations/plans/2026-03.xls").status_code == 404
    assert client.get("/operations/plans/2026-3.csv").status_code == 404


def test_the_report_page_holds_the_plan_against_actual(client, operator, march, shipped):
    shipped("EAST", beijing(2026, 3, 4, 20), [("Tea", "HB", (("22G1", 20),), 9000,
                                               BookingStatus.DEPARTED)])  # fmt: skip
    text = client.get("/operations/reports?month=2026-03").get_data(as_text=True)
    section = text[text.index('id="plan-title"') : text.index("主要货主")]
    assert "计划与实际" in section and "2026-03-01 至 2026-03-31" in section
    assert "62 → 20" in section  # the pair of bars: expected, then shipped
    assert "-42 (-67.7%)" in section and "无可比" in section  # TRUCK: nothing expected
    assert 'href="/operations/plans/monthly?month=2026-03"' in text
