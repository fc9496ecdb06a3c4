"""The monthly volume report: a summary page (headline figures against last month and last
year, the 12-month trend, TEU by route) and then its tables, the last the rail plan's
expectation against what the month shipped; headings in both languages.

It takes the report as plain data (``services.reports.MonthlyReport``); nothing here knows
Flask or the database. Headings are in both languages; the charts name routes and stations in
the reader's language (``lang``), with their codes. Times are Beijing time with the offset."""

import io
import math
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dryport.pdf.fonts import text_width
from dryport.services.clock import local_stamp

ACCENT = colors.HexColor("#0b5cad")
ROWS_PER_TABLE = 35  # many short tables: reportlab lays them out far faster than one long one
FRAME_WIDTH = A4[0] - 28 * mm - 12  # between the margins, less the frame's own padding
CELL_PADDING = 12  # a table cell's left and right padding


def _teu(value) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _days(period) -> str:
    return f"{period.first:%Y-%m-%d} – {period.last:%Y-%m-%d}"


def render(report, font: str, lang: str = "zh", plan_basis: list[str] = ()) -> bytes:
    """The PDF of ``report``; ``plan_basis`` is the rule of the rail plan's expectation in
    each language, printed under the plan against actual."""
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=11, leading=14, spaceBefore=8,
                             spaceAfter=4, textColor=ACCENT, keepWithNext=1),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=10,
                                textColor=colors.HexColor("#5b6775")),
    }  # fmt: skip
    month = report.month.strftime("%Y-%m")
    story = [
        Paragraph(f"恒口无水港月度运量报告 · {month}", styles["title"]),
        Paragraph(f"Hengkou Dry Port monthly volume report · {month}", styles["h2"]),
        Paragraph(
            "按实际发运月份统计（北京时间）已发运及已到达订舱 · Shipped volume: bookings "
            "departed or arrived on departures that actually left in the month "
            "(Beijing time)",
            styles["small"],
        ),
        Spacer(1, 6),
        Paragraph("主要指标 Headline figures", styles["h2"]),
        Paragraph(
            f"本期 This period {_days(report.period)} · 对比 compared with "
            f"{_days(report.previous_period)}, {_days(report.last_year_period)}"
            + ("" if report.period.whole_month else " (*同期 the same days)"),
            styles["small"],
        ),
        Spacer(1, 3),
        figures_table(font, _headline(report), widths=[34 * mm] + [20 * mm] * 7),
        Paragraph("近十二个月 TEU · 12-month trend (TEU)", styles["h2"]),
        _Bars(
            font,
            [m.strftime("%y-%m") for m, _ in report.trend],
            [float(teu) for _, teu in report.trend],
            width=170 * mm,
        ),
        _side_by_side(
            [
                [
                    Paragraph("按线路 TEU · TEU by route", styles["h2"]),
                    _HBars(
                        font,
                        [
                            (
                                row.name_zh if lang == "zh" else row.name_en,
                                row.code,
                                float(row.figures.teu),
                            )
                            for row in report.by_route
                        ],
                        86 * mm,
                    ),
                ],
                [
                    Paragraph("按始发站 TEU · TEU by origin station", styles["h2"]),
                    _HBars(
                        font,
                        [
                            (station.name(lang), station.code, float(f.teu))
                            for station, f in report.by_station
                        ],
                        86 * mm,
                    ),
                ],
            ]
        ),
        PageBreak(),
    ]
    figures = ["TEU", "箱量 Units", "毛重吨 Gross t", "订舱 Bookings"]

    def values(f) -> list:
        return [_teu(f.teu), f.units, f"{f.gross_tonnes:f}", f.bookings]

    names = {r.code: f"{r.code} {r.name_zh}" for r in report.by_route}

    def lf(value) -> str:
        return "—" if value is None else f"{value * 100:.0f}%"

    sections = [
        ("按线路 By route", ["线路 Route", *figures, "班列 Departures", "装载率 Load factor"],
         [[f"{r.code} {r.name_zh}", *values(r.figures), r.figures.departures, lf(r.load_factor)]
          for r in report.by_route]),
        ("按始发站 By origin station", ["站点 Station", *figures],
         [[f"{s.code} {s.name_zh} {s.name_en}", *values(f)] for s, f in report.by_station]),
        ("线路 × 站点 Route × station", ["线路 Route", "站点 Station", *figures],
         [[route, station, *values(f)]
          for (route, station), f in sorted(report.route_station.items())]),
        ("前十货主 Top 10 shippers", ["货主 Shipper", *figures],
         [[name, *values(f)] for name, f in report.top_shippers]),
        ("本月班列及装载率 Departures of the month and load factor",
         ["线路 Route", "车次 Service", "发运 Departed", "运力 Capacity", "已订 Held",
          "装载率 Load factor"],
         [[d["route"], d["service_no"], local_stamp(d["departed_at"]),
           d["capacity_teu"], _teu(d["held_teu"]), lf(d["load_factor"])]
          for d in report.departures]),
    ]  # fmt: skip
    for title, header, rows in sections:
        story.append(Paragraph(title, styles["h2"]))
        if not rows:
            story.append(Paragraph("本月无 None this month", styles["small"]))
        for start in range(0, len(rows), ROWS_PER_TABLE):
            story.append(figures_table(font, [header, *rows[start : start + ROWS_PER_TABLE]]))
            story.append(Spacer(1, 4))
    days = _days(report.plan_period) if report.plan_period else "本月尚未开始 not begun"
    story.append(KeepTogether([
        Paragraph(f"计划与实际 Plan against actual · {days}", styles["h2"]),
        figures_table(font, [
            ["线路 Route", "预计 Expected TEU", "实际 Shipped TEU", "差额 Difference", "差额 %",
             "计划班列 Planned departures", "开行班列 Departures run"],
            *([names[route] if route else "合计 Total", *_plan_values(row, difference)]
              for route, row, difference in report.plan_rows),
        ]),
        Spacer(1, 3),
        *(Paragraph(escape(text), styles["small"]) for text in plan_basis),
    ]))  # fmt: skip
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Hengkou Dry Port {month}",
        author="Hengkou Dry Port",
    )
    doc.build(story, onFirstPage=page_footer(font), onLaterPages=page_footer(font))
    return buffer.getvalue()


def _plan_values(row, difference) -> list:
    """Expected and shipped TEU, their difference and its percentage of expected, departures
    planned and run."""
    return [_teu(row.teu_expected), _teu(row.teu_shipped),
            f"{(row.teu_shipped - row.teu_expected).normalize():+f}",
            difference.percent_text(), row.departures_planned, row.departures_run]  # fmt: skip


def _headline(report) -> list[list]:
    partial = not report.period.whole_month  # the same days (*), said under the heading
    before_header = "上月同期 Last month*" if partial else "上月 Last month"
    last_year_header = "去年同期 Last year*" if partial else "去年同月 Last year"
    rows = [["指标 Figure", "本月 This month", before_header, "环比 MoM", "环比 %",
             last_year_header, "同比 YoY", "同比 %"]]  # fmt: skip
    names = [("teu", "TEU"), ("units", "箱量 Units"), ("gross_tonnes", "毛重吨 Gross t"),
             ("bookings", "订舱 Bookings"), ("departures", "班列 Departures")]  # fmt: skip
    # Like-for-like: the same days of those months while the report's month runs.
    now, before, last_year = report.totals, report.previous_same_days, report.last_year_same_days
    for key, label in names:
        value = lambda f, k=key: _teu(getattr(f, k)) if k == "teu" else getattr(f, k)  # noqa: E731
        mom, yoy = report.mom[key], report.yoy[key]
        rows.append([label, value(now), value(before), f"{mom.absolute:+g}", mom.percent_text(),
                     value(last_year), f"{yoy.absolute:+g}", yoy.percent_text()])  # fmt: skip
    return rows


def figures_table(font: str, rows: list[list], widths=None) -> Table:
    """A table sized to its text; one too wide for the page (a long company name) has its
    widest column narrowed, its text wrapping in that column."""
    header = [str(cell).replace(" ", "\n", 1) for cell in rows[0]]  # Chinese over English
    body: list[list] = [[str(cell) for cell in row] for row in rows[1:]]
    if widths is None:
        natural = [
            max(stringWidth(line, font, 8) for cell in column for line in cell.split("\n"))
            + CELL_PADDING
            for column in zip(header, *body, strict=True)
        ]
        if sum(natural) > FRAME_WIDTH:
            wide = natural.index(max(natural))
            widths = [*natural]
            widths[wide] = FRAME_WIDTH - (sum(natural) - natural[wide])
            style = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
            for row in body:
                row[wide] = Paragraph(escape(row[wide]), style)
    table = Table([header, *body], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d2dc")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))  # fmt: skip
    return table


class _Bars(Flowable):
    """A vertical bar chart drawn straight onto the canvas, the look of reportlab's
    ``VerticalBarChart`` (axes, ticks, labels above the bars) at a fraction of its cost: the
    graphics widgets validate every attribute of every shape they build, twice a chart."""

    HEIGHT = 55 * mm

    def __init__(self, font: str, labels: list[str], values: list[float], width: float):
        super().__init__()
        self.font, self.labels, self.values = font, labels or [""], values or [0]
        self.width, self.height = width, self.HEIGHT

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas, font = self.canv, self.font
        x0, y0, width, height = 30, 18, self.width - 40, self.height - 30
        canvas.saveState()
        canvas.setLineWidth(1)
        scale = value_axis(canvas, font, x0, y0, height, max(self.values))
        slot = width / len(self.values)
        canvas.line(x0, y0, x0 + width, y0)
        for n in range(len(self.values) + 1):
            canvas.line(x0 + n * slot, y0, x0 + n * slot, y0 - 5)
        canvas.setFillColor(ACCENT)
        bar = slot * 0.8
        for n, value in enumerate(self.values):
            canvas.rect(x0 + n * slot + slot * 0.1, y0, bar, value * scale, stroke=1, fill=1)
        canvas.setFillColor(colors.black)
        for n, label in enumerate(self.labels):
            canvas.drawCentredString(x0 + (n + 0.5) * slot, y0 - 5 - 7, label)
        canvas.setFont(font, 6.5)
        for n, value in enumerate(self.values):
            canvas.drawCentredString(x0 + (n + 0.5) * slot, y0 + value * scale + 6 - 2.3,
                                     f"{value:.0f}")  # fmt: skip
        if not any(self.values):
            canvas.setFont(font, 9)
            canvas.drawCentredString(self.width / 2, self.height / 2, "无 None")
        canvas.restoreState()


def _side_by_side(columns: list[list]) -> Table:
    table = Table([columns], colWidths=[88 * mm] * len(columns), hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return table


class _HBars(Flowable):
    """Horizontal bars for named things (routes, stations): the name and its code on the left,
    the name cut short with an ellipsis when it would not fit, the bar and its value on the
    right."""

    ROW, SIZE = 12, 7

    def __init__(self, font: str, items: list[tuple[str, str, float]], width: float):
        super().__init__()
        self.font, self.items, self.width = font, items, width
        self.height = self.ROW * max(len(items), 1) + 4

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas, font, size = self.canv, self.font, self.SIZE
        label_width, value_width = self.width * 0.45, 26
        bar_width = self.width - label_width - value_width - 8
        top = max((value for *_, value in self.items), default=0) or 1
        canvas.saveState()
        canvas.setFont(font, size)
        for n, (name, code, value) in enumerate(self.items):
            y = self.height - (n + 1) * self.ROW
            canvas.setFillColor(colors.black)
            code = f" ({code})"
            name = fit(name, font, size, label_width - stringWidth(code, font, size))
            canvas.drawRightString(label_width, y + 3, name + code)
            canvas.setFillColor(ACCENT)
            canvas.rect(label_width + 4, y + 1, bar_width * value / top, self.ROW - 3,
                        stroke=0, fill=1)  # fmt: skip
            canvas.setFillColor(colors.black)
            canvas.drawString(label_width + 8 + bar_width * value / top, y + 3, f"{value:g}")
        if not self.items:
            canvas.drawString(0, 3, "无 None")
        canvas.restoreState()


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text``, cut short with an ellipsis so that it fits ``width`` (as ``runs`` sets it)."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def value_axis(canvas, font: str, x0: float, y0: float, height: float, top: float) -> float:
    """The vertical axis of a bar chart, from 0 at ``y0`` to ``top`` (1 when nothing is
    drawn) ``height`` above, with round ticks and their values left of ``x0``; the scale
    (points per unit) the bars are drawn in."""
    top = top or 1
    step = _tick_step(top)
    scale = height / top
    canvas.setStrokeColor(colors.black)
    canvas.setFont(font, 7)
    for n in range(math.floor(top / step + 1e-9) + 1):
        y = y0 + n * step * scale
        canvas.line(x0 - 5, y, x0, y)
        canvas.drawRightString(x0 - 5, y - 2.5, f"{n * step:g}")
    canvas.line(x0, y0, x0, y0 + height)
    return scale


def _tick_step(largest: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) that gives the axis three to six ticks."""
    power = 10 ** math.floor(math.log10(largest / 6))
    return next(power * m for m in (1, 2, 5, 10) if largest / (power * m) <= 6)


def page_footer(font: str, page_width: float = A4[0]):
    """The page number at the foot of every page, in both languages (``page_width``: of a
    landscape page, its long side)."""

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.HexColor("#5b6775"))
        canvas.drawRightString(page_width - 14 * mm, 8 * mm, f"第 {doc.page} 页 Page {doc.page}")
        canvas.restoreState()

    return draw
