"""The monthly report and the monthly statements as PDF, in the configured (or found) CJK
font."""

from flask import current_app

from dryport.i18n import locale_code
from dryport.pdf import statement as statement_pdf
from dryport.pdf.fonts import cjk_font
from dryport.pdf.report import render
from dryport.services.reports import MonthlyReport
from dryport.services.statements import Statement
from dryport.statement_formats import NOT_PRICED, PAYMENT_TERMS


def render_report(report: MonthlyReport) -> bytes:
    """The PDF, its charts naming routes and stations in the reader's language."""
    return render(report, cjk_font(current_app.config.get("WAYBILL_FONT")), locale_code())


def render_statement(statement: Statement) -> bytes:
    """A company's monthly statement (``pdf.statement``), in both languages."""
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    return statement_pdf.render(statement, font, PAYMENT_TERMS, NOT_PRICED)
