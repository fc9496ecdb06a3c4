"""The monthly statement page (对账单): a shipper's own company's, or the company an operator
chooses; with its PDF and CSV downloads."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.models import Role
from dryport.models.booking import PaymentTerm
from dryport.responses import csv_response, pdf_response
from dryport.services import reference_data, reports, statements
from dryport.services.access import STAFF
from dryport.services.clock import local_today
from dryport.services.errors import Invalid, NotFound
from dryport.services.report_pdf import render_statement
from dryport.statement_formats import as_csv
from dryport.web.access import role_required

bp = Blueprint("statements", __name__, url_prefix="/statements")


def payment_term_label(term: PaymentTerm) -> str:
    return _("Prepaid") if term is PaymentTerm.PRE else _("Collect")


@bp.route("/")
@role_required(Role.SHIPPER, *STAFF)
def statement_page():
    """A month's statement (last month by default). A shipper's own; operators choose the
    company, and an unknown one is said beside its field. A month that is none is too."""
    staff = current_user.role in STAFF
    form = {"month": request.args.get("month", "").strip(),
            "company": request.args.get("company", "").strip()}  # fmt: skip
    if not form["month"]:
        form["month"] = f"{reports.add_months(local_today().replace(day=1), -1):%Y-%m}"
    errors: dict[str, list[str]] = {}
    month = reports.parse_month(form["month"])
    if month is None:
        errors["month"] = [_("A month as YYYY-MM.")]
    statement = None
    if month is not None and (form["company"] or not staff):
        try:
            statement = statements.monthly_statement(
                db.session, current_user, month, form["company"] or None
            )
        except (NotFound, Invalid):
            if not staff:
                raise  # a shipper naming another company: not found, nothing said
            errors["company"] = [_("No such company.")]
    return render_template(
        "statements/statement.html",
        statement=statement,
        form=form,
        errors=errors,
        staff=staff,
        companies=_company_options() if staff else [],
        payment_term=payment_term_label,
        routes={route.code: route for route in reference_data.list_routes(db.session)},
    )


def _company_options() -> list[tuple[str, str]]:
    return [
        (c.credit_code, f"{c.name} · {c.credit_code}") for c in statements.companies(db.session)
    ]


@bp.route("/<month>.<fmt>")
@role_required(Role.SHIPPER, *STAFF)
def download(month: str, fmt: str):
    """The statement as PDF or CSV (``company``: as on the page)."""
    first = reports.parse_month(month)
    if first is None or fmt not in ("pdf", "csv"):
        abort(404)
    try:
        statement = statements.monthly_statement(
            db.session, current_user, first, request.args.get("company") or None
        )
    except Invalid:  # staff named no company
        abort(404)
    name = f"statement-{statement.company.credit_code}-{first:%Y-%m}"
    if fmt == "pdf":
        return pdf_response(render_statement(statement), f"{name}.pdf")
    return csv_response(as_csv(statement), f"{name}.csv")
