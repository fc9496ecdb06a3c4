"""The monthly report as PDF, in the configured (or found) CJK font."""

from flask import current_app

from dryport.i18n import locale_code
from dryport.pdf.fonts import cjk_font
from dryport.pdf.report import render
from dryport.services.reports import MonthlyReport


def render_report(report: MonthlyReport) -> bytes:
    """The PDF, its charts naming routes and stations in the reader's language."""
    return render(report, cjk_font(current_app.config.get("WAYBILL_FONT")), locale_code())
