"""The monthly rail plan against hand counts: weeks cut at the month's ends in Beijing time,
what counts as a departure and as booked, the trend on a constructed history, a month with
no history, a route with no rail leg, wagons rounded up, the same plan whenever a begun month
is read, a fixed number of queries; and the monthly report's plan against actual."""

import csv
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from pypdf import PdfReader

from dryport.models import (
    BookingStatus,
    DepartureStatus,
)
from dryport.plan_formats import plan_csv, plan_json
from dryport.report_formats import as_csv, as_json
from dryport.services import plan_trend, rail_plan, reports
from dryport.services.report_pdf import render_plan, render_report
from tests.conftest import beijing

B = BookingStatus
MARCH = date(2026, 3, 1)  # a Sunday: its first week is one day long, its last two days
JUNE = date(2026, 6, 1)  # a Monday
AFTER = date(2026, 12, 1)  # "today" for a month that has begun: its plan no longer changes
AFTER_MOMENT = beijing(2026, 12, 1, 9)


def d(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture
def booked(make_departure, make_booking, make_company):
    """A departure (not departed) leaving at ``departs_at`` with a live booking of ``teu``
    20 ft containers."""
    company = make_company("Tea")

    def make(route, departs_at, teu, **kw):
        departure = make_departure(route, departs_at=departs_at, capacity=200, **kw)
        if teu:
            make_booking(company, departure=departure, lines=(("22G1", teu),))
        return departure

    return make


def test_the_weeks_of_a_month_are_cut_at_its_ends():
    weeks = plan_trend.plan_weeks(MARCH, reports.last_day(MARCH))
    assert [(w.week, w.first.day, w.last.day, w.days) for w in weeks] == [
        ("2026-W09", 1, 1, 1),
        ("2026-W10", 2, 8, 7),
        ("2026-W11", 9, 15, 7),
        ("2026-W12", 16, 22, 7),
        ("2026-W13", 23, 29, 7),
        ("2026-W14", 30, 31, 2),
    ]
    # 1 January 2027 is a Friday: ISO week 53 of 2026
    assert plan_trend.plan_weeks(date(2027, 1, 1), date(2027, 1, 31))[0].week == "2026-W53"


def test_a_hand_count_of_march(db_session, booked, road_route):
    booked("EAST", beijing(2026, 3, 1, 23, 30), 3)  # Sunday 1 March in Beijing: week 9
    booked("EAST", beijing(2026, 2, 28, 23, 59), 5)  # still February in Beijing
    booked("EAST", beijing(2026, 3, 4, 10), 4)
    booked("EAST", beijing(2026, 3, 6, 10), 1)
    booked("EAST", beijing(2026, 3, 5, 10), 9, status=DepartureStatus.CANCELLED)
    booked("EAST", beijing(2026, 3, 31, 23, 30), 2)  # 15:30 UTC: Beijing's 31 March, week 14
    booked("EAST", beijing(2026, 4, 1, 0, 10), 7)  # 31 March in UTC, April in Beijing
    booked("XAEU", beijing(2026, 3, 11, 10), 0)  # a departure with nothing booked
    booked("TRUCK", beijing(2026, 3, 12, 10), 6)
    plan = rail_plan.monthly_plan(db_session, MARCH, today=AFTER)
    routes = {row.route.code: row for row in plan.routes}
    east = [(c.departures, c.teu_booked, c.teu_expected, c.teu_planned, c.wagons)
            for c in routes["EAST"].weeks]  # fmt: skip
    assert east == [
        (1, 3, 0, 3, 2),
        (2, 5, 0, 5, 3),
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (1, 2, 0, 2, 1),
    ]
    totals = routes["EAST"].totals
    assert (totals.departures, totals.teu_booked, totals.teu_planned, totals.wagons) == (
        4,
        10,
        10,
        6,
    )
    assert [c.departures for c in routes["XAEU"].weeks] == [0, 0, 1, 0, 0, 0]
    assert routes["XAEU"].totals.wagons == 0 and routes["XAEU"].rail
    truck = routes["TRUCK"]
    assert not truck.rail and [c.wagons for c in truck.weeks] == [None] * 6
    assert truck.totals.teu_booked == 6 and truck.totals.wagons is None
    assert plan.week_totals[2].teu_booked == 6 and plan.week_totals[2].departures == 2
    assert (plan.totals.departures, plan.totals.teu_booked, plan.totals.wagons) == (6, 16, 6)


def test_the_line_through_a_constructed_history(db_session, weekly_history):
    weekly_history("EAST", JUNE, [10 * (k + 1) for k in range(12)])  # 10, 20 … 120
    assert plan_trend.line([d(10 * (k + 1)) for k in range(12)]) == (10, 10)
    plan = rail_plan.monthly_plan(db_session, JUNE, today=AFTER)
    east = next(row for row in plan.routes if row.route.code == "EAST")
    # the next four whole weeks are the line's next four points; 29–30 June is two sevenths
    # of its value at their middle day: (10 + 10 × 109.5 / 7) × 2 / 7 = 2330 / 49
    assert [c.teu_expected for c in east.weeks] == [130, 140, 150, 160, d("47.55")]
    assert Fraction(2330, 49) == (10 + 10 * Fraction(1095, 70)) * Fraction(2, 7)
    assert east.totals.teu_expected == d("627.55")
    assert [c.wagons for c in east.weeks] == [65, 70, 75, 80, 24]  # 47.55 TEU: 24 wagons
    others = [row.totals.teu_expected for row in plan.routes if row.route.code != "EAST"]
    assert others == [0, 0]


def test_a_falling_trend_expects_nothing_rather_than_less(db_session, weekly_history):
    weekly_history("XAEU", JUNE, [120 - 10 * k for k in range(12)])  # 120 … 10: next is 0, then < 0
    plan = rail_plan.monthly_plan(db_session, JUNE, today=AFTER)
    xaeu = next(row for row in plan.routes if row.route.code == "XAEU")
    assert [c.teu_expected for c in xaeu.weeks] == [0] * 5


def test_booked_above_the_trend_is_what_is_ordered(db_session, weekly_history, booked):
    weekly_history("EAST", JUNE, [7] * 12)  # 7 a week, flat
    for day in (3, 17, 24, 30):  # a train every week
        booked("EAST", beijing(2026, 6, day, 10), 0)
    booked("EAST", beijing(2026, 6, 10, 10), 9)
    plan = rail_plan.monthly_plan(db_session, JUNE, today=AFTER)
    east = next(row for row in plan.routes if row.route.code == "EAST")
    assert [(c.teu_booked, c.teu_expected, c.teu_planned) for c in east.weeks] == [
        (0, 7, 7), (9, 7, 9), (0, 7, 7), (0, 7, 7), (0, 2, 2),
    ]  # fmt: skip
    assert east.totals.teu_planned == 32 and east.totals.wagons == 4 + 5 + 4 + 4 + 1


def test_a_week_without_a_train_carries_its_expected_teu_to_the_next_with_one(
    db_session, weekly_history, booked
):
    weekly_history("EAST", JUNE, [7] * 12)
    booked("EAST", beijing(2026, 6, 10, 10), 0)
    booked("EAST", beijing(2026, 6, 24, 10), 3)
    plan = rail_plan.monthly_plan(db_session, JUNE, today=AFTER)
    east = next(row for row in plan.routes if row.route.code == "EAST")
    # week 1's 7 go to week 2's train, week 3's to week 4's, and the last week's 2 (no train
    # after it) back to week 4's: the month expects the same 30 TEU, all on its trains
    assert [c.teu_expected for c in east.weeks] == [0, 14, 0, 16, 0]
    assert [c.wagons for c in east.weeks] == [0, 7, 0, 8, 0]
    assert east.totals.teu_expected == 30
    # a route with no train planned keeps the trend week by week: trains are still to plan
    weekly_history("XAEU", JUNE, [7] * 12)
    xaeu = next(
        row
        for row in rail_plan.monthly_plan(db_session, JUNE, today=AFTER).routes
        if row.route.code == "XAEU"
    )
    assert [c.teu_expected for c in xaeu.weeks] == [7, 7, 7, 7, 2]


def test_a_month_with_no_history_expects_zero(db_session, seeded):
    plan = rail_plan.monthly_plan(db_session, date(2030, 1, 1), today=date(2031, 1, 1))
    assert [row.route.code for row in plan.routes] == ["EAST", "XAEU", "WHSEA"]
    assert plan.totals.teu_expected == 0 and plan.totals.teu_planned == 0
    assert plan.totals.wagons == 0 and plan.totals.departures == 0
    data = plan_json(plan, "basis", "en")
    assert data["totals"] == {"departures": 0, "teu_booked": 0.0, "teu_expected": 0.0,
                              "teu_planned": 0.0, "wagons": 0}  # fmt: skip
    assert PdfReader(io.BytesIO(render_plan(plan))).pages


@pytest.mark.parametrize(
    ("teu", "per_wagon", "wagons"),
    [("0", 2, 0), ("0.01", 2, 1), ("2", 2, 1), ("3", 2, 2), ("4", 2, 2), ("2.25", 2, 2),
     ("47.55", 2, 24), ("7", 3, 3)],
)  # fmt: skip
def test_wagons_are_rounded_up(teu, per_wagon, wagons):
    assert rail_plan.wagons(d(teu), per_wagon) == wagons


def test_the_wagon_setting_counts(db_session, booked, app, monkeypatch):
    booked("EAST", beijing(2026, 3, 4, 10), 7)
    monkeypatch.setitem(app.config, "WAGON_TEU", 3)
    plan = rail_plan.monthly_plan(db_session, MARCH, today=AFTER)
    assert plan.wagon_teu == 3 and plan.routes[0].totals.wagons == 3  # 7 ÷ 3, rounded up


def test_a_begun_month_reads_the_same_whenever_it_is_read(db_session, weekly_history, shipped):
    weekly_history("EAST", JUNE, [5, 8, 6, 9, 12, 7, 10, 11, 9, 13, 12, 14])
    first = rail_plan.monthly_plan(db_session, JUNE, today=JUNE)
    # what ships in June and after never moves June's expectation
    shipped("EAST", beijing(2026, 6, 3, 10), [("Tea", "HB", (("22G1", 40),), 9000, B.DEPARTED)])
    later = rail_plan.monthly_plan(db_session, JUNE, today=AFTER)
    # the same TEU, now on the train that June has
    assert first.routes[0].totals.teu_expected == later.routes[0].totals.teu_expected
    assert [c.teu_expected for c in later.routes[0].weeks] == rail_plan.on_trains(
        [c.teu_expected for c in first.routes[0].weeks], later.routes[0].weeks
    )
    assert later.history == plan_trend.Span(date(2026, 3, 9), date(2026, 5, 31))


def test_read_before_its_month_the_plan_learns_from_the_weeks_before_today(
    db_session, weekly_history
):
    weekly_history("EAST", date(2026, 5, 20), [10] * 12)  # the 12 weeks before 20 May: 10 a week
    plan = rail_plan.monthly_plan(db_session, JUNE, today=date(2026, 5, 20))
    assert plan.history == plan_trend.Span(date(2026, 2, 25), date(2026, 5, 19))
    assert [c.teu_expected for c in plan.routes[0].weeks] == [10, 10, 10, 10, d("2.86")]


def test_the_default_month_is_the_next():
    assert rail_plan.default_month(date(2026, 12, 6)) == date(2027, 1, 1)
    assert rail_plan.default_month(date(2026, 3, 31)) == date(2026, 4, 1)


def test_the_plan_issues_a_fixed_number_of_queries(
    db_session, booked, weekly_history, count_queries
):
    def queries() -> int:
        with count_queries() as seen:
            rail_plan.monthly_plan(db_session, JUNE, today=AFTER)
        return len(seen)

    db_session.commit()
    few = queries()
    weekly_history("XAEU", JUNE, [3] * 12)
    weekly_history("WHSEA", JUNE, list(range(12)))
    for day in range(1, 29):
        booked("EAST", beijing(2026, 6, day, 10), 2)
    db_session.commit()
    assert queries() == few <= 5  # 4, and BEGIN on SQLite


def test_json_csv_and_pdf_carry_the_same_figures(db_session, booked, road_route, weekly_history):
    weekly_history("EAST", MARCH, [7] * 12)
    booked("EAST", beijing(2026, 3, 4, 10), 9)
    booked("TRUCK", beijing(2026, 3, 12, 10), 6)
    plan = rail_plan.monthly_plan(db_session, MARCH, today=AFTER)
    data = plan_json(plan, rail_plan.basis(plan), "zh")
    assert data["month"] == "2026-03" and data["wagon_teu"] == 2
    assert data["weeks"][0] == {"week": "2026-W09", "first_day": "2026-03-01",
                                "last_day": "2026-03-01", "days": 1}  # fmt: skip
    east = data["routes"][0]
    assert (east["route"], east["name"], east["rail"]) == ("EAST", "东向铁路班列", True)
    # its only train, in week 10, carries the month's expected 1 + 7 × 4 + 2
    assert east["weeks"][1] == {"week": "2026-W10", "departures": 1, "teu_booked": 9.0,
                                "teu_expected": 31.0, "teu_planned": 31.0,
                                "wagons": 16}  # fmt: skip
    assert east["totals"]["teu_expected"] == 31.0
    truck = next(r for r in data["routes"] if r["route"] == "TRUCK")
    assert truck["totals"]["wagons"] is None and truck["weeks"][2]["teu_booked"] == 6.0
    assert data["totals"]["teu_planned"] == 37.0 and data["totals"]["wagons"] == 16
    assert data["history"] == {"from": "2025-12-07", "to": "2026-02-28"}
    assert "2025-12-07 – 2026-02-28" in data["basis"]
    rows = list(
        csv.reader(io.StringIO(plan_csv(plan, AFTER_MOMENT, ["甲", "b"]).decode("utf-8-sig")))
    )
    assert ["EAST", "2026-W10", "2026-03-02", "2026-03-08", "1", "9", "31", "31", "16"] in rows
    assert ["EAST", "合计 total", "", "", "1", "9", "31", "31", "16"] in rows
    assert ["TRUCK", "合计 total", "", "", "1", "6", "0", "6", ""] in rows
    assert ["合计 all routes", "合计 total", "", "", "2", "15", "31", "37", "16"] in rows
    assert ["说明 basis", "甲"] in rows and ["说明 basis", "b"] in rows
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_plan(plan))).pages)
    assert "月度运输计划" in text and "monthly rail plan" in text and "2026-03" in text
    assert "2026-W10" in text and "TRUCK" in text and "2025-12-07" in text


# ---- the monthly report: the plan against what the month shipped --------------------------


@pytest.fixture
def march_against_plan(weekly_history, shipped, booked):
    """EAST learned 10 TEU a week before March; in March two trains shipped 20 and 30 TEU,
    a third is still to leave and a fourth was cancelled. XAEU has no history and shipped 4."""
    weekly_history("EAST", MARCH, [10] * 12)
    shipped("EAST", beijing(2026, 3, 4, 10), [("Tea", "HB", (("22G1", 20),), 9000, B.DEPARTED)],
            capacity=200)  # fmt: skip
    shipped("EAST", beijing(2026, 3, 12, 10), [("Tea", "HB", (("22G1", 30),), 9000, B.ARRIVED)],
            capacity=200, arrived=True)  # fmt: skip
    booked("EAST", beijing(2026, 3, 26, 10), 3)
    booked("EAST", beijing(2026, 3, 27, 10), 0, status=DepartureStatus.CANCELLED)
    shipped("XAEU", beijing(2026, 3, 6, 10), [("Tea", "HB", (("22G1", 4),), 9000, B.DEPARTED)])


def test_the_report_holds_the_plan_against_what_shipped(db_session, march_against_plan):
    report = reports.monthly_report(db_session, MARCH, today=AFTER)
    rows = {route: (row, change) for route, row, change in report.plan_rows}
    east, change = rows["EAST"]
    # 10 a week: 1/7 of it on 1 March, four whole weeks, 2/7 on 30–31 March
    assert east.teu_expected == d("1.43") + 40 + d("2.86") == d("44.29")
    assert (east.teu_shipped, east.departures_planned, east.departures_run) == (50, 3, 2)
    assert change.absolute == pytest.approx(5.71) and change.percent == 12.9
    xaeu, change = rows["XAEU"]
    assert (xaeu.teu_expected, xaeu.teu_shipped, change.percent) == (0, 4, None)
    total, change = rows[None]
    assert (total.teu_expected, total.teu_shipped, total.departures_planned) == (d("44.29"), 54, 4)
    plan = rail_plan.monthly_plan(db_session, MARCH, today=AFTER)
    assert plan.routes[0].totals.teu_expected == east.teu_expected  # the plan, as it read


def test_a_month_in_progress_is_held_against_the_plan_of_its_days(db_session, march_against_plan):
    report = reports.monthly_report(db_session, MARCH, today=date(2026, 3, 10))
    east = dict((route, row) for route, row, _ in report.plan_rows)["EAST"]
    # 1 March (1/7), 2–8 March, 9–10 March (2/7); the train of 12 March is not counted yet
    assert east.teu_expected == d("14.29") and east.departures_planned == 1
    assert report.plan_period == reports.Period(MARCH, date(2026, 3, 10))


def test_a_month_to_come_has_nothing_to_compare(db_session, march_against_plan):
    report = reports.monthly_report(db_session, MARCH, today=date(2026, 2, 20))
    assert report.plan_period is None
    assert all(row.teu_expected == 0 and row.departures_planned == 0
               for _, row, _ in report.plan_rows)  # fmt: skip
    assert as_json(report)["plan_vs_actual"]["to"] is None


def test_json_csv_and_pdf_carry_the_plan_against_actual(db_session, march_against_plan):
    report = reports.monthly_report(db_session, MARCH, today=AFTER)
    data = as_json(report)["plan_vs_actual"]
    assert (data["from"], data["to"]) == ("2026-03-01", "2026-03-31")
    assert data["routes"][0] == {"route": "EAST", "teu_expected": 44.29, "teu_shipped": 50.0,
                                 "difference": 5.71, "percent": 12.9, "departures_planned": 3,
                                 "departures_run": 2}  # fmt: skip
    assert data["routes"][1]["percent"] is None and data["totals"]["teu_shipped"] == 54.0
    rows = list(csv.reader(io.StringIO(as_csv(report).decode("utf-8-sig"))))
    assert ["计划与实际 Plan against actual 2026-03-01 – 2026-03-31"] in rows
    assert ["EAST", "44.29", "50", "+5.71", "+12.9%", "3", "2"] in rows
    assert ["XAEU", "0", "4", "+4", "无可比 n/a", "1", "1"] in rows
    assert ["合计 total", "44.29", "54", "+9.71", "+21.9%", "4", "3"] in rows
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(report))).pages)
    assert "计划与实际" in text and "+5.71" in text and "+12.9%" in text
    assert "2025-12-07" in text  # the rule of the expectation, with its days
