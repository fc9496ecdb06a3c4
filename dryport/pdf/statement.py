"""A company's monthly statement: its bookings shipped in the month, each with its charge lines
and total, then the totals per currency. A4 portrait, Chinese first with English beside, the
look of the monthly report (``pdf.report``), page numbers at the foot.

It takes the statement as plain data (``services.statements.Statement``); nothing here knows
Flask or the database. Times are Beijing time with the offset; amounts have thousands
separators and two places, exact (``Decimal``)."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dryport.pdf.report import ACCENT, figures_table, page_footer
from dryport.pdf.typeset import grouped
from dryport.services.clock import local_stamp
from dryport.services.containers import format_teu

#: Column widths: reference, departed, route and service, from → to, containers and terms,
#: quantity, unit amount, amount (182 mm, the frame between the margins).
WIDTHS = [27 * mm, 22 * mm, 20 * mm, 25 * mm, 38 * mm, 11 * mm, 18 * mm, 21 * mm]
HEADER = ["订舱号 Reference", "发车 Departed", "线路 车次 Route, service", "始发 目的 From, to",
          "箱 付款 Containers, terms", "数量 Qty", "单价 Unit", "金额 Amount"]  # fmt: skip
#: Bookings per table: reportlab lays out a few long tables faster than one very long one.
BOOKINGS_PER_TABLE = 40
LIGHT = colors.HexColor("#eef2f6")
RULE = colors.HexColor("#c9d2dc")
GREY = colors.HexColor("#5b6775")


def amount(value) -> str:
    """1,234.50: thousands separators, two places."""
    return grouped(value, 2)


def render(statement, font: str, payment_terms: dict, not_priced: str) -> bytes:
    """The PDF of ``statement``; ``payment_terms`` maps a term to its (Chinese, English)
    names, ``not_priced`` is what stands in for a booking's charges when it has none."""
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=11, leading=14, spaceBefore=8,
                             spaceAfter=4, textColor=ACCENT, keepWithNext=1),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9),
    }  # fmt: skip
    month = statement.month.strftime("%Y-%m")
    company = statement.company
    story = [
        Paragraph(f"恒口无水港对账单 · {month}", styles["title"]),
        Paragraph(f"Hengkou Dry Port statement · {month}", styles["h2"]),
        Paragraph(f"公司 Company: {escape(company.name)}", styles["body"]),
        Paragraph(
            f"统一社会信用代码 Unified social credit code: {company.credit_code}", styles["body"]
        ),
        Paragraph(
            "本月实际发车（北京时间）的已发运及已到达订舱及其费用 · The bookings departed or "
            "arrived on trains that left in the month (Beijing time), with their charges",
            styles["small"],
        ),
        # Not kept with the table that follows: that would push a table longer than what is
        # left of the page to the next one, leaving this one empty.
        Paragraph("订舱及费用 Bookings and charges", styles["h2"].clone("h2-free", keepWithNext=0)),
    ]
    if not statement.bookings:
        story.append(Paragraph("本月无 None this month", styles["small"]))
    for start in range(0, len(statement.bookings), BOOKINGS_PER_TABLE):
        chunk = statement.bookings[start : start + BOOKINGS_PER_TABLE]
        story.append(_bookings(font, chunk, styles["cell"], payment_terms, not_priced))
        story.append(Spacer(1, 4))
    story.append(Paragraph("合计 Totals", styles["h2"]))
    rows = [["币种 Currency", "订舱 Bookings", "金额 Amount"]]
    rows += [[t.currency, str(t.bookings), amount(t.amount)] for t in statement.totals]
    if statement.totals:
        totals = figures_table(font, rows, widths=[30 * mm, 30 * mm, 40 * mm])
        totals.hAlign = "LEFT"
        story.append(totals)
    else:
        story.append(Paragraph("无已定价订舱 No priced bookings", styles["small"]))
    story.append(Spacer(1, 4))
    story.append(
        Paragraph(
            f"未定价订舱（不计入合计）Bookings not priced (not in the totals): "
            f"{statement.unpriced}",
            styles["body"],
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
        bottomMargin=14 * mm, title=f"Hengkou Dry Port statement {month}",
        author="Hengkou Dry Port",
    )  # fmt: skip
    doc.build(story, onFirstPage=page_footer(font), onLaterPages=page_footer(font))
    return buffer.getvalue()


def _bookings(font, bookings, cell, payment_terms, not_priced) -> Table:
    """A booking's row (what it shipped, its total), then a row per charge line (its text
    across the first five columns), each booking shaded apart."""
    heading = ParagraphStyle("heading", parent=cell, alignment=0)
    rows: list[list] = [[Paragraph(escape(text), heading) for text in HEADER]]
    style = [
        ("FONT", (0, 0), (-1, -1), font, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("GRID", (0, 0), (-1, 0), 0.4, RULE),
        ("ALIGN", (5, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 1), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 1.5),
    ]
    for b in bookings:
        first = len(rows)
        zh, en = payment_terms[b.payment_term]
        total = f"{b.currency} {amount(b.total)}" if b.priced else "—"
        rows.append([
            b.reference, Paragraph(escape(local_stamp(b.departed_at)), cell),
            Paragraph(escape(f"{b.route} {b.service_no}"), cell),
            Paragraph(escape(f"{b.origin_station} → {b.destination or '—'}"), cell),
            Paragraph(escape(f"{b.containers} · {format_teu(b.teu)} TEU · {zh} {en}"), cell),
            "", "", total,
        ])  # fmt: skip
        style += [("SPAN", (5, first), (6, first)), ("LINEABOVE", (0, first), (-1, first), 0.6,
                                                      RULE)]  # fmt: skip
        if not b.priced:
            rows.append([Paragraph(escape(not_priced), cell), "", "", "", "", "", "", "—"])
            style.append(("SPAN", (0, len(rows) - 1), (6, len(rows) - 1)))
        for line in b.lines:
            text = Paragraph(escape(line.description or line.code), cell)
            rows.append([text, "", "", "", "", str(line.quantity), amount(line.unit_amount),
                         amount(line.amount)])  # fmt: skip
            style.append(("SPAN", (0, len(rows) - 1), (4, len(rows) - 1)))
        style.append(("BACKGROUND", (0, first), (-1, first), colors.HexColor("#f7f9fb")))
        style.append(("NOSPLIT", (0, first), (-1, len(rows) - 1)))  # a booking on one page
    style.append(("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE))
    table = Table(rows, colWidths=WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table
