"""The monthly report as JSON and as CSV, for the API and the command line alike; the PDF is
in ``dryport.pdf.report``. All of them read one ``MonthlyReport``. The year's report as JSON
(``annual_json``)."""

import csv
import io
from datetime import date

from dryport.services.annual import AnnualReport, percent_of
from dryport.services.clock import local_iso
from dryport.services.containers import format_teu
from dryport.services.plan_trend import PlanAgainstActual
from dryport.services.reports import Change, Figures, MonthlyReport, Period, changes


def _change(value: Change) -> dict:
    return {"absolute": round(value.absolute, 2), "percent": value.percent}


def _period(period: Period) -> dict:
    return {"from": period.first.isoformat(), "to": period.last.isoformat()}


def _compared(period: Period, figures: Figures, change: dict[str, Change]) -> dict:
    return {**_period(period), "totals": figures.as_dict(),
            "change": {k: _change(v) for k, v in change.items()}}  # fmt: skip


def as_json(report: MonthlyReport) -> dict:
    """DESIGN §8's shape, and what the PDF shows besides. ``previous_month``,
    ``same_month_last_year`` and their ``change_*`` are whole months; ``period`` is the days
    counted (the month so far while it runs) and ``comparison`` the same days of those months,
    the like-for-like change the dashboard shows. A percentage against zero is null."""
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
        "change_previous_month": {
            k: _change(v) for k, v in changes(report.totals, report.previous_month).items()
        },
        "change_same_month_last_year": {
            k: _change(v) for k, v in changes(report.totals, report.same_month_last_year).items()
        },
        "period": {**_period(report.period), "whole_month": report.period.whole_month},
        "comparison": {
            "previous_month": _compared(
                report.previous_period, report.previous_same_days, report.mom
            ),
            "same_month_last_year": _compared(
                report.last_year_period, report.last_year_same_days, report.yoy
            ),
        },
        "trend": [{"month": m.strftime("%Y-%m"), "teu": float(teu)} for m, teu in report.trend],
        "departures": [
            {
                "route": d["route"],
                "service_no": d["service_no"],
                "departed_at": d["departed_at"].isoformat(),  # UTC, as the API's times
                "capacity_teu": d["capacity_teu"],
                "held_teu": float(d["held_teu"]),
                "load_factor": d["load_factor"],
            }
            for d in report.departures
        ],
        "plan_vs_actual": {
            **(_period(report.plan_period) if report.plan_period else {"from": None, "to": None}),
            "routes": [
                {"route": route, **_plan(row, difference)}
                for route, row, difference in report.plan_rows
                if route
            ],
            "totals": next(_plan(row, d) for route, row, d in report.plan_rows if not route),
        },
    }


def _plan(row: PlanAgainstActual, difference: Change) -> dict:
    """The rail plan's expected TEU against what shipped (``difference`` = shipped −
    expected, ``percent`` of expected: null against 0), departures planned against run."""
    return {
        "teu_expected": float(row.teu_expected),
        "teu_shipped": float(row.teu_shipped),
        "difference": float(row.teu_shipped - row.teu_expected),
        "percent": difference.percent,
        "departures_planned": row.departures_planned,
        "departures_run": row.departures_run,
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


def csv_bytes(rows) -> bytes:
    """``rows`` as CSV in UTF-8 with a BOM so Excel reads Chinese, every cell made
    ``inert``."""
    out = io.StringIO()
    csv.writer(out).writerows([inert(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_csv(report: MonthlyReport) -> bytes:
    """The report's tables, one block each (``csv_bytes``)."""
    lines: list[list] = []
    month = report.month.strftime("%Y-%m")

    def block(title: str, header: list[str], rows: list[list]) -> None:
        lines.extend([[title], header, *rows, []])

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
    keys = ("teu", "units", "gross_tonnes", "bookings", "departures")

    def compared(label: str, name: str, period: Period, figures: Figures, change: dict):
        return [
            [label, _dates(period), *values(figures), figures.departures],
            [f"{name} change", "", *(f"{change[k].absolute:+g}" for k in keys)],
            [f"{name} % change %", "", *(change[k].percent_text() for k in keys)],
        ]

    block("同期对比 Like-for-like comparison",
          ["", "日期 days", *figures_header, "班列 departures"], [
        ["本期 this period", _dates(report.period), *values(report.totals),
         report.totals.departures],
        *compared("上月同期 previous month, same days", "环比", report.previous_period,
                  report.previous_same_days, report.mom),
        *compared("去年同期 same month last year, same days", "同比", report.last_year_period,
                  report.last_year_same_days, report.yoy),
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
    block(f"计划与实际 Plan against actual {_dates(report.plan_period)}",
          ["线路 route", "预计 TEU expected", "实际 TEU shipped", "差额 difference",
           "差额 % difference %", "计划班列 departures planned", "开行班列 departures run"], [
        [route or "合计 total", *_plan_values(row, difference)]
        for route, row, difference in report.plan_rows
    ])  # fmt: skip
    block("本月班列 Departures of the month",
          ["线路 route", "车次 service", "发运 departed", "运力 capacity TEU", "已订 held TEU",
           "装载率 load factor"], [
        [d["route"], d["service_no"], local_iso(d["departed_at"]), d["capacity_teu"],
         format_teu(d["held_teu"]), "" if d["load_factor"] is None else f"{d['load_factor']:.3f}"]
        for d in report.departures
    ])  # fmt: skip
    return csv_bytes(lines)


def _plan_values(row: PlanAgainstActual, difference: Change) -> list:
    return [format_teu(row.teu_expected), format_teu(row.teu_shipped),
            f"{(row.teu_shipped - row.teu_expected).normalize():+f}",
            difference.percent_text(), row.departures_planned, row.departures_run]  # fmt: skip


def _dates(period: Period | None) -> str:
    if period is None:
        return "本月尚未开始 the month has not begun"
    return f"{period.first.isoformat()} – {period.last.isoformat()}"


def annual_json(report: AnnualReport) -> dict:
    """DESIGN §14's shape: the year so far against its target and against last year's same
    period (``period`` and ``last_year_period`` say which days: like for like), a projection,
    by month (each with last year's same days; a month to come with last year's whole month,
    compared with nothing), by origin station against its target and by route. A percentage
    against nothing is null, as is a target not set."""
    compared = (
        {"period": _span(date(report.year, 1, 1), report.last),
         "last_year_period": _span(date(report.year - 1, 1, 1), report.last_year_last)}
        if report.last else {"period": None, "last_year_period": None}
    )  # fmt: skip
    return {
        "year": report.year,
        "target_teu": report.target_teu,
        "teu_ytd": float(report.totals.teu),
        "units_ytd": report.totals.units,
        "same_period_last_year_teu": float(report.totals.last_year_teu),
        "growth_pct": report.totals.growth.percent,
        "target_pct": report.target_pct,
        "projected_teu": None if report.projected_teu is None else float(report.projected_teu),
        "in_progress": report.in_progress,
        "days_elapsed": report.days_elapsed,
        "days_in_year": report.days_in_year,
        **compared,
        "by_month": [
            {
                "month": row.month.strftime("%Y-%m"),
                "state": row.state,
                "teu": float(row.teu),
                "units": row.units,
                "period": _period(row.period) if row.period else None,
                "last_year_teu": float(row.last_year_teu),
                "last_year_period": _period(row.last_year_period),
                "growth_pct": row.growth.percent if row.period else None,
            }
            for row in report.by_month
        ],
        "by_station": [
            {
                "station": station.code,
                "teu": float(row.teu),
                "units": row.units,
                "target_teu": target,
                "target_pct": percent_of(row.teu, target),
                "last_year_teu": float(row.last_year_teu),
                "growth_pct": row.growth.percent,
            }
            for station, row, target in report.by_station
        ],  # fmt: skip
        "by_route": [
            {
                "route": route.code,
                "teu": float(row.teu),
                "units": row.units,
                "last_year_teu": float(row.last_year_teu),
                "growth_pct": row.growth.percent,
            }
            for route, row in report.by_route
        ],  # fmt: skip
    }


def _span(first: date, last: date) -> dict:
    return {"from": first.isoformat(), "to": last.isoformat()}
