"""The monthly report, the monthly rail plan and the monthly statements as PDF, in the
configured (or found) CJK font."""

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale

from dryport.i18n import locale_code
from dryport.pdf import rail_plan as rail_plan_pdf
from dryport.pdf import statement as statement_pdf
from dryport.pdf.fonts import cjk_font
from dryport.pdf.report import render
from dryport.services import plan_trend, rail_plan
from dryport.services.clock import utcnow
from dryport.services.reports import MonthlyReport
from dryport.services.statements import Statement
from dryport.statement_formats import NOT_PRICED, PAYMENT_TERMS


def render_report(report: MonthlyReport) -> bytes:
    """The PDF, its charts naming routes and stations in the reader's language."""
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    basis = in_both(lambda: plan_trend.expected_basis(plan_trend.history(report.month)))
    return render(report, font, locale_code(), basis)


def in_both(text: Callable[[], object]) -> list[str]:
    """``text()`` in Chinese, then in English: the documents are bilingual."""
    said = []
    for lang in ("zh", "en"):
        with force_locale(lang):
            said.append(str(text()))
    return said


def render_plan(plan: rail_plan.RailPlan) -> bytes:
    """The monthly rail plan (``pdf.rail_plan``), generated now, its rule in both languages."""
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    return rail_plan_pdf.render(plan, font, utcnow(), in_both(lambda: rail_plan.basis(plan)))


def render_statement(statement: Statement) -> bytes:
    """A company's monthly statement (``pdf.statement``), in both languages."""
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    return statement_pdf.render(statement, font, PAYMENT_TERMS, NOT_PRICED)
