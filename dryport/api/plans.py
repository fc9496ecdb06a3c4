"""The monthly rail plan (月度运输计划) as JSON, CSV or PDF, for the staff who read the monthly
report."""

from flask import jsonify
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, token_required
from dryport.extensions import db
from dryport.i18n import locale_code
from dryport.plan_formats import plan_csv, plan_json
from dryport.responses import csv_response, pdf_response
from dryport.schemas.plans import MonthlyPlanQuerySchema, RailPlanSchema
from dryport.services import rail_plan
from dryport.services.access import STAFF
from dryport.services.clock import utcnow
from dryport.services.report_pdf import in_both, render_plan

blp = Blueprint("api_plans", __name__, description="Monthly rail plan")

ANSWER = {
    "200": {
        "description": "The plan: JSON, CSV (UTF-8, a row per route and week, then the totals)"
        " or PDF (A4 landscape)",
        "content": {
            "application/json": {"schema": RailPlanSchema},
            "text/csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@blp.route("/plans/monthly")
@token_required(*STAFF)
@blp.doc(security=BEARER, responses=ANSWER)
@blp.arguments(MonthlyPlanQuerySchema, location="query")
def monthly_plan(query):
    """Per route and week of a month: departures, TEU booked, TEU expected from the trend of
    the 12 weeks before, TEU to order and the flat wagons it needs"""
    month = query["month"] or rail_plan.default_month()
    plan = rail_plan.monthly_plan(db.session, month)
    name = f"dryport-plan-{month:%Y-%m}"
    if query["format"] == "csv":
        basis = in_both(lambda: rail_plan.basis(plan))
        return csv_response(plan_csv(plan, utcnow(), basis), f"{name}.csv")
    if query["format"] == "pdf":
        return pdf_response(render_plan(plan), f"{name}.pdf")
    return jsonify(plan_json(plan, rail_plan.basis(plan), locale_code()))
