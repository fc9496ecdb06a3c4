"""The monthly rail plan (月度运输计划) on A4 landscape: the port, the month and when it was
generated; TEU booked against expected per week, drawn; then the table of each route's weeks
(departures, TEU booked, expected, to order, wagons) with its total, and the month's; the rule
of the expectation at the foot. Headings in both languages, the look of the monthly report
(``pdf.report``).

It takes the plan as plain data (``services.rail_plan.RailPlan``); nothing here knows Flask
or the database. Times are Beijing time with the offset."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dryport.pdf.report import ACCENT, page_footer, value_axis
from dryport.services.clock import local_stamp
from dryport.services.containers import format_teu

PAGE = landscape(A4)
MARGIN = 14 * mm
LIGHT = colors.HexColor("#eef2f6")
RULE = colors.HexColor("#c9d2dc")
GREY = colors.HexColor("#5b6775")
EXPECTED = colors.HexColor("#9fb3c8")
HEADER = ["线路 Route", "周 Week", "日期 Days", "班列 Departures", "已订 TEU booked",
          "预计 TEU expected", "计划 TEU to order", "车皮 Wagons"]  # fmt: skip
WIDTHS = [62 * mm, 24 * mm, 42 * mm, 24 * mm, 28 * mm, 28 * mm, 30 * mm, 24 * mm]


def render(plan, font: str, generated_at, basis: list[str]) -> bytes:
    """The PDF of ``plan``; ``basis`` is the rule of its figures in each language, printed
    at the foot; the chart names nothing, the table names each route in both languages."""
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=11, leading=14, spaceBefore=6,
                             spaceAfter=4, textColor=ACCENT, keepWithNext=1),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10),
    }  # fmt: skip
    month = plan.month.strftime("%Y-%m")
    story = [
        Paragraph(f"恒口无水港月度运输计划 · {month}", styles["title"]),
        Paragraph(f"Hengkou Dry Port monthly rail plan · {month}", styles["h2"]),
        Paragraph(
            f"生成时间 Generated at {local_stamp(generated_at)} · 周一至周日（北京时间），按月截取 "
            f"Weeks Monday to Sunday (Beijing time), clipped to the month · 每车 "
            f"{plan.wagon_teu} TEU per wagon",
            styles["small"],
        ),
        Paragraph("每周已订与预计 TEU · TEU booked and expected per week", styles["h2"]),
        _PairBars(
            font,
            [f"{span.week[5:]} {span.first:%m-%d}" for span in plan.weeks],
            [(float(c.teu_booked), float(c.teu_expected)) for c in plan.week_totals],
            PAGE[0] - 2 * MARGIN - 12,
        ),
        Paragraph("按线路及周 By route and week", styles["h2"]),
        *_tables(plan, font, styles["cell"]),
        Spacer(1, 2),
        *(Paragraph(("注 Note: " if n == 0 else "") + escape(text), styles["small"])
          for n, text in enumerate(basis)),
    ]  # fmt: skip
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"Hengkou Dry Port rail plan {month}",
        author="Hengkou Dry Port",
    )  # fmt: skip
    footer = page_footer(font, PAGE[0])
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _values(figures) -> list:
    return [
        figures.departures,
        format_teu(figures.teu_booked),
        format_teu(figures.teu_expected),
        format_teu(figures.teu_planned),
        "—" if figures.wagons is None else figures.wagons,
    ]


def _tables(plan, font: str, cell: ParagraphStyle) -> list:
    """A table per route (its name spanning its weeks, its total shaded), then one of every
    route's weeks together and the month's total: short tables flow from page to page."""
    header = [text.replace(" ", "\n", 1) for text in HEADER]
    blocks = [
        (Paragraph(escape(f"{r.route.code} {r.route.name_zh} {r.route.name_en}"), cell),
         r.weeks, r.totals)
        for r in plan.routes
    ]  # fmt: skip
    blocks.append((Paragraph("全部线路 All routes", cell), plan.week_totals, plan.totals))
    tables = []
    for name, weeks, totals in blocks:
        rows: list[list] = [header]
        for n, (span, figures) in enumerate(zip(plan.weeks, weeks, strict=True)):
            days = f"{span.first:%m-%d}" + ("" if span.days == 1 else f" – {span.last:%m-%d}")
            rows.append([name if n == 0 else "", span.week, days, *_values(figures)])
        rows.append(["", "合计 Total", "", *_values(totals)])
        table = Table(rows, colWidths=WIDTHS)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), font, 8),
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("SPAN", (0, 1), (0, -1)),
            ("VALIGN", (0, 1), (0, 1), "TOP"),
            ("BACKGROUND", (1, -1), (-1, -1), LIGHT),
        ]))  # fmt: skip
        tables.extend([KeepTogether(table), Spacer(1, 4)])
    return tables


class _PairBars(Flowable):
    """Two bars a week, booked (the accent) beside expected (pale), their values above, on
    one axis: the numbers the table gives, to compare at a glance."""

    HEIGHT = 42 * mm

    def __init__(self, font: str, labels: list[str], pairs: list[tuple[float, float]], width):
        super().__init__()
        self.font, self.labels, self.pairs = font, labels, pairs
        self.width, self.height = width, self.HEIGHT

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas, font = self.canv, self.font
        x0, y0, width, height = 30, 24, self.width - 150, self.height - 36
        canvas.saveState()
        top = max((v for pair in self.pairs for v in pair), default=0)
        scale = value_axis(canvas, font, x0, y0, height, top)
        canvas.line(x0, y0, x0 + width, y0)
        slot = width / max(len(self.pairs), 1)
        bar = slot * 0.36
        for n, (booked, expected) in enumerate(self.pairs):
            left = x0 + n * slot + slot * 0.12
            for k, (value, color) in enumerate(((booked, ACCENT), (expected, EXPECTED))):
                canvas.setFillColor(color)
                canvas.rect(left + k * bar, y0, bar, value * scale, stroke=0, fill=1)
                canvas.setFillColor(colors.black)
                canvas.setFont(font, 6.5)
                canvas.drawCentredString(left + (k + 0.5) * bar, y0 + value * scale + 2,
                                         f"{value:g}")  # fmt: skip
            canvas.setFont(font, 7)
            canvas.drawCentredString(x0 + (n + 0.5) * slot, y0 - 10, self.labels[n])
        legend = x0 + width + 16
        for k, (text, color) in enumerate((("已订 Booked", ACCENT), ("预计 Expected", EXPECTED))):
            y = y0 + height - 12 - k * 12
            canvas.setFillColor(color)
            canvas.rect(legend, y, 8, 8, stroke=0, fill=1)
            canvas.setFillColor(colors.black)
            canvas.drawString(legend + 12, y + 1, text)
        canvas.restoreState()
