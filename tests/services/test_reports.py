"""The monthly report against hand-computed figures: month boundaries in Asia/Shanghai,
statuses that count and that do not, rolls, an empty month, a leap February; the same totals
in JSON, CSV and PDF; a fixed number of SQL queries whatever the data."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import event

from dryport.extensions import db
from dryport.models import BookingStatus, Role
from dryport.report_formats import as_csv, as_json
from dryport.services import reports, rolls
from dryport.services.report_pdf import render_report
from tests.conftest import beijing

B = BookingStatus


def test_hand_computed_march(db_session, march):
    report = reports.monthly_report(db_session, date(2026, 3, 1))
    t = report.totals
    assert (t.teu, t.units, t.gross_tonnes, t.bookings, t.departures) == (
        Decimal(7),
        5,
        Decimal("65.0"),
        3,
        2,
    )
    routes = {r.code: r for r in report.by_route}
    assert routes["EAST"].figures.teu == Decimal(4) and routes["EAST"].figures.departures == 1
    assert routes["EAST"].load_factor == pytest.approx(4 / 100)  # held: the cancelled released
    assert routes["XAEU"].figures.teu == Decimal(3) and routes["XAEU"].figures.units == 2
    assert routes["XAEU"].load_factor == pytest.approx(3 / 82)
    assert routes["WHSEA"].figures.teu == 0 and routes["WHSEA"].load_factor is None
    stations = {s.code: f for s, f in report.by_station}
    assert (stations["HB"].teu, stations["HK"].teu, stations["ZP"].teu) == (2, 2, 3)
    assert report.route_station[("XAEU", "ZP")].units == 2
    assert [(name, f.teu) for name, f in report.top_shippers] == [
        ("Tea", Decimal(5)),
        ("Silk", Decimal(2)),
    ]
    assert report.previous_month.teu == 1 and report.previous_month.departures == 1
    assert report.same_month_last_year.teu == 4
    assert report.mom["teu"].absolute == 6 and report.mom["teu"].percent == 600.0
    assert report.yoy["teu"].percent == 75.0
    trend = dict(report.trend)
    assert len(report.trend) == 12 and report.trend[-1][0] == date(2026, 3, 1)
    assert trend[date(2026, 2, 1)] == 1 and trend[date(2026, 3, 1)] == 7
    assert trend[date(2025, 4, 1)] == 0
    april = reports.monthly_report(db_session, date(2026, 4, 1))
    assert april.totals.teu == 5 and april.totals.bookings == 1


def test_a_rolled_booking_counts_once_on_the_departure_it_left_with(
    db_session, make_departure, make_booking, make_company, make_user
):
    from dryport.services import operations
    from dryport.services.clock import LOCAL_TZ, utcnow

    operator = make_user(Role.OPERATOR)
    first, second = make_departure("EAST", days=3), make_departure("EAST", days=5)
    booking = make_booking(
        make_company("Tea"), departure=first, status=B.CONFIRMED, lines=(("22G1", 3),)
    )
    rolls.roll_booking(db_session, operator, booking.reference, second.id)
    left = utcnow() - timedelta(minutes=5)
    operations.depart(db_session, operator, first.id, at=left)
    operations.depart(db_session, operator, second.id, at=left)
    db_session.commit()
    report = reports.monthly_report(db_session, left.astimezone(LOCAL_TZ).date().replace(day=1))
    assert report.totals.teu == 3 and report.totals.bookings == 1
    assert report.totals.departures == 2
    held = {d["service_no"]: d["held_teu"] for d in report.departures}
    assert held == {first.service_no: 0, second.service_no: 3}


def test_a_leap_february(db_session, shipped):
    shipped("EAST", beijing(2028, 2, 29, 23, 30), [("Tea", "HB", (("22G1", 1),), 9000, B.DEPARTED)])
    shipped("EAST", beijing(2028, 3, 1, 0, 30), [("Tea", "HB", (("22G1", 2),), 9000, B.DEPARTED)])
    assert reports.monthly_report(db_session, date(2028, 2, 1)).totals.teu == 1
    assert reports.monthly_report(db_session, date(2028, 3, 1)).totals.teu == 2


def test_an_empty_month_is_a_correct_empty_report(db_session, seeded):
    report = reports.monthly_report(db_session, date(2030, 1, 1))
    assert report.totals.teu == 0 and report.totals.departures == 0
    assert [r.load_factor for r in report.by_route] == [None, None, None]
    data = as_json(report)
    assert data["totals"] == {
        "teu": 0.0,
        "units": 0,
        "gross_tonnes": 0.0,
        "bookings": 0,
        "departures": 0,
    }
    assert data["change_previous_month"]["teu"]["percent"] is None
    assert as_csv(report).startswith("\ufeff".encode())
    assert PdfReader(io.BytesIO(render_report(report))).pages


def test_json_csv_and_pdf_carry_the_same_totals(db_session, march):
    report = reports.monthly_report(db_session, date(2026, 3, 1))
    data = as_json(report)
    assert data["month"] == "2026-03"
    assert data["totals"] == {
        "teu": 7.0,
        "units": 5,
        "gross_tonnes": 65.0,
        "bookings": 3,
        "departures": 2,
    }
    assert {r["route"]: r["teu"] for r in data["by_route"]} == {
        "EAST": 4.0,
        "XAEU": 3.0,
        "WHSEA": 0.0,
    }
    rows = list(csv.reader(io.StringIO(as_csv(report).decode("utf-8-sig"))))
    assert ["本月 this month", "7", "5", "65.0", "3", "2"] in rows
    assert ["EAST", "4", "3", "35.0", "2", "1", "0.040"] in rows
    text = PdfReader(io.BytesIO(render_report(report))).pages[0].extract_text()
    assert "2026-03" in text and "65.0" in text and "+600.0%" in text
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(report))).pages)
    assert "Tea" in pdf_text and "前十货主" in pdf_text and "装载率" in pdf_text


def _queries(session, month) -> int:
    count = 0

    def on_execute(*args, **kwargs):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        reports.monthly_report(session, month)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count


def test_the_report_issues_a_fixed_number_of_queries(db_session, march, shipped):
    few = _queries(db_session, date(2026, 3, 1))
    for day in range(1, 25):
        shipped("XAEU", beijing(2026, 3, day, 6), [
            (f"Shipper {day}", "SQ", (("22G1", 1),), 9000, B.ARRIVED),
            (f"Shipper {day}", "LG", (("45G1", 2),), 9000, B.DEPARTED),
        ])  # fmt: skip
    db_session.expire_all()
    assert _queries(db_session, date(2026, 3, 1)) == few <= 6  # 5, and BEGIN on SQLite


def test_parse_month():
    assert reports.parse_month("2026-02") == date(2026, 2, 1)
    for bad in ("2026-13", "2026-2", "26-02", "february", "", "9999-01"):
        assert reports.parse_month(bad) is None


def test_the_api_serves_the_report_to_operators_only(client, march, make_user, api_token):
    operator = api_token(make_user(Role.OPERATOR).email)
    body = client.get("/api/v1/reports/monthly?month=2026-03", headers=operator).get_json()
    assert body["totals"]["teu"] == 7.0 and body["same_month_last_year"]["teu"] == 4.0
    csv_reply = client.get("/api/v1/reports/monthly?month=2026-03&format=csv", headers=operator)
    assert csv_reply.mimetype == "text/csv" and csv_reply.data.startswith("\ufeff".encode())
    pdf = client.get("/api/v1/reports/monthly?month=2026-03&format=pdf", headers=operator)
    assert pdf.mimetype == "application/pdf"
    bad = client.get("/api/v1/reports/monthly?month=2026-3", headers=operator)
    assert bad.status_code == 422 and "month" in bad.get_json()["errors"]
    assert (
        client.get("/api/v1/reports/monthly?month=2026-03&format=xls", headers=operator).status_code
        == 422
    )
    shipper = api_token(make_user(Role.SHIPPER).email)
    assert client.get("/api/v1/reports/monthly?month=2026-03", headers=shipper).status_code == 403


def test_the_command_writes_the_report(runner, march, tmp_path):
    out = tmp_path / "march.csv"
    result = runner.invoke(
        args=["dryport", "report", "--month", "2026-03", "--format", "csv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "本月 this month,7,5,65.0,3,2" in out.read_bytes().decode("utf-8-sig")
    bad = runner.invoke(args=["dryport", "report", "--month", "March", "--output", str(out)])
    assert bad.exit_code == 2


def test_a_csv_cell_never_becomes_a_formula():
    from dryport.report_formats import inert

    assert inert('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert inert("@SUM(A1)") == "'@SUM(A1)"
    assert inert("+86 tea") == "'+86 tea"
    assert inert("-3.5") == "-3.5" and inert("-12%") == "-12%" and inert(-3) == -3
    assert inert("安康富硒茶业") == "安康富硒茶业"


def test_a_departure_leaving_while_the_report_runs_waits_for_the_next_one(
    app, db_session, make_user, make_departure, make_booking, make_company, monkeypatch
):
    """Between the report's reading of the departures and of what they carried, another
    request departs a train. On PostgreSQL the second query sees it: the report must leave
    it out, not fail on it."""
    import threading

    from dryport.models import User
    from dryport.services import operations
    from dryport.services.clock import LOCAL_TZ, utcnow

    operator_id = make_user(Role.OPERATOR).id
    departure = make_departure("EAST", days=2)
    make_booking(make_company("Tea"), departure=departure, status=B.CONFIRMED)
    departure_id = departure.id
    db_session.commit()
    read_departures = reports._departures

    def and_then_a_train_leaves(*args, **kwargs):
        rows = read_departures(*args, **kwargs)

        def depart():
            with app.app_context():
                operations.depart(db.session, db.session.get(User, operator_id), departure_id)
                db.session.commit()
                db.session.remove()

        other = threading.Thread(target=depart)
        other.start()
        other.join(10)
        return rows

    monkeypatch.setattr(reports, "_departures", and_then_a_train_leaves)
    month = utcnow().astimezone(LOCAL_TZ).date().replace(day=1)
    report = reports.monthly_report(db_session, month)
    assert report.totals.departures == report.totals.bookings == 0
    db_session.rollback()
    monkeypatch.undo()
    assert reports.monthly_report(db_session, month).totals.bookings == 1


def test_top_shippers_count_their_units(db_session, march):
    report = reports.monthly_report(db_session, date(2026, 3, 1))
    assert [(name, f.units) for name, f in report.top_shippers] == [("Tea", 4), ("Silk", 1)]
    assert {r["shipper"]: r["units"] for r in as_json(report)["top_shippers"]} == {
        "Tea": 4,
        "Silk": 1,
    }
    # whole numbers on both databases (a sum of sums was a NUMERIC on PostgreSQL: "4" in JSON)
    assert all(type(r["units"]) is int for r in as_json(report)["top_shippers"])
    rows = list(csv.reader(io.StringIO(as_csv(report).decode("utf-8-sig"))))
    assert ["Tea", "5", "4", "50.0", "2"] in rows


def test_the_exports_print_beijing_time_with_its_offset(db_session, march):
    report = reports.monthly_report(db_session, date(2026, 3, 1))
    text = as_csv(report).decode("utf-8-sig")
    # 23:30 on 31 March in Beijing is 15:30 in UTC.
    assert "2026-03-31T23:30:00+08:00" in text and "2026-03-05T10:00:00+08:00" in text
    assert "15:30" not in text
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(report))).pages)
    assert "2026-03-31 23:30 +08:00" in pdf and "15:30" not in pdf
