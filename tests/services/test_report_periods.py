"""Like-for-like comparisons: a month in progress against the same days of the month before
and of the same month a year before, a finished month against whole months; a change against
nothing is "n/a" in JSON (null), CSV and PDF; the charts of the PDF name routes and stations
in the reader's language."""

import csv
import io
from datetime import UTC, date, datetime

from flask_babel import force_locale
from pypdf import PdfReader

from dryport.models import BookingStatus
from dryport.pdf.fonts import cjk_font
from dryport.pdf.report import render
from dryport.report_formats import as_csv, as_json
from dryport.services import reports
from dryport.services.clock import local_iso, local_stamp
from dryport.services.report_pdf import render_report
from dryport.services.reports import Period
from tests.conftest import beijing

B = BookingStatus
DECEMBER = date(2026, 12, 1)


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _december(shipped):
    """2 TEU on 2 December; November: 1 TEU on the 4th (late evening), 5 TEU on the 5th;
    nothing in December a year before."""
    shipped("EAST", beijing(2026, 12, 2, 10), [("Tea", "HB", (("22G1", 2),), 20000, B.DEPARTED)])
    shipped("EAST", beijing(2026, 11, 4, 23, 30), [("Tea", "HB", (("22G1", 1),), 9000, B.ARRIVED)])
    shipped("EAST", beijing(2026, 11, 5, 0, 10), [("Silk", "HB", (("22G1", 5),), 50000, B.ARRIVED)])


def test_a_month_in_progress_is_compared_with_the_same_days(db_session, shipped):
    _december(shipped)
    report = reports.monthly_report(db_session, DECEMBER, today=date(2026, 12, 4))
    assert report.period == Period(DECEMBER, date(2026, 12, 4))
    assert report.previous_period == Period(date(2026, 11, 1), date(2026, 11, 4))
    assert report.last_year_period == Period(date(2025, 12, 1), date(2025, 12, 4))
    assert report.previous_same_days.teu == 1 and report.previous_same_days.departures == 1
    assert report.previous_month.teu == 6  # the whole month is still there, as before
    assert report.mom["teu"].percent == 100.0  # not -66.7 against the whole of November
    assert report.yoy["teu"].percent is None


def test_a_finished_month_is_compared_with_whole_months(db_session, shipped):
    _december(shipped)
    report = reports.monthly_report(db_session, DECEMBER, today=date(2027, 1, 10))
    assert report.period.whole_month and report.previous_period.last == date(2026, 11, 30)
    assert report.previous_same_days == report.previous_month
    assert report.mom["teu"].percent == -66.7


def test_the_same_days_of_a_shorter_month_are_all_of_it():
    assert Period.of(date(2027, 2, 1), 31) == Period(date(2027, 2, 1), date(2027, 2, 28))
    assert Period.of(date(2028, 2, 1), 30).last == date(2028, 2, 29)
    assert Period.of(date(2027, 3, 1), None).whole_month


def test_the_json_keeps_its_fields_and_adds_the_comparison(db_session, shipped):
    _december(shipped)
    data = as_json(reports.monthly_report(db_session, DECEMBER, today=date(2026, 12, 4)))
    assert data["previous_month"]["teu"] == 6.0
    assert data["change_previous_month"]["teu"] == {"absolute": -4.0, "percent": -66.7}
    assert data["period"] == {"from": "2026-12-01", "to": "2026-12-04", "whole_month": False}
    previous = data["comparison"]["previous_month"]
    assert (previous["from"], previous["to"]) == ("2026-11-01", "2026-11-04")
    assert previous["totals"]["teu"] == 1.0
    assert previous["change"]["teu"] == {"absolute": 1.0, "percent": 100.0}
    last_year = data["comparison"]["same_month_last_year"]
    assert last_year["totals"]["teu"] == 0.0
    assert last_year["change"]["teu"] == {"absolute": 2.0, "percent": None}


def test_a_change_against_nothing_is_n_a_in_the_csv_and_the_pdf(db_session, shipped):
    _december(shipped)
    report = reports.monthly_report(db_session, DECEMBER, today=date(2026, 12, 4))
    rows = list(csv.reader(io.StringIO(as_csv(report).decode("utf-8-sig"))))
    assert ["环比 % change %", "", "+100.0%", "+100.0%", "+122.2%", "+0.0%", "+0.0%"] in rows
    assert ["同比 % change %", "", *["无可比 n/a"] * 5] in rows
    assert ["上月同期 previous month, same days", "2026-11-01 – 2026-11-04", "1", "1", "9.0",
            "1", "1"] in rows  # fmt: skip
    text = _pdf_text(render_report(report))
    assert "无可比 n/a" in text and "+100.0%" in text
    assert "2026-11-01 – 2026-11-04" in text


def test_the_pdf_charts_name_routes_and_stations_in_the_readers_language(db_session, shipped):
    _december(shipped)
    report = reports.monthly_report(db_session, DECEMBER, today=date(2026, 12, 4))
    with force_locale("zh"):
        chinese = _pdf_text(render_report(report))
    assert "东向铁路班列 (EAST)" in chinese and "汉滨区 (HB)" in chinese
    english = _pdf_text(render(report, cjk_font(None), "en"))
    assert "Eastbound rail (EAST)" in english and "Hanbin (HB)" in english


def test_beijing_time_with_its_offset():
    moment = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
    assert local_stamp(moment) == "2026-11-03 14:00 +08:00"
    assert local_iso(moment) == "2026-11-03T14:00:00+08:00"


def test_a_long_company_name_wraps_inside_the_page():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    from dryport.pdf.report import figures_table

    between_margins = A4[0] - 28 * mm
    name = "安康市汉滨区富硒茶叶产业发展集团股份有限公司 Ankang Selenium-rich Tea Group " * 2
    table = figures_table(cjk_font(None), [["货主 Shipper", "TEU", "箱量 Units"], [name, "5", "4"]])
    width, _ = table.wrap(between_margins, 1000)
    assert width <= between_margins
