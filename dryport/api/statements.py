"""Monthly statements as JSON, CSV or PDF: a shipper its own company's, operators any
company's."""

from flask import jsonify
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.models import Role
from dryport.responses import csv_response, pdf_response
from dryport.schemas.statements import StatementQuerySchema, StatementSchema
from dryport.services import statements
from dryport.services.access import STAFF
from dryport.services.report_pdf import render_statement
from dryport.statement_formats import as_csv, as_json

blp = Blueprint("api_statements", __name__, description="Monthly statements")

ANSWER = {
    "200": {
        "description": "The statement: JSON, CSV (UTF-8, a row per charge line, then the"
        " totals) or PDF (A4)",
        "content": {
            "application/json": {"schema": StatementSchema},
            "text/csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@blp.route("/statements")
@token_required(Role.SHIPPER, *STAFF)
@blp.doc(security=BEARER, responses=ANSWER)
@blp.arguments(StatementQuerySchema, location="query")
@problems(404, descriptions={404: "No such company, or not yours"})
def monthly_statement(query):
    """A company's bookings shipped in a month, with their charges and the totals"""
    statement = statements.monthly_statement(
        db.session, current_api_user(), query["month"], query.get("company")
    )
    name = f"statement-{statement.company.credit_code}-{query['month']:%Y-%m}"
    if query["format"] == "csv":
        return csv_response(as_csv(statement), f"{name}.csv")
    if query["format"] == "pdf":
        return pdf_response(render_statement(statement), f"{name}.pdf")
    return jsonify(as_json(statement))
