"""The operator's dashboard (the year's report first), the monthly report page and the
monthly rail plan page, with their PDF and CSV downloads."""

from datetime import date
from decimal import Decimal

from babel.dates import format_date, format_interval
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from dryport.extensions import db
from dryport.i18n import locale_code, localized
from dryport.plan_formats import plan_csv
from dryport.report_formats import as_csv
from dryport.responses import csv_response, pdf_response
from dryport.services import annual, operations, plan_trend, rail_plan, reports
from dryport.services.access import STAFF
from dryport.services.clock import local_today, utcnow
from dryport.services.departures import bookable_departures
from dryport.services.report_pdf import in_both, render_plan, render_report
from dryport.web.access import role_required

bp = Blueprint("reports", __name__, url_prefix="/operations")


def charts(report) -> dict:
    """What the charts draw, the same numbers as the tables beside: the trend as (month,
    value) pairs; routes and stations as (name in the reader's language, code, value)."""
    zh = locale_code() == "zh"
    return {
        "trend": [(m.strftime("%y-%m"), teu) for m, teu in report.trend],
        "routes": [
            (row.name_zh if zh else row.name_en, row.code, row.figures.teu)
            for row in report.by_route
        ],
        "stations": [(localized(s), s.code, f.teu) for s, f in report.by_station],
    }


def comparison(report) -> str | None:
    """While the month runs, which days are compared: "Dec 1 – 4 compared with Nov 1 – 4 and
    Dec 1 – 4, 2025"; None for a finished month, compared with whole months."""
    if report.period.whole_month:
        return None

    def days(period, skeleton: str = "MMMd") -> str:
        return format_interval(period.first, period.last, skeleton, locale=get_locale())

    return _(
        "%(period)s compared with the same days: %(previous)s and %(last_year)s.",
        period=days(report.period),
        previous=days(report.previous_period),
        last_year=days(report.last_year_period, "yMMMd"),
    )


def year_comparison(report) -> str | None:
    """Which days the year's figures compare: "1 Jan – 4 Dec compared with 1 Jan – 4 Dec
    2025"; None before the year begins."""
    if report.last is None:
        return None

    def days(first, last, skeleton: str) -> str:
        return format_interval(first, last, skeleton, locale=get_locale())

    return _(
        "%(period)s compared with the same days of last year: %(last_year)s.",
        period=days(date(report.year, 1, 1), report.last, "MMMd"),
        last_year=days(date(report.year - 1, 1, 1), report.last_year_last, "yMMMd"),
    )


def year_months(report) -> list[tuple[str, Decimal, Decimal, bool]]:
    """The by-month chart's bars: (month's short name, this year, last year, in progress)."""
    return [
        (format_date(row.month, "MMM", locale=get_locale()), row.teu, row.last_year_teu,
         row.state == annual.IN_PROGRESS)
        for row in report.by_month
    ]  # fmt: skip


@bp.route("/dashboard")
@role_required(*STAFF)
def dashboard():
    """The year first (so far against its target and last year's same days, the projection,
    by month, station and route); then this month so far against the same days of last month
    and last year, by route and station, the trend, load factors, forward bookings and the
    departures still waiting for confirmation."""
    month = local_today().replace(day=1)
    report = reports.monthly_report(db.session, month)
    waiting = [
        row
        for row in operations.board(db.session, bookable_departures(db.session))
        if row["waiting"]
    ]
    drawn = charts(report)
    year = annual.annual_report(db.session, local_today().year)
    return render_template(
        "reports/dashboard.html",
        year=year,
        year_comparison=year_comparison(year),
        year_months=year_months(year),
        year_routes=[(localized(r), r.code, row.teu) for r, row in year.by_route],
        report=report,
        forward=reports.forward_bookings(db.session),
        route_names={code: name for name, code, teu in drawn["routes"]},
        waiting=waiting,
        charts=drawn,
        comparison=comparison(report),
    )


@bp.route("/reports")
@role_required(*STAFF)
def monthly():
    """A month's report on the page, with its downloads; last month by default."""
    month = reports.parse_month(request.args.get("month", ""))
    if month is None:
        last = reports.add_months(local_today().replace(day=1), -1)
        return redirect(url_for("reports.monthly", month=last.strftime("%Y-%m")))
    report = reports.monthly_report(db.session, month)
    return render_template(
        "reports/monthly.html",
        report=report,
        charts=charts(report),
        comparison=comparison(report),
        plan_bars=plan_bars(report),
        expected_basis=plan_trend.expected_basis(plan_trend.history(month)),
    )


def plan_bars(report) -> list[tuple[str, str, Decimal, Decimal]]:
    """The plan against actual drawn: (route's name in the reader's language, code, TEU
    expected, TEU shipped) for each route, then the month's."""
    names = {row.code: (row.name_zh if locale_code() == "zh" else row.name_en)
             for row in report.by_route}  # fmt: skip
    return [
        (names[code] if code else _("All routes"), code or "", row.teu_expected, row.teu_shipped)
        for code, row, _change in report.plan_rows
    ]


@bp.route("/reports/<month>.<fmt>")
@role_required(*STAFF)
def download(month: str, fmt: str):
    first = _file_month(month, fmt)
    report = reports.monthly_report(db.session, first)
    if fmt == "pdf":
        return pdf_response(render_report(report), f"dryport-{first:%Y-%m}.pdf")
    return csv_response(as_csv(report), f"dryport-{first:%Y-%m}.csv")


@bp.route("/plans/monthly")
@role_required(*STAFF)
def rail_plan_page():
    """A month's rail plan (next month by default), per route and week, with its downloads;
    a month that is none is said beside its field."""
    value = request.args.get("month", "").strip()
    month = reports.parse_month(value) if value else rail_plan.default_month()
    if month is None:
        errors = {"month": [_("A month as YYYY-MM.")]}
        return render_template("reports/rail_plan.html", plan=None, month=value, errors=errors)
    plan = rail_plan.monthly_plan(db.session, month)
    return render_template(
        "reports/rail_plan.html",
        plan=plan,
        month=f"{month:%Y-%m}",
        errors={},
        basis=rail_plan.basis(plan),
        top=max(max(c.teu_booked, c.teu_expected) for c in plan.week_totals),
    )


@bp.route("/plans/<month>.<fmt>")
@role_required(*STAFF)
def rail_plan_download(month: str, fmt: str):
    first = _file_month(month, fmt)
    plan = rail_plan.monthly_plan(db.session, first)
    if fmt == "pdf":
        return pdf_response(render_plan(plan), f"dryport-plan-{first:%Y-%m}.pdf")
    basis = in_both(lambda: rail_plan.basis(plan))
    return csv_response(plan_csv(plan, utcnow(), basis), f"dryport-plan-{first:%Y-%m}.csv")


def _file_month(month: str, fmt: str) -> date:
    """The month of a download's URL (``2026-03.pdf``); 404 for a month or format that is
    none."""
    first = reports.parse_month(month)
    if first is None or fmt not in ("pdf", "csv"):
        abort(404)
    return first
