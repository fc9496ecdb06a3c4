"""The bookings of a list as a CSV file: one row per booking with what it says of its
shipment (destination, packages, weights, dangerous goods, customs), in both languages."""

from dryport.report_formats import csv_bytes
from dryport.services.clock import local_iso
from dryport.services.containers import format_teu
from dryport.services.pricing import money_text
from dryport.services.shipment import NOT_STATED, package_kind_name

HEADER = [
    "订舱号 reference", "状态 status", "线路 route", "车次 service", "发车 departs",
    "始发站 origin", "目的地 destination", "目的地名称 destination name", "货主 shipper",
    "收货人 consignee", "品名 description", "HS", "件数 packages", "包装 kind",
    "唛头 marks", "毛重 gross kg", "净重 net kg", "危险品 dangerous goods", "UN",
    "类别 class", "包装类别 packing group", "报关单号 customs declaration",
    "发票金额 invoice value", "币种 currency", "箱 containers", "TEU",
    "运费合计 charges total", "运费币种 charges currency", "付费方式 payment term",
]  # fmt: skip


def as_csv(bookings) -> bytes:
    """The bookings, a row each under ``HEADER`` (``report_formats.csv_bytes``)."""
    return csv_bytes([HEADER, *map(_row, bookings)])


def _row(b) -> list:
    place = b.destination_place
    return [
        b.reference, b.status.name, b.departure.route.code, b.departure.service_no,
        local_iso(b.departure.departs_at), b.origin_station.code,
        b.destination or NOT_STATED,
        f"{place.name_zh} {place.name_en}" if place else "",
        b.company.name, b.consignee_name, b.cargo_description, b.hs_code,
        b.package_count if b.package_kind else NOT_STATED,
        f"{b.package_kind} {package_kind_name(b.package_kind, 'en')}" if b.package_kind
        else "",
        b.package_marks or "", f"{b.gross_weight_kg:f}",
        "" if b.net_weight_kg is None else f"{b.net_weight_kg:f}",
        "是 yes" if b.has_dangerous_goods else "否 no",
        b.un_number or "", b.dg_class or "", b.dg_packing_group or "",
        b.customs_declaration_no or "",
        "" if b.customs_invoice_value is None else f"{b.customs_invoice_value:f}",
        b.customs_currency or "",
        " ".join(f"{line.quantity}×{line.size_type}" for line in b.lines),
        format_teu(b.teu),
        "" if b.charges_total is None else money_text(b.charges_total),
        b.charges_currency or "",
        b.payment_term.name if b.payment_term else "",
    ]  # fmt: skip
