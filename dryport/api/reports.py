"""The monthly volume report as JSON, CSV or PDF, and the year's report as JSON (operators
and administrators)."""

from flask import jsonify
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, token_required
from dryport.extensions import db
from dryport.report_formats import annual_json, as_csv, as_json
from dryport.responses import csv_response, pdf_response
from dryport.schemas.reports import MonthlyReportQuerySchema
from dryport.schemas.targets import AnnualReportQuerySchema
from dryport.services import annual, reports
from dryport.services.access import STAFF
from dryport.services.clock import local_today
from dryport.services.report_pdf import render_report

blp = Blueprint("api_reports", __name__, description="Volume statistics")


@blp.route("/reports/monthly")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses={"200": {"description": "The report", "content": {
    "application/json": {}, "text/csv": {}, "application/pdf": {}}}})  # fmt: skip
@blp.arguments(MonthlyReportQuerySchema, location="query")
def monthly(query):
    """The shipped volume of a month: totals, by route, by station, shippers, trend"""
    report = reports.monthly_report(db.session, query["month"])
    name = f"dryport-{query['month']:%Y-%m}"
    if query["format"] == "csv":
        return csv_response(as_csv(report), f"{name}.csv")
    if query["format"] == "pdf":
        return pdf_response(render_report(report), f"{name}.pdf")
    return jsonify(as_json(report))


@blp.route("/reports/annual")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses={"200": {"description": "The year's report", "content": {
    "application/json": {}}}})  # fmt: skip
@blp.arguments(AnnualReportQuerySchema, location="query")
def annual_report(query):
    """The year so far: TEU against the target and against the same days of last year (like
    for like, the days named), a projection, by month, by station against its target, by
    route; a percentage against nothing is null"""
    year = query.get("year") or local_today().year
    return jsonify(annual_json(annual.annual_report(db.session, year)))
