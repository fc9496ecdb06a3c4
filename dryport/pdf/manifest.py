"""The departure manifest (装车清单) on A4 landscape: the departure's header and the table of
its containers on every page ("page n of N"), the totals after the last row. Labels are in
both languages. It takes ``services.manifest.Manifest`` as plain data; no Flask here."""

import io

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from dryport.pdf.fonts import text_out, text_width
from dryport.pdf.report import fit
from dryport.services.containers import format_teu

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 24
INK = HexColor("#1c2733")
MUTED = HexColor("#5b6775")
RULE = HexColor("#9aa6b2")
ROW_H = 13
SIZE = 7.5
HEADER_H = 58  # title, departure line, crossing line
TABLE_TOP = PAGE_H - MARGIN - HEADER_H
FOOTER_H = 16

#: (label, share of the width, right-aligned)
COLUMNS = [
    ("# ", 0.03, True), ("车号 Wagon", 0.078, False), ("货票号 Rly waybill", 0.122, False),
    ("箱号 Container", 0.075, False), ("箱型 Type", 0.05, False), ("铅封号 Seal", 0.085, False),
    ("施封 Sealed by", 0.07, False), ("VGM kg", 0.06, True), ("危险品 DG", 0.06, False),
    ("订舱号 Booking", 0.075, False), ("收货人 Consignee", 0.165, False),
    ("目的地 Destination", 0.13, False),
]  # fmt: skip
WIDTH = PAGE_W - 2 * MARGIN
ROWS_PER_PAGE = int((TABLE_TOP - MARGIN - FOOTER_H) // ROW_H) - 1  # less the header row


def render(manifest, font: str) -> bytes:
    """The manifest alone, as one PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    canvas.setTitle(f"装车清单 Manifest {manifest.service_no}")
    canvas.setAuthor("Hengkou Dry Port")
    draw(canvas, manifest, font)
    canvas.save()
    return buffer.getvalue()


def totals_lines(manifest) -> list[tuple[str, str]]:
    """The totals block: (label, value) per line."""
    lines = [
        (f"{t.size_type} 箱数 containers / TEU", f"{t.containers:,} / {format_teu(t.teu)}")
        for t in manifest.by_size_type
    ]
    if manifest.not_loaded_teu:
        lines.append(("未装车 Not loaded yet TEU", format_teu(manifest.not_loaded_teu)))
    lines += [
        ("总箱数 Containers", f"{manifest.containers:,}"),
        ("总 TEU Total TEU", format_teu(manifest.total_teu)),
        ("总 VGM Total VGM kg", f"{manifest.total_vgm_kg:,}"),
    ]
    return lines


def pages_of(manifest) -> list[list]:
    """The rows cut into pages; the totals need room after the last row, or a page of their
    own."""
    rows = manifest.rows
    pages = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    totals = len(totals_lines(manifest)) + 2
    if len(pages[-1]) + totals > ROWS_PER_PAGE:
        pages.append([])
    return pages


def draw(canvas: Canvas, manifest, font: str) -> None:
    """Every page of the manifest onto an open canvas (which may be A4 portrait: each page
    sets its own size), each ended with ``showPage``."""
    pages = pages_of(manifest)
    number = 0
    for index, rows in enumerate(pages, start=1):
        canvas.setPageSize(landscape(A4))
        y = _header(canvas, manifest, font, index, len(pages))
        y = _table(canvas, font, y, rows, number)
        number += len(rows)
        if index == len(pages):
            _totals(canvas, font, y - ROW_H, manifest)
        canvas.showPage()
    canvas.setPageSize(A4)


def _text(canvas: Canvas, x, y, text: str, font: str, size=SIZE, color=INK, right=False):
    """``text`` set in runs (letters the CJK font lacks in the Latin one)."""
    if right:
        x -= text_width(text, font, size)
    block = canvas.beginText(x, y)
    block.setFillColor(color)
    text_out(block, text, font, size)
    canvas.drawText(block)


def _header(canvas, manifest, font, page: int, pages: int) -> float:
    top = PAGE_H - MARGIN
    _text(canvas, MARGIN, top - 14, "装车清单 Departure manifest", font, size=14)
    _text(
        canvas, PAGE_W - MARGIN, top - 14, f"第 {page} / {pages} 页 Page {page} of {pages}",
        font, size=8, color=MUTED, right=True,
    )  # fmt: skip
    _text(
        canvas, MARGIN, top - 32,
        f"车次 Service no. {manifest.service_no} · 线路 Route {manifest.route} · "
        f"发车（北京时间）Departs (Beijing time) {manifest.departs_at}",
        font, size=9,
    )  # fmt: skip
    _text(canvas, MARGIN, top - 46, f"国境口岸 Border crossing {manifest.crossing}", font, 9)
    return TABLE_TOP


def _cells(row, number: int) -> list[str]:
    return [
        str(number), row.wagon, row.railway_waybill, row.container, row.size_type, row.seal,
        row.sealed_by, "" if row.vgm_kg is None else f"{row.vgm_kg:,}", row.dangerous_goods,
        row.booking, row.consignee, row.destination,
    ]  # fmt: skip


def _table(canvas, font, y, rows, before: int) -> float:
    """The header row and ``rows``, numbered on from ``before``."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    lines = [[label for label, _, _ in COLUMNS]] + [
        _cells(row, before + i) for i, row in enumerate(rows, start=1)
    ]
    for index, cells in enumerate(lines):
        x = MARGIN
        color, size = (MUTED, 6.5) if index == 0 else (INK, SIZE)
        for text, (_, share, right) in zip(cells, COLUMNS, strict=True):
            width = WIDTH * share
            text = fit(text, font, size, width - 6)
            if right:
                _text(canvas, x + width - 3, y - 9, text, font, size, color, right=True)
            else:
                _text(canvas, x + 3, y - 9, text, font, size, color)
            x += width
        y -= ROW_H
        canvas.line(MARGIN, y, MARGIN + WIDTH, y)
    return y


def _totals(canvas, font, y, manifest) -> None:
    _text(canvas, MARGIN, y - 9, "合计 Totals", font, size=9)
    y -= ROW_H
    for label, value in totals_lines(manifest):
        _text(canvas, MARGIN + 8, y - 9, label, font, color=MUTED)
        _text(canvas, MARGIN + 260, y - 9, value, font, right=True)
        y -= ROW_H
