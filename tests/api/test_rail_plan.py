"""The monthly rail plan through the API: the figures as the service counts them, in JSON, CSV
and PDF; next month by default; a month that is none refused in the reader's language; read
by the staff who read the monthly report, and by nobody else."""

import csv
import io

import pytest
from pypdf import PdfReader

from dryport.models import BookingStatus, Role
from dryport.services import reports
from dryport.services.clock import local_today
from tests.conftest import beijing

PROBLEM = "application/problem+json"


@pytest.fixture
def march(weekly_history, make_departure, make_booking, make_company):
    """EAST shipped 14 TEU a week in the 12 weeks before March 2026 and has a train in every
    week of March; 9 TEU are booked on its train of 4 March."""
    weekly_history("EAST", reports.parse_month("2026-03"), [14] * 12)
    for day in (1, 11, 18, 25, 31):
        make_departure("EAST", departs_at=beijing(2026, 3, day, 10))
    departure = make_departure("EAST", departs_at=beijing(2026, 3, 4, 10))
    make_booking(make_company("Silk"), departure=departure, lines=(("22G1", 9),))


def _get(client, people, query="", role=Role.OPERATOR, **headers):
    return client.get(f"/api/v1/plans/monthly{query}", headers=people[role].headers | headers)


def test_the_plan_as_json(client, people, march):
    answer = _get(client, people, "?month=2026-03", **{"Accept-Language": "en"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    data = answer.get_json()
    assert data["month"] == "2026-03" and len(data["weeks"]) == 6
    assert data["weeks"][-1] == {"week": "2026-W14", "first_day": "2026-03-30",
                                 "last_day": "2026-03-31", "days": 2}  # fmt: skip
    east = data["routes"][0]
    assert (east["route"], east["name"], east["rail"]) == ("EAST", "Eastbound rail", True)
    # 14 a week: 2 on Sunday 1 March, 4 on 30–31 March
    assert [w["teu_expected"] for w in east["weeks"]] == [2.0, 14.0, 14.0, 14.0, 14.0, 4.0]
    assert east["weeks"][1] == {"week": "2026-W10", "departures": 1, "teu_booked": 9.0,
                                "teu_expected": 14.0, "teu_planned": 14.0, "wagons": 7}  # fmt: skip
    assert east["totals"] == {"departures": 6, "teu_booked": 9.0, "teu_expected": 62.0,
                              "teu_planned": 62.0, "wagons": 31}  # fmt: skip
    assert data["totals"]["wagons"] == 31 and data["wagon_teu"] == 2  # 1 + 7 × 4 + 2
    assert data["week_totals"][0]["teu_expected"] == 2.0
    assert data["basis"].startswith("Expected: the least-squares line")
    chinese = _get(client, people, "?month=2026-03", **{"Accept-Language": "zh"}).get_json()
    assert chinese["routes"][0]["name"] == "东向铁路班列"
    assert chinese["totals"] == data["totals"]


def test_the_plan_as_csv_and_pdf(client, people, march):
    answer = _get(client, people, "?month=2026-03&format=csv")
    assert answer.mimetype == "text/csv" and answer.data.startswith("\ufeff".encode())
    assert "dryport-plan-2026-03.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert ["EAST", "2026-W10", "2026-03-02", "2026-03-08", "1", "9", "14", "14", "7"] in rows
    assert ["EAST", "合计 total", "", "", "6", "9", "62", "62", "31"] in rows
    basis = [row[1] for row in rows if row and row[0] == "说明 basis"]
    assert basis[0].startswith("预计") and basis[1].startswith("Expected")
    pdf = _get(client, people, "?month=2026-03&format=pdf", role=Role.ADMIN)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "恒口无水港月度运输计划 · 2026-03" in text and "2026-W14" in text and "62" in text
    assert "2025-12-07" in text  # the days the trend learned from, in the footnote


def test_without_a_month_it_is_next_month(client, people, seeded):
    data = _get(client, people).get_json()
    assert data["month"] == f"{reports.add_months(local_today().replace(day=1), 1):%Y-%m}"


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "١٩٩٩-٠١", "1999-01", ""])
def test_a_month_that_is_none_is_a_422_in_the_readers_language(client, people, month):
    answer = _get(client, people, f"?month={month}", **{"Accept-Language": "zh"})
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert answer.get_json()["errors"] == {"month": ["请按 YYYY-MM 格式填写月份。"]}
    english = _get(client, people, f"?month={month}", **{"Accept-Language": "en"})
    assert english.get_json()["errors"] == {"month": ["A month as YYYY-MM."]}


def test_a_format_that_is_none_is_a_422(client, people):
    answer = _get(client, people, "?month=2026-03&format=xls")
    assert answer.status_code == 422 and "format" in answer.get_json()["errors"]


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.CLERK])
def test_only_staff_read_the_plan(client, people, role):
    assert _get(client, people, "?month=2026-03", role=role).status_code == 403
    assert client.get("/api/v1/plans/monthly").status_code == 401


def test_the_monthly_report_carries_the_plan_against_actual(client, people, march, shipped):
    shipped("EAST", beijing(2026, 3, 4, 20), [("Tea", "HB", (("22G1", 20),), 9000,
                                               BookingStatus.DEPARTED)])  # fmt: skip
    data = client.get("/api/v1/reports/monthly?month=2026-03",
                      headers=people[Role.OPERATOR].headers).get_json()  # fmt: skip
    plan = data["plan_vs_actual"]
    assert (plan["from"], plan["to"]) == ("2026-03-01", "2026-03-31")
    assert plan["routes"][0] == {"route": "EAST", "teu_expected": 62.0, "teu_shipped": 20.0,
                                 "difference": -42.0, "percent": -67.7,
                                 "departures_planned": 7, "departures_run": 1}  # fmt: skip
    assert data["totals"]["teu"] == 20.0  # the report's own figures are as they were
