"""The monthly volume report: a summary page (headline figures against last month and last
year, the 12-month trend, TEU by route) and then its tables, headings in both languages.

It takes the report as plain data (``services.reports.MonthlyReport``); nothing here knows
Flask or the database."""

import io

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

ACCENT = colors.HexColor("#0b5cad")
ROWS_PER_TABLE = 35  # many short tables: reportlab lays them out far faster than one long one


def _teu(value) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _pct(change) -> str:
    return "—" if change.percent is None else f"{change.percent:+.1f}%"


def render(report, font: str) -> bytes:
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=11, leading=14, spaceBefore=8,
                             spaceAfter=4, textColor=ACCENT),
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
        _table(font, _headline(report), widths=[34 * mm] + [20 * mm] * 7),
        Paragraph("近十二个月 TEU · 12-month trend (TEU)", styles["h2"]),
        _bars(
            font,
            [m.strftime("%y-%m") for m, _ in report.trend],
            [float(teu) for _, teu in report.trend],
            width=170 * mm,
        ),
        Paragraph("按线路 TEU · TEU by route", styles["h2"]),
        _bars(
            font,
            [row.code for row in report.by_route],
            [float(row.figures.teu) for row in report.by_route],
            width=90 * mm,
        ),
        PageBreak(),
    ]
    figures = ["TEU", "箱量 Units", "毛重吨 Gross t", "订舱 Bookings"]

    def values(f) -> list:
        return [_teu(f.teu), f.units, f"{f.gross_tonnes:f}", f.bookings]

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
         [[d["route"], d["service_no"], d["departed_at"].strftime("%Y-%m-%d %H:%M"),
           d["capacity_teu"], _teu(d["held_teu"]), lf(d["load_factor"])]
          for d in report.departures]),
    ]  # fmt: skip
    for title, header, rows in sections:
        story.append(Paragraph(title, styles["h2"]))
        if not rows:
            story.append(Paragraph("本月无 None this month", styles["small"]))
        for start in range(0, len(rows), ROWS_PER_TABLE):
            story.append(_table(font, [header, *rows[start : start + ROWS_PER_TABLE]]))
            story.append(Spacer(1, 4))
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
    doc.build(story, onFirstPage=_footer(font), onLaterPages=_footer(font))
    return buffer.getvalue()


def _headline(report) -> list[list]:
    rows = [["指标 Figure", "本月 This month", "上月 Last month", "环比 MoM", "环比 %",
             "去年同月 Last year", "同比 YoY", "同比 %"]]  # fmt: skip
    names = [("teu", "TEU"), ("units", "箱量 Units"), ("gross_tonnes", "毛重吨 Gross t"),
             ("bookings", "订舱 Bookings"), ("departures", "班列 Departures")]  # fmt: skip
    now, before, last_year = report.totals, report.previous_month, report.same_month_last_year
    for key, label in names:
        value = lambda f, k=key: _teu(getattr(f, k)) if k == "teu" else getattr(f, k)  # noqa: E731
        mom, yoy = report.mom[key], report.yoy[key]
        rows.append([label, value(now), value(before), f"{mom.absolute:+g}", _pct(mom),
                     value(last_year), f"{yoy.absolute:+g}", _pct(yoy)])  # fmt: skip
    return rows


def _table(font: str, rows: list[list], widths=None) -> Table:
    header = [str(cell).replace(" ", "\n", 1) for cell in rows[0]]  # Chinese over English
    body = [[str(cell) for cell in row] for row in rows[1:]]
    table = Table([header, *body], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d2dc")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))  # fmt: skip
    return table


def _bars(font: str, labels: list[str], values: list[float], width: float) -> Drawing:
    height = 55 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 18, width - 40, height - 30
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = ACCENT
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 6
    drawing.add(chart)
    if not any(values):
        drawing.add(
            String(width / 2, height / 2, "无 None", fontName=font, fontSize=9, textAnchor="middle")
        )
    return drawing


def _footer(font: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.HexColor("#5b6775"))
        canvas.drawRightString(A4[0] - 14 * mm, 8 * mm, f"第 {doc.page} 页 Page {doc.page}")
        canvas.restoreState()

    return draw
