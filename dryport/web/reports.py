"""The operator's dashboard and the monthly report page, with its PDF and CSV downloads."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from dryport.extensions import db
from dryport.report_formats import as_csv
from dryport.responses import csv_response, pdf_response
from dryport.services import operations, reports
from dryport.services.access import STAFF
from dryport.services.clock import local_today
from dryport.services.departures import bookable_departures
from dryport.services.report_pdf import render_report
from dryport.web.access import role_required

bp = Blueprint("reports", __name__, url_prefix="/operations")


def charts(report) -> dict:
    """What the charts draw: (label, value) pairs, the same numbers as the tables beside."""
    return {
        "trend": [(m.strftime("%y-%m"), teu) for m, teu in report.trend],
        "routes": [(row.code, row.figures.teu) for row in report.by_route],
        "stations": [(station.code, f.teu) for station, f in report.by_station],
    }


@bp.route("/dashboard")
@role_required(*STAFF)
def dashboard():
    """This month so far against last month and last year, by route and station, the trend,
    load factors, forward bookings and the departures still waiting for confirmation."""
    month = local_today().replace(day=1)
    report = reports.monthly_report(db.session, month)
    waiting = [
        row
        for row in operations.board(db.session, bookable_departures(db.session))
        if row["waiting"]
    ]
    return render_template(
        "reports/dashboard.html",
        report=report,
        forward=reports.forward_bookings(db.session),
        waiting=waiting,
        charts=charts(report),
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
    return render_template("reports/monthly.html", report=report, charts=charts(report))


@bp.route("/reports/<month>.<fmt>")
@role_required(*STAFF)
def download(month: str, fmt: str):
    first = reports.parse_month(month)
    if first is None or fmt not in ("pdf", "csv"):
        abort(404)
    report = reports.monthly_report(db.session, first)
    if fmt == "pdf":
        return pdf_response(render_report(report), f"dryport-{first:%Y-%m}.pdf")
    return csv_response(as_csv(report), f"dryport-{first:%Y-%m}.csv")
