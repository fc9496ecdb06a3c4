"""The monthly rail plan as JSON and as CSV, for the API and the web page's download; the PDF
is in ``dryport.pdf.rail_plan``. All of them read one ``services.rail_plan.RailPlan``."""

from datetime import datetime

from dryport.report_formats import csv_bytes
from dryport.services.clock import local_iso
from dryport.services.containers import format_teu
from dryport.services.rail_plan import PlanFigures, RailPlan


def _figures(figures: PlanFigures) -> dict:
    return {
        "departures": figures.departures,
        "teu_booked": float(figures.teu_booked),
        "teu_expected": float(figures.teu_expected),
        "teu_planned": float(figures.teu_planned),
        "wagons": figures.wagons,
    }


def plan_json(plan: RailPlan, basis: str, locale: str) -> dict:
    """DESIGN §14's shape: per route (its name in ``locale``) and week, departures, TEU
    booked, expected and to order (``teu_planned``), wagons (null: no rail leg); the route's
    and the month's totals, every route's figures of each week (``week_totals``), the days
    the expectation learned from (``history``) and its rule (``basis``). TEU as numbers, as
    the monthly report gives them."""
    weeks = [span.week for span in plan.weeks]
    return {
        "month": plan.month.strftime("%Y-%m"),
        "weeks": [
            {
                "week": span.week,
                "first_day": span.first.isoformat(),
                "last_day": span.last.isoformat(),
                "days": span.days,
            }
            for span in plan.weeks
        ],  # fmt: skip
        "routes": [
            {
                "route": row.route.code,
                "name": row.route.name(locale),
                "rail": row.rail,
                "weeks": [
                    {"week": week, **_figures(cell)}
                    for week, cell in zip(weeks, row.weeks, strict=True)
                ],
                "totals": _figures(row.totals),
            }
            for row in plan.routes
        ],
        "week_totals": [
            {"week": week, **_figures(cell)}
            for week, cell in zip(weeks, plan.week_totals, strict=True)
        ],
        "totals": _figures(plan.totals),
        "wagon_teu": plan.wagon_teu,
        "history": {"from": plan.history.first.isoformat(), "to": plan.history.last.isoformat()},
        "basis": basis,
    }


HEADER = ["线路 route", "周 week", "起 first day", "止 last day", "班列 departures",
          "已订 TEU booked", "预计 TEU expected", "计划 TEU to order", "车皮 wagons"]  # fmt: skip


def _values(figures: PlanFigures) -> list:
    return [
        figures.departures,
        format_teu(figures.teu_booked),
        format_teu(figures.teu_expected),
        format_teu(figures.teu_planned),
        "" if figures.wagons is None else figures.wagons,
    ]


def plan_csv(plan: RailPlan, generated_at: datetime, basis: list[str]) -> bytes:
    """A row per route and week, then the route's total; the month's totals, week by week
    and in all; the rule of its figures in each language of ``basis``."""
    month = plan.month.strftime("%Y-%m")
    lines: list[list] = [
        [f"恒口无水港月度运输计划 Hengkou Dry Port monthly rail plan {month}"],
        ["生成时间 generated at", local_iso(generated_at.replace(microsecond=0))],
        [],
        HEADER,
    ]
    for row in plan.routes:
        for span, cell in zip(plan.weeks, row.weeks, strict=True):
            lines.append([row.route.code, span.week, span.first.isoformat(),
                          span.last.isoformat(), *_values(cell)])  # fmt: skip
        lines.append([row.route.code, "合计 total", "", "", *_values(row.totals)])
    for span, cell in zip(plan.weeks, plan.week_totals, strict=True):
        lines.append(["合计 all routes", span.week, span.first.isoformat(),
                      span.last.isoformat(), *_values(cell)])  # fmt: skip
    lines.append(["合计 all routes", "合计 total", "", "", *_values(plan.totals)])
    lines.append([])
    lines.extend([["说明 basis", text] for text in basis])
    return csv_bytes(lines)
