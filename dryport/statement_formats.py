"""A monthly statement as JSON and as CSV, for the API and the page's download alike; the PDF is
in ``dryport.pdf.statement``. All of them read one ``services.statements.Statement``.

Amounts are decimal strings of two places (``"1234.50"``) in both: never a float."""

from dryport.models.booking import PaymentTerm
from dryport.report_formats import csv_bytes
from dryport.services.clock import local_iso
from dryport.services.containers import format_teu
from dryport.services.pricing import money_text
from dryport.services.statements import Statement, StatementBooking

#: How a payment term reads on a document: Chinese first, English beside.
PAYMENT_TERMS = {PaymentTerm.PRE: ("预付", "Prepaid"), PaymentTerm.COL: ("到付", "Collect")}
#: Said of a booking no tariff priced (price on request), in place of its charges.
NOT_PRICED = "未定价 not priced"


def _charges(booking: StatementBooking) -> dict | None:
    if not booking.priced:
        return None
    return {
        "currency": booking.currency,
        "lines": [
            {
                "code": line.code,
                "description": line.description,
                "quantity": line.quantity,
                "unit_amount": money_text(line.unit_amount),
                "amount": money_text(line.amount),
            }
            for line in booking.lines
        ],
        "total": money_text(booking.total),
    }


def as_json(statement: Statement) -> dict:
    """The statement: company, month, bookings with their charges (null: not priced), the
    totals per currency of the priced ones and how many are not priced."""
    return {
        "company": {
            "name": statement.company.name,
            "credit_code": statement.company.credit_code,
        },
        "month": statement.month.strftime("%Y-%m"),
        "bookings": [
            {
                "reference": b.reference,
                "route": b.route,
                "service_no": b.service_no,
                "departed_at": b.departed_at.isoformat(),  # UTC, as the API's times
                "origin_station": b.origin_station,
                "destination": b.destination,
                "containers": b.containers,
                "teu": float(b.teu),  # as a booking says it
                "payment_term": b.payment_term.value,
                "charges": _charges(b),
            }
            for b in statement.bookings
        ],
        "totals": [
            {"currency": t.currency, "amount": money_text(t.amount), "bookings": t.bookings}
            for t in statement.totals
        ],
        "unpriced": statement.unpriced,
    }


LINE_HEADER = [
    "订舱号 reference", "发车 departed", "线路 route", "车次 service", "始发站 origin",
    "目的地 destination", "箱 containers", "TEU", "付款 payment term", "币种 currency",
    "费用代码 charge code", "费用 description", "数量 quantity", "单价 unit amount",
    "金额 amount",
]  # fmt: skip


def as_csv(statement: Statement) -> bytes:
    """Three blocks (``report_formats.csv_bytes``): the heading (company, code, month); the
    charge lines, one row each with its booking's columns repeated, so that a spreadsheet can
    filter and sum them (a booking not priced is one row with no amount); the totals per
    currency and the count of bookings not priced."""
    month = statement.month.strftime("%Y-%m")
    company = statement.company
    rows: list[list] = [
        [f"对账单 Statement {month}"],
        ["公司 company", company.name],
        ["统一社会信用代码 credit code", company.credit_code],
        ["月份 month", month],
        [],
        LINE_HEADER,
    ]
    for b in statement.bookings:
        head = [b.reference, local_iso(b.departed_at), b.route, b.service_no,
                b.origin_station, b.destination or "", b.containers, format_teu(b.teu),
                b.payment_term.value]  # fmt: skip
        if not b.priced:
            rows.append([*head, "", "", NOT_PRICED, "", "", ""])
        for line in b.lines:
            rows.append([*head, b.currency, line.code, line.description, line.quantity,
                         money_text(line.unit_amount), money_text(line.amount)])  # fmt: skip
    rows.extend([[], ["合计 Totals"], ["币种 currency", "订舱 bookings", "金额 amount"]])
    rows.extend([t.currency, t.bookings, money_text(t.amount)] for t in statement.totals)
    rows.append(["未定价订舱（不计入合计） bookings not priced (not in the totals)",
                 statement.unpriced])  # fmt: skip
    return csv_bytes(rows)
