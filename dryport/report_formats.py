"""The monthly report as JSON and as CSV, for the API and the command line alike; the PDF is
in ``dryport.pdf.report``. All of them read one ``MonthlyReport``."""

import csv
import io

from dryport.services.containers import format_teu
from dryport.services.reports import Change, Figures, MonthlyReport


def _change(value: Change) -> dict:
    return {"absolute": round(value.absolute, 2), "percent": value.percent}


def as_json(report: MonthlyReport) -> dict:
    """DESIGN §8's shape, and what the PDF shows besides."""
    return {
        "month": report.month.strftime("%Y-%m"),
        "totals": report.totals.as_dict(),
        "by_route": [
            {"route": row.code, **row.figures.as_dict(), "load_factor": row.load_factor}
            for row in report.by_route
        ],
        "by_station": [
            {"station": station.code, **_without_departures(figures)}
            for station, figures in report.by_station
        ],
        "route_station": [
            {"route": route, "station": station, **_without_departures(figures)}
            for (route, station), figures in sorted(report.route_station.items())
        ],
        "top_shippers": [
            {"shipper": name, **_without_departures(figures)}
            for name, figures in report.top_shippers
        ],
        "previous_month": report.previous_month.as_dict(),
        "same_month_last_year": report.same_month_last_year.as_dict(),
        "change_previous_month": {k: _change(v) for k, v in report.mom.items()},
        "change_same_month_last_year": {k: _change(v) for k, v in report.yoy.items()},
        "trend": [{"month": m.strftime("%Y-%m"), "teu": float(teu)} for m, teu in report.trend],
        "departures": [
            {
                "route": d["route"],
                "service_no": d["service_no"],
                "departed_at": d["departed_at"].isoformat(),
                "capacity_teu": d["capacity_teu"],
                "held_teu": float(d["held_teu"]),
                "load_factor": d["load_factor"],
            }
            for d in report.departures
        ],
    }


def _without_departures(figures: Figures) -> dict:
    data = figures.as_dict()
    data.pop("departures")
    return data


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell):
    """A text cell a spreadsheet would take for a formula (a company named ``=HYPERLINK(...)``)
    gets a leading apostrophe; numbers, even negative ones, stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        try:
            float(cell.rstrip("%"))
        except ValueError:
            return "'" + cell
    return cell


def as_csv(report: MonthlyReport) -> bytes:
    """The report's tables, one block each, in UTF-8 with a BOM so Excel reads Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    month = report.month.strftime("%Y-%m")

    def block(title: str, header: list[str], rows: list[list]) -> None:
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows([[inert(cell) for cell in row] for row in rows])
        writer.writerow([])

    figures_header = ["TEU", "箱量 units", "毛重 gross tonnes", "订舱 bookings"]

    def values(figures: Figures) -> list:
        return [
            format_teu(figures.teu),
            figures.units,
            f"{figures.gross_tonnes:f}",
            figures.bookings,
        ]

    block(f"月度运量 Monthly volume {month}", ["", *figures_header, "班列 departures"], [
        ["本月 this month", *values(report.totals), report.totals.departures],
        ["上月 previous month", *values(report.previous_month), report.previous_month.departures],
        ["去年同月 same month last year", *values(report.same_month_last_year),
         report.same_month_last_year.departures],
    ])  # fmt: skip
    route_header = ["线路 route", *figures_header, "班列 departures", "装载率 load factor"]
    block("按线路 By route", route_header, [
        [row.code, *values(row.figures), row.figures.departures,
         "" if row.load_factor is None else f"{row.load_factor:.3f}"]
        for row in report.by_route
    ])  # fmt: skip
    block("按始发站 By origin station", ["站点 station", *figures_header], [
        [f"{station.code} {station.name_zh} {station.name_en}", *values(figures)]
        for station, figures in report.by_station
    ])  # fmt: skip
    block("线路 × 站点 Route × station", ["线路 route", "站点 station", *figures_header], [
        [route, station, *values(figures)]
        for (route, station), figures in sorted(report.route_station.items())
    ])  # fmt: skip
    block("前十货主 Top shippers", ["货主 shipper", *figures_header], [
        [name, *values(figures)] for name, figures in report.top_shippers
    ])  # fmt: skip
    block("近十二个月 12-month trend", ["月份 month", "TEU"], [
        [m.strftime("%Y-%m"), format_teu(teu)] for m, teu in report.trend
    ])  # fmt: skip
    block("本月班列 Departures of the month",
          ["线路 route", "车次 service", "发运 departed", "运力 capacity TEU", "已订 held TEU",
           "装载率 load factor"], [
        [d["route"], d["service_no"], d["departed_at"].isoformat(), d["capacity_teu"],
         format_teu(d["held_teu"]), "" if d["load_factor"] is None else f"{d['load_factor']:.3f}"]
        for d in report.departures
    ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
