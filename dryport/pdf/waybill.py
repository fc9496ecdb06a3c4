"""The waybill: one A4 page per booking, Chinese and English side by side, laid out for the
route's transport document (domestic rail waybill, CIM/SMGS note, multimodal document), with
a Code 128 barcode of its number and a QR code of its verification address."""

import functools
import io
import re
from dataclasses import dataclass, field

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from dryport.pdf import qr
from dryport.pdf.fonts import font_for, runs, text_width

PAGE_W, PAGE_H = A4
MARGIN = 24
INK = HexColor("#1c2733")
MUTED = HexColor("#5b6775")
RULE = HexColor("#9aa6b2")
ROW_HEIGHT = 12
FOOTER_HEIGHT = 30 + 52 + 16  # totals, issue and signatures, the verify line

TITLES = {
    "RAIL_WAYBILL": ("铁路货物运单", "Railway consignment note (domestic)"),
    "CIM_SMGS": ("CIM/SMGS 国际铁路货物联运运单", "CIM/SMGS common consignment note"),
    "MULTIMODAL": ("多式联运提单", "Multimodal transport document"),
}


@dataclass
class Leg:
    mode: str  # "铁路 Rail"
    origin: str
    destination: str
    service: str = ""
    via: str = ""


@dataclass
class ContainerRow:
    number: str
    size_type: str
    seal: str
    tare_kg: int
    vgm_kg: int
    vgm_method: str
    max_gross_kg: int


@dataclass
class WaybillDoc:
    """Everything printed on one waybill, already in words: no lookups happen here."""

    document_type: str
    number: str
    revision: int
    booking_reference: str
    verify_url: str
    issued_at: str
    issue_place: str
    issuer: str
    route: str
    service_no: str
    departs_at: str
    station_of_departure: str
    origin_station: str
    station_of_destination: str
    place_of_receipt: str
    place_of_delivery: str
    border_crossings: str
    consignor: list[str]
    consignee: list[str]
    notify_party: list[str]
    cargo_description: str
    hs_code: str
    packages: str
    gross_kg: str
    dangerous_goods: str
    reefer: str
    totals: str
    legs: list[Leg] = field(default_factory=list)
    containers: list[ContainerRow] = field(default_factory=list)
    weighed_by: str = ""
    sheet: str = "第 1 联 / Sheet 1"
    copy: bool = True
    original_no: int | None = None
    originals: int | None = None


def mark(doc: WaybillDoc) -> str:
    """What the page says it is: every print is a copy but an operator's originals."""
    if doc.copy:
        return "副本 COPY"
    return f"正本 ORIGINAL {doc.original_no}/{doc.originals}"


def render(docs: list[WaybillDoc], font: str) -> bytes:
    """One page per waybill, as one PDF; a booking with more containers than fit goes on with
    continuation sheets."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(docs[0].number if len(docs) == 1 else f"{len(docs)} waybills")
    canvas.setAuthor("Hengkou Dry Port")
    for doc in docs:
        draw(canvas, doc, font)
    canvas.save()
    return buffer.getvalue()


def draw(canvas: Canvas, doc: WaybillDoc, font: str) -> None:
    """Every page of one document onto an open canvas, each ended with ``showPage``."""
    _Page(canvas, doc, font).draw()
    canvas.showPage()


@functools.lru_cache(maxsize=8192)
def _char_width(char: str, font: str, size: float) -> float:
    return stringWidth(char, font_for(char, font), size)


_DARK_RUN = re.compile("1+")


class _Page:
    def __init__(self, canvas: Canvas, doc: WaybillDoc, font: str):
        self.c, self.doc, self.font = canvas, doc, font

    def draw(self) -> None:
        y = self._header(PAGE_H - MARGIN)
        layout = {
            "CIM_SMGS": self._smgs,
            "RAIL_WAYBILL": self._rail,
            "MULTIMODAL": self._multimodal,
        }[self.doc.document_type]
        y = layout(y)
        rows = self.doc.containers
        fits = max(1, int((y - 6 - FOOTER_HEIGHT - MARGIN - 24) // ROW_HEIGHT))
        title = "集装箱 Containers"
        if len(rows) > fits:  # the rest on continuation sheets
            title += f" (1–{fits} / {len(rows)})"
        y = self._containers(y - 6, rows[:fits], title)
        self._footer(y - 6)
        start = fits
        while start < len(rows):
            self.c.showPage()
            y = self._continuation_header(PAGE_H - MARGIN)
            per_page = int((y - MARGIN - 24) // ROW_HEIGHT)
            chunk = rows[start : start + per_page]
            span = f"{start + 1}–{start + len(chunk)} / {len(rows)}"
            title = f"集装箱（续）Containers, continued ({span})"
            self._containers(y, chunk, title)
            start += len(chunk)

    def _continuation_header(self, top: float) -> float:
        doc = self.doc
        zh, en = TITLES[doc.document_type]
        self._text(MARGIN, top - 14, f"{zh} {en} · 续页 Continuation sheet · {mark(doc)}", size=10)
        self._text(
            MARGIN,
            top - 28,
            f"运单号 Waybill No. {doc.number} · 第 {doc.revision} 版 "
            f"Rev. {doc.revision} · 订舱号 Booking {doc.booking_reference}",
            size=9,
        )
        return top - 40

    # ---- building blocks -------------------------------------------------------------------

    def _text(self, x, y, text, size=8, color=INK):
        self._texts([(x, y, text, size, color)])

    def _texts(self, texts) -> None:
        """Strings as (x, y, text, size, colour), in one PDF text object that sets font and
        colour only where they change; ``drawString`` costs a text object of its own and the
        canvas's ``setFont`` and ``setFillColor`` each time."""
        block = self.c.beginText()
        pen = None
        for x, y, text, size, color in texts:
            if (size, color) != pen:
                block.setFont(self.font, size)
                block.setFillColor(color)
                pen = size, color
            block.setTextOrigin(x, y)
            parts = runs(text, self.font)
            if len(parts) == 1 and parts[0][0] == self.font:
                block.textLine(text)
                continue
            for name, part in parts:  # letters the main font lacks, in the Latin one
                block.setFont(name, size)
                block.textOut(part)
            block.setFont(self.font, size)
        self.c.drawText(block)

    def _wrap(self, text: str, width: float, size: float) -> list[str]:
        """``text`` cut into lines of at most ``width``, at any character (Chinese has no
        spaces to break at); a glyph's width is looked up once, not the whole line's again."""
        lines, current, used = [], "", 0.0
        for char in text:
            advance = _char_width(char, self.font, size)
            if used + advance > width:
                lines.append(current)
                current = char.lstrip()
                used = _char_width(current, self.font, size) if current else 0.0
            else:
                current += char
                used += advance
        if current:
            lines.append(current)
        return lines

    def _box(self, x, y, w, h, label: str, body, box_no: str = "", size=8) -> None:
        """A labelled box with its top-left corner at (x, y); ``body`` is text or lines."""
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.6)
        self.c.rect(x, y - h, w, h)
        tag = f"{box_no} " if box_no else ""
        texts = [(x + 3, y - 9, tag + label, 6.5, MUTED)]
        lines = body if isinstance(body, list) else [body]
        while True:  # shrink the text until it fits the box (down to 6 pt)
            wrapped = [part for line in lines for part in self._wrap(str(line), w - 8, size)]
            if size <= 6 or 19 + len(wrapped) * (size + 2.5) - 2.5 <= h:
                break
            size -= 0.5
        line_y = y - 19
        for line in wrapped:
            if line_y < y - h + 3:
                break
            texts.append((x + 4, line_y, line, size, INK))
            line_y -= size + 2.5
        self._texts(texts)

    def _row(self, y, h, boxes) -> float:
        """Boxes side by side across the page: (share of width, label, body, box number)."""
        x = MARGIN
        width = PAGE_W - 2 * MARGIN
        for share, label, body, box_no in boxes:
            w = width * share
            self._box(x, y, w, h, label, body, box_no)
            x += w
        return y - h

    # ---- the parts -------------------------------------------------------------------------

    def _header(self, top: float) -> float:
        doc = self.doc
        zh, en = TITLES[doc.document_type]
        self._texts([
            (MARGIN, top - 16, zh, 15, INK),
            (MARGIN, top - 30, en, 10, MUTED),
            (MARGIN, top - 44, f"{doc.issuer}", 8, MUTED),
            (MARGIN, top - 56, f"{doc.sheet} · {mark(doc)}", 8, MUTED),
        ])  # fmt: skip

        qr_size = 74
        qr_x = PAGE_W - MARGIN - qr_size
        self._qr(doc.verify_url, qr_x, top - qr_size, qr_size)

        right = qr_x - 8
        label = f"运单号 Waybill No. · 第 {doc.revision} 版 Rev. {doc.revision}"
        self._text(right - text_width(label, self.font, 7), top - 10, label, size=7, color=MUTED)
        self._text(right - text_width(doc.number, self.font, 13), top - 25, doc.number, size=13)
        barcode = Code128(doc.number, barHeight=24, barWidth=0.85, quiet=False)
        barcode.drawOn(self.c, right - barcode.width, top - 54)
        ref = f"订舱号 Booking {doc.booking_reference}"
        self._text(right - text_width(ref, self.font, 7.5), top - 66, ref, size=7.5)
        self.c.setFillColor(black)
        return top - qr_size - 8

    def _qr(self, text: str, x: float, y: float, size: float, border: int = 4) -> None:
        """``text`` as a QR code (error correction M) filling a ``size`` square: one path of
        its dark runs, each a rectangle in module units under a scaling ``cm`` (reportlab's
        path methods format every coordinate in pure Python, a few hundred times here)."""
        rows = qr.rows_as_ints(qr.modules(text))
        count = len(rows)
        box = size / (count + 2 * border)
        runs = [
            f"{run.start()} {r} {len(run[0])} 1 re"
            for r, row in enumerate(reversed(rows))  # PDF rows count up from the bottom
            for run in _DARK_RUN.finditer(f"{row:0{count}b}")
        ]
        origin = f"{fp_str(x + border * box)} {fp_str(y + border * box)}"
        self.c.setFillColor(black)
        self.c.addLiteral(f"q {fp_str(box)} 0 0 {fp_str(box)} {origin} cm {' '.join(runs)} f Q")

    def _parties(self, y, numbers=("", "", "")) -> float:
        doc = self.doc
        return self._row(y, 66, [
            (0.36, "发货人 Consignor", doc.consignor, numbers[0]),
            (0.36, "收货人 Consignee", doc.consignee, numbers[1]),
            (0.28, "通知方 Notify party", doc.notify_party or ["—"], numbers[2]),
        ])  # fmt: skip

    def _cargo(self, y, numbers=("", "", "", "")) -> float:
        doc = self.doc
        return self._row(y, 58, [
            (0.40, "货物品名 Description of goods · HS",
             [doc.cargo_description, f"HS {doc.hs_code}"], numbers[0]),
            (0.20, "件数 Packages", doc.packages, numbers[1]),
            (0.20, "毛重 Gross mass (kg)", doc.gross_kg, numbers[2]),
            (0.20, "危险品 / 冷藏 DG / Reefer", [doc.dangerous_goods, doc.reefer], numbers[3]),
        ])  # fmt: skip

    def _legs(self, y, with_places: bool) -> float:
        lines = []
        for index, leg in enumerate(self.doc.legs, start=1):
            line = f"{index}. {leg.mode}: {leg.origin} → {leg.destination}"
            if leg.service:
                line += f" · {leg.service}"
            if leg.via:
                line += f" · {leg.via}"
            lines.append(line)
        height = 22 + 11 * max(1, len(lines))
        label = "运输区段 Legs (mode, from → to, train/voyage)"
        if with_places:
            label = "各区段及承运 Legs: mode, place of taking in charge → place of delivery"
        return self._row(y, height, [(1.0, label, lines, "")])

    def _smgs(self, y) -> float:
        doc = self.doc
        y = self._parties(y, ("1", "4", ""))
        y = self._row(y, 40, [
            (0.34, "发站 Station of departure", doc.station_of_departure, "2"),
            (0.33, "到站 Station of destination", doc.station_of_destination, "5"),
            (0.33, "国境口岸站 Border crossings", doc.border_crossings, "6"),
        ])  # fmt: skip
        y = self._row(y, 40, [
            (0.34, "接货站（集卡运至发站）Receiving sub-station", doc.origin_station, ""),
            (0.33, "承运人 Carriers", "恒口无水港（缔约承运人）及各区段铁路 Hengkou Dry Port "
             "(contracting carrier) and the railway of each section", "22"),
            (0.33, "运费支付人 Payer of carriage charges", "发货人 Consignor", "23"),
        ])  # fmt: skip
        y = self._legs(y, with_places=False)
        y = self._cargo(y, ("15", "16/17", "18", ""))
        y = self._row(y, 40, [
            (0.25, "车辆 Wagon no.", "（铁路填写 by the railway）", "7"),
            (0.25, "装车人 Loaded by", "发货人 Consignor", "20"),
            (0.25, "确定重量方法 Mass determined", self._methods(), "21"),
            (0.25, "封印 Seals", self._seals(), "19"),
        ])  # fmt: skip
        return self._row(y, 34, [
            (0.34, "添附文件 Documents attached", "—", "24"),
            (0.33, "不涉及承运人的信息 Not for the carrier", "—", "25"),
            (0.33, "发货人声明 Consignor's declarations", "—", "3"),
        ])  # fmt: skip

    def _rail(self, y) -> float:
        doc = self.doc
        y = self._parties(y)
        y = self._row(y, 40, [
            (0.25, "发站 Station of departure", doc.station_of_departure, ""),
            (0.25, "到站 Station of destination", doc.station_of_destination, ""),
            (0.25, "接货站 Receiving sub-station", doc.origin_station, ""),
            (0.25, "车次 / 发车 Train and departure", f"{doc.service_no} · {doc.departs_at}",
             ""),
        ])  # fmt: skip
        y = self._legs(y, with_places=False)
        y = self._cargo(y)
        return self._row(y, 34, [
            (0.5, "封印 Seals", self._seals(), ""),
            (0.5, "运费 Charges", "按协议 As agreed · 发货人付 Payable by consignor", ""),
        ])  # fmt: skip

    def _multimodal(self, y) -> float:
        doc = self.doc
        y = self._parties(y)
        y = self._row(y, 40, [
            (0.34, "接管地 Place of taking in charge", doc.place_of_receipt, ""),
            (0.33, "交付地 Place of delivery", doc.place_of_delivery, ""),
            (0.33, "可转让性 Negotiability", "不可转让 Non-negotiable", ""),
        ])  # fmt: skip
        y = self._legs(y, with_places=True)
        y = self._cargo(y)
        return self._row(y, 34, [
            (0.5, "海运段 VGM (SOLAS VI/2) Sea leg", self._methods(), ""),
            (0.5, "封印 Seals", self._seals(), ""),
        ])  # fmt: skip

    def _methods(self) -> str:
        methods = ", ".join(sorted({c.vgm_method for c in self.doc.containers})) or "—"
        if self.doc.weighed_by:
            methods += f" · 称重证明人 certified by {self.doc.weighed_by}"
        return methods

    def _seals(self) -> str:
        seals = [c.seal for c in self.doc.containers]
        if not seals:
            return "—"
        if len(seals) > 4:  # each seal is in the container table
            return f"{len(seals)} 个 seals · 见集装箱表 see the container table"
        return f"{len(seals)}: " + ", ".join(seals)

    def _containers(self, y, rows, title) -> float:
        columns = [
            ("箱号 Container no.", 0.22), ("箱型 Size-type", 0.12), ("铅封号 Seal no.", 0.18),
            ("皮重 Tare kg", 0.13), ("VGM kg", 0.13), ("最大总重 Max gross kg", 0.22),
        ]  # fmt: skip
        width = PAGE_W - 2 * MARGIN
        row_h = ROW_HEIGHT
        height = 14 + row_h * (len(rows) + 1) + 4
        self.c.setStrokeColor(RULE)
        self.c.rect(MARGIN, y - height, width, height)
        box = "15 " if self.doc.document_type == "CIM_SMGS" else ""
        texts = [(MARGIN + 3, y - 9, f"{box}{title}", 6.5, MUTED)]
        x = MARGIN + 4
        line_y = y - 22
        for title, share in columns:
            texts.append((x, line_y, title, 6.5, MUTED))
            x += width * share
        for row in rows:
            line_y -= row_h
            values = [
                row.number,
                row.size_type,
                row.seal,
                f"{row.tare_kg:,}",
                f"{row.vgm_kg:,}",
                f"{row.max_gross_kg:,}",
            ]
            x = MARGIN + 4
            for value, (_, share) in zip(values, columns, strict=True):
                texts.append((x, line_y, value, 8, INK))
                x += width * share
        self._texts(texts)
        return y - height

    def _footer(self, y) -> None:
        doc = self.doc
        smgs = doc.document_type == "CIM_SMGS"
        y = self._row(y, 30, [(1.0, "合计 Totals", doc.totals, "")])
        y = self._row(y, 52, [
            (0.34, "签发地点及日期 Place and date of issue",
             [doc.issue_place, doc.issued_at], "26" if smgs else ""),
            (0.33, "承运人签章 Carrier's stamp", "", "27" if smgs else ""),
            (0.33, "收货人签收 Received by consignee", "", ""),
        ])  # fmt: skip
        self._text(MARGIN, max(y - 12, 14), f"核验 Verify: {doc.verify_url}", size=6.5, color=MUTED)
