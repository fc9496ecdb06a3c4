"""The route documents, one A4 page per booking (continuation sheets when its containers need
them): the CIM/SMGS common consignment note (XAEU, labels in Chinese, Russian and English,
with the SMGS box numbers WAYBILL.md gives), the consignment order (EAST; the railway issues
its own waybill) and the multimodal transport document (WHSEA). Each page carries a Code 128
barcode of the number, a QR code of the verification address, 副本 COPY or 正本 ORIGINAL n/m
and "page n of N". Every value arrives already in words: no lookups happen here."""

import io
import re
from dataclasses import dataclass, field

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from dryport.pdf import qr
from dryport.pdf.fonts import runs, text_out
from dryport.pdf.typeset import LEADING, fit, width

PAGE_W, PAGE_H = A4
MARGIN = 24
CONTENT_W = PAGE_W - 2 * MARGIN
INK = HexColor("#1c2733")
MUTED = HexColor("#5b6775")
RULE = HexColor("#9aa6b2")
STAMP = HexColor("#b3261e")
HEADER_HEIGHT = 100
#: The most wagons box 7 of the CIM/SMGS note lists; more are in the container table only.
WAGON_LINES = 4
LABEL_SIZE = 6.0
ROW_HEIGHT = 10  # a container row is 7.5 pt type with its leading, 9.4 pt
ROOMY = 6.5  # the smallest size text is shrunk to before its row grows instead
FOOTER_HEIGHT = 24 + 46 + 16  # totals, issue and signatures, the verify line

#: The container table: (heading, share of the width); with the railway's waybill numbers,
#: once any is known.
CONTAINER_COLUMNS = [
    ("箱号 Container no.", 0.14), ("箱型 Type", 0.07), ("铅封号 Seal no.", 0.17),
    ("施封 Sealed by", 0.12), ("箱主 SOC/COC", 0.07), ("皮重 Tare kg", 0.09),
    ("VGM kg", 0.09), ("最大总重 Max gross kg", 0.12), ("车号 Wagon", 0.13),
]  # fmt: skip
CONTAINER_COLUMNS_RAILWAY = [
    ("箱号 Container no.", 0.13), ("箱型 Type", 0.06), ("铅封号 Seal no.", 0.14),
    ("施封 Sealed by", 0.1), ("箱主 SOC/COC", 0.07), ("皮重 Tare kg", 0.08),
    ("VGM kg", 0.08), ("最大总重 Max gross kg", 0.1), ("车号 Wagon", 0.11),
    ("货票号 Railway waybill no.", 0.13),
]  # fmt: skip

TITLES = {
    "CIM_SMGS": (
        "CIM/SMGS 国际铁路货物联运运单",
        "Накладная ЦИМ/СМГС · CIM/SMGS common consignment note",
    ),
    "RAIL_WAYBILL": (
        "铁路货物托运单",
        "Consignment order for rail carriage · 铁路运单由铁路签发 the railway issues its waybill",
    ),
    "MULTIMODAL": ("多式联运单据", "Multimodal transport document"),
}


@dataclass
class Leg:
    mode: str  # "铁路 Rail"
    origin: str
    destination: str
    carrier: str = ""
    service: str = ""
    departs: str = ""
    arrives: str = ""


@dataclass
class ContainerRow:
    number: str
    size_type: str
    seal: str
    sealed_by: str
    owner: str
    tare_kg: int
    vgm_kg: int
    max_gross_kg: int
    wagon: str = ""
    railway_waybill: str = ""  # the railway's own waybill number (货票号), once it is known


@dataclass
class WaybillDoc:
    """Everything printed on one route document, already in words."""

    document_type: str
    number: str
    revision: int
    booking_reference: str
    verify_url: str
    issued_at: str
    issue_place: str
    issuer: str
    consignor: list[str]
    consignee: list[str]
    notify_party: list[str]
    station_of_departure: list[str]  # name, code
    station_of_destination: list[str]
    train: str
    cargo: list[str]  # description, HS, dangerous goods, reefer
    packages: str
    gross_kg: str
    totals: str
    vgm: list[str]  # the SOLAS VGM block: method, signatory, when weighed
    charges: list[str] = field(default_factory=list)  # each line, the total, who pays
    legs: list[Leg] = field(default_factory=list)
    containers: list[ContainerRow] = field(default_factory=list)
    # CIM/SMGS
    pre_carriage: list[str] = field(default_factory=list)
    border_crossing: str = ""
    carriers: list[str] = field(default_factory=list)
    payers: list[str] = field(default_factory=list)
    mass_method: str = ""
    attached: list[str] = field(default_factory=list)
    # consignment order
    transit_limit: str = ""
    declared_value: str = ""
    sea: list[str] = field(default_factory=list)
    # multimodal transport document
    place_of_receipt: str = ""
    taken_in_charge: str = ""
    port_of_loading: str = ""
    port_of_discharge: str = ""
    place_of_delivery: str = ""
    negotiable: bool = False
    number_of_originals: int = 1
    # a copy unless printed as one of the originals of its revision
    copy: bool = True
    original_no: int | None = None
    originals: int | None = None

    @property
    def stamp(self) -> str:
        if self.copy:
            return "副本 COPY"
        return f"正本 ORIGINAL {self.original_no}/{self.originals}"


def render(docs: list[WaybillDoc], font: str) -> bytes:
    """The documents as one PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(docs[0].number if len(docs) == 1 else f"{len(docs)} waybills")
    canvas.setAuthor("Hengkou Dry Port")
    for doc in docs:
        draw(canvas, doc, font)
    canvas.save()
    return buffer.getvalue()


def draw(canvas: Canvas, doc: WaybillDoc, font: str) -> None:
    """All pages of ``doc`` onto an open canvas, ``showPage`` after each."""
    _Page(canvas, doc, font).draw()


_DARK_RUN = re.compile("1+")


class _Page:
    def __init__(self, canvas: Canvas, doc: WaybillDoc, font: str):
        self.c, self.doc, self.font = canvas, doc, font
        self.smgs = doc.document_type == "CIM_SMGS"

    def label(self, zh: str, ru: str, en: str) -> str:
        """A box label: Russian between Chinese and English on the CIM/SMGS note only."""
        return f"{zh} {ru} {en}" if self.smgs else f"{zh} {en}"

    def draw(self) -> None:
        layout = {"CIM_SMGS": self._smgs, "RAIL_WAYBILL": self._order, "MULTIMODAL": self._mtd}
        y = layout[self.doc.document_type](PAGE_H - MARGIN - HEADER_HEIGHT)
        rows = self.doc.containers
        fits = max(1, int((y - 30 - FOOTER_HEIGHT - MARGIN) // ROW_HEIGHT))
        per_sheet = int((PAGE_H - MARGIN - HEADER_HEIGHT - 30 - 16 - MARGIN) // ROW_HEIGHT)
        rest = max(0, len(rows) - fits)
        pages = 1 + -(-rest // per_sheet)
        containers = self.label("集装箱", "Контейнеры", "Containers")
        title = containers + (f" (1–{fits} / {len(rows)})" if rest else "")
        y = self._containers(y, rows[:fits], title)
        self._footer(y)
        self._header(1, pages)
        start = fits
        for page in range(2, pages + 1):
            self.c.showPage()
            chunk = rows[start : start + per_sheet]
            span = f"{start + 1}–{start + len(chunk)} / {len(rows)}"
            title = f"{containers} ({span}) · 续页 Continuation sheet"
            self._containers(PAGE_H - MARGIN - HEADER_HEIGHT, chunk, title)
            self._verify_line(MARGIN - 10)
            self._header(page, pages)
            start += len(chunk)
        self.c.showPage()

    # ---- building blocks -------------------------------------------------------------------

    def _texts(self, texts) -> None:
        """Strings as (x, y, text, size, colour) in one PDF text object that sets font and
        colour only where they change; letters the main font lacks are set in the Latin one."""
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
            text_out(block, text, self.font, size)
        self.c.drawText(block)

    def _labels(self, label: str, w: float, h: float) -> list[str]:
        return fit([label], w - 6, h / 2, self.font, LABEL_SIZE)[1]

    def _needed(self, w: float, label: str, body: list[str], size: float) -> float:
        """The height a box needs to set ``body`` at ``size``."""
        lines = fit(body, w - 8, 1e6, self.font, size)[1]
        return 7 * len(self._labels(label, w, 1e6)) + 7 + len(lines) * size * LEADING

    def _box(self, x, y, w, h, label: str, body: list[str], size=8.0) -> None:
        """A box with its top-left corner at (x, y): its label (wrapped), then ``body`` set
        as large as fits, at most ``size``."""
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.6)
        self.c.rect(x, y - h, w, h)
        labels = self._labels(label, w, h)
        texts = [(x + 3, y - 7 - i * 7, line, LABEL_SIZE, MUTED) for i, line in enumerate(labels)]
        top = y - 4 - 7 * len(labels)
        size, lines = fit(body, w - 8, top - (y - h) - 3, self.font, size)
        line_y = top - size
        for line in lines:
            texts.append((x + 4, line_y, line, size, INK))
            line_y -= size * LEADING
        self._texts(texts)

    def _row(self, y, h, boxes) -> float:
        """Boxes side by side across the page: (share of width, label, body, box number).
        The row is ``h`` tall, or taller when a box's text would need to be set smaller
        than ``ROOMY`` to fit (the container table below gives up the room)."""
        cells = []
        for share, label, body, box_no in boxes:
            lines = [str(b) for b in (body if isinstance(body, list) else [body]) if b]
            cells.append(
                (CONTENT_W * share, f"{box_no} {label}" if box_no else label, lines or ["—"])
            )
        h = max([h] + [self._needed(w, label, body, ROOMY) for w, label, body in cells])
        x = MARGIN
        for w, label, body in cells:
            self._box(x, y, w, h, label, body)
            x += w
        return y - h

    def _table(self, y, title: str, columns, rows, size=7.0) -> float:
        """A titled table: ``columns`` as (heading, share), each row's cells set in their
        column (wrapped on spaces; the row as tall as its tallest cell)."""
        texts = [(MARGIN + 3, y - 7, title, LABEL_SIZE, MUTED)]
        x_of = [
            MARGIN + 4 + CONTENT_W * sum(s for _, s in columns[:i]) for i in range(len(columns))
        ]
        rooms = [CONTENT_W * share - 6 for _, share in columns]
        line_y = y - 16
        headings = [
            fit([h], room, 14, self.font, LABEL_SIZE)
            for (h, _), room in zip(columns, rooms, strict=True)
        ]
        for (at, lines), x in zip(headings, x_of, strict=True):
            for i, line in enumerate(lines):
                texts.append((x, line_y - i * at * LEADING, line, at, MUTED))
        line_y -= 3 + (max(len(lines) for _, lines in headings) - 1) * LABEL_SIZE * LEADING
        for row in rows:
            cells = [
                fit([v], room, 40, self.font, size) for v, room in zip(row, rooms, strict=True)
            ]
            height = max(len(lines) * at * LEADING for at, lines in cells)
            for (at, lines), x in zip(cells, x_of, strict=True):
                for i, line in enumerate(lines):
                    texts.append((x, line_y - at - i * at * LEADING, line, at, INK))
            line_y -= height
        bottom = line_y - 4
        self.c.setStrokeColor(RULE)
        self.c.rect(MARGIN, bottom, CONTENT_W, y - bottom)
        self._texts(texts)
        return bottom

    # ---- header and footer -----------------------------------------------------------------

    def _header(self, page: int, pages: int) -> None:
        doc = self.doc
        top = PAGE_H - MARGIN
        zh, en = TITLES[doc.document_type]
        qr_size = 74
        qr_x = PAGE_W - MARGIN - qr_size
        right = qr_x - 8
        left_room = right - 150 - MARGIN
        if doc.document_type == "MULTIMODAL":
            en += " · 可转让 Negotiable" if doc.negotiable else " · 不可转让 Non-negotiable"
        _, titles = fit([en], left_room, 22, self.font, 9)
        texts = [(MARGIN, top - 16, zh, 15, INK)]
        texts += [(MARGIN, top - 29 - 10 * i, line, 9, MUTED) for i, line in enumerate(titles)]
        texts += [
            (MARGIN, top - 62, doc.issuer, 7.5, MUTED),
            (MARGIN, top - 74, f"第 {page} 页 共 {pages} 页 Page {page} of {pages}", 7.5, INK),
        ]
        stamp = doc.stamp
        stamp_w = width(stamp, self.font, 11) + 12
        self.c.setStrokeColor(STAMP)
        self.c.setLineWidth(1.2)
        self.c.rect(PAGE_W - MARGIN - stamp_w, top - 16, stamp_w, 16)
        texts.append((PAGE_W - MARGIN - stamp_w + 6, top - 12, stamp, 11, STAMP))
        self._qr(doc.verify_url, qr_x, top - 20 - qr_size, qr_size)
        box = "29 " if self.smgs else ""
        label = f"{box}运单号 Waybill No. · 第 {doc.revision} 版 Rev. {doc.revision}"
        number = doc.number
        ref = f"订舱号 Booking {doc.booking_reference}"
        texts += [
            (right - width(label, self.font, 7), top - 28, label, 7, MUTED),
            (right - width(number, self.font, 13), top - 43, number, 13, INK),
            (right - width(ref, self.font, 7.5), top - 88, ref, 7.5, INK),
        ]
        self._texts(texts)
        barcode = Code128(number, barHeight=24, barWidth=0.85, quiet=False)
        barcode.drawOn(self.c, right - barcode.width, top - 76)
        self.c.setFillColor(black)

    def _qr(self, text: str, x: float, y: float, size: float, border: int = 4) -> None:
        """``text`` as a QR code (error correction M) filling a ``size`` square: one path of
        its dark runs, each a rectangle in module units under a scaling ``cm`` (reportlab's
        path methods format every coordinate in pure Python, a few hundred times here)."""
        rows = qr.rows_as_ints(qr.modules(text))
        count = len(rows)
        box = size / (count + 2 * border)
        dark = [
            f"{run.start()} {r} {len(run[0])} 1 re"
            for r, row in enumerate(reversed(rows))  # PDF rows count up from the bottom
            for run in _DARK_RUN.finditer(f"{row:0{count}b}")
        ]
        origin = f"{fp_str(x + border * box)} {fp_str(y + border * box)}"
        self.c.setFillColor(black)
        self.c.addLiteral(f"q {fp_str(box)} 0 0 {fp_str(box)} {origin} cm {' '.join(dark)} f Q")

    def _footer(self, y) -> None:
        doc = self.doc
        y = self._row(y, 24, [(1.0, self.label("合计", "Итого", "Totals"), doc.totals, "")])
        y = self._row(y, 46, [
            (0.34, self.label("签发地点及日期", "Место и дата заключения договора",
                              "Place and date of issue"),
             [doc.issue_place, doc.issued_at], "26" if self.smgs else ""),
            (0.33, self.label("承运人签章", "Штемпель перевозчика", "Carrier's stamp"), "",
             "27" if self.smgs else ""),
            (0.33, self.label("收货人签收", "Получение грузополучателем", "Received by consignee"),
             "", ""),
        ])  # fmt: skip
        self._verify_line(max(y - 12, MARGIN - 10))

    def _verify_line(self, y) -> None:
        self._texts([(MARGIN, y, f"核验 Verify: {self.doc.verify_url}", 6.5, MUTED)])

    def _containers(self, y, rows, title) -> float:
        """The container table; with a column for the railway's waybill numbers once the
        railway has given any (on every sheet alike)."""
        railway = any(r.railway_waybill for r in self.doc.containers)
        columns = CONTAINER_COLUMNS_RAILWAY if railway else CONTAINER_COLUMNS
        cells = [
            (r.number, r.size_type, r.seal, r.sealed_by, r.owner, f"{r.tare_kg:,}",
             f"{r.vgm_kg:,}", f"{r.max_gross_kg:,}", r.wagon or "—")
            + ((r.railway_waybill or "—",) if railway else ())
            for r in rows
        ]  # fmt: skip
        box = "15 " if self.smgs else ""
        return self._table(y, box + title, columns, cells, size=7.5)

    # ---- the three documents ---------------------------------------------------------------

    def _parties(self, y, consignee_label: str = "") -> float:
        doc = self.doc
        return self._row(y, 62, [
            (0.36, self.label("发货人", "Отправитель", "Consignor"), doc.consignor,
             "1" if self.smgs else ""),
            (0.36, consignee_label or self.label("收货人", "Получатель", "Consignee"),
             doc.consignee, "4" if self.smgs else ""),
            (0.28, self.label("通知方", "Уведомить", "Notify party"), doc.notify_party, ""),
        ])  # fmt: skip

    def _smgs(self, y) -> float:
        doc, lb = self.doc, self.label
        y = self._parties(y)
        y = self._row(y, 46, [
            (0.34, lb("发站", "Станция отправления", "Station of departure"),
             doc.station_of_departure, "2"),
            (0.33, lb("到站", "Станция назначения", "Station of destination"),
             doc.station_of_destination, "5"),
            (0.33, lb("国境口岸站", "Пограничные станции перехода", "Border crossing"),
             doc.border_crossing, "6"),
        ])  # fmt: skip
        y = self._row(y, 46, [
            (0.34, lb("前程运输", "Предварительная перевозка", "Pre-carriage"),
             doc.pre_carriage, ""),
            (0.33, lb("车次及发车", "Номер поезда", "Train no. and departure"), doc.train, ""),
            (0.33, lb("车辆", "Вагон", "Wagon no."), self._wagons(), "7"),
        ])  # fmt: skip
        lines = max(len(doc.carriers), len(doc.payers), 1)
        y = self._row(y, max(46, 20 + lines * 10), [
            (0.6, lb("承运人及其区段", "Перевозчики и участки", "Carriers and their sections"),
             doc.carriers, "22"),
            (0.4, lb("运费支付人及代码", "Плательщик и код", "Payer of charges and code"),
             doc.payers, "23"),
        ])  # fmt: skip
        y = self._row(y, max(30, 20 + len(doc.charges) * 10), [
            (1.0, lb("运费及杂费", "Провозные платежи", "Carriage charges"), doc.charges, "23"),
        ])  # fmt: skip
        y = self._row(y, 62, [
            (0.5, lb("货物名称", "Наименование груза", "Description of goods"), doc.cargo, "15"),
            (0.3, lb("包装种类、件数及标记", "Род упаковки, места, знаки",
                     "Packages: kind, number, marks"), doc.packages, "16/17"),
            (0.2, lb("毛重(公斤)", "Масса брутто (кг)", "Gross mass (kg)"), doc.gross_kg, "18"),
        ])  # fmt: skip
        y = self._row(y, 50, [
            (0.22, lb("封印", "Пломбы", "Seals"), self._seals(), "19"),
            (0.14, lb("装车人", "Погружено", "Loaded by"), "发货人 Отправитель Consignor", "20"),
            (0.26, lb("确定重量方法", "Способ определения массы", "Mass determined"),
             doc.mass_method, "21"),
            (0.38, "SOLAS VGM 核实总重 Проверенная масса брутто Verified gross mass", doc.vgm,
             ""),
        ])  # fmt: skip
        return self._row(y, 46, [
            (0.5, lb("添附文件", "Приложенные документы", "Documents attached"), doc.attached,
             "24"),
            (0.25, lb("发货人声明", "Заявления отправителя", "Consignor's declarations"), "—",
             "3"),
            (0.25, lb("不涉及承运人的信息", "Информация не для перевозчика",
                      "Not for the carrier"), "—", "25"),
        ])  # fmt: skip

    def _order(self, y) -> float:
        doc = self.doc
        y = self._parties(y)
        y = self._row(y, 46, [
            (0.3, "发站(代码) Station of departure (code)", doc.station_of_departure, ""),
            (0.3, "到站(代码) Station of destination (code)", doc.station_of_destination, ""),
            (0.22, "车次及发车 Train and departure", doc.train, ""),
            (0.18, "运到期限 Transit-time limit", doc.transit_limit, ""),
        ])  # fmt: skip
        y = self._row(y, 62, [
            (0.45, "货物品名 Description of goods", doc.cargo, ""),
            (0.25, "包装及件数 Packages", doc.packages, ""),
            (0.14, "毛重 Gross mass (kg)", doc.gross_kg, ""),
            (0.16, "声明价格 Declared value", doc.declared_value, ""),
        ])  # fmt: skip
        legs = [
            f"{leg.mode} {leg.origin} → {leg.destination}"
            + (f" · {leg.carrier}" if leg.carrier else "")
            for leg in doc.legs
        ]
        y = self._row(y, 50, [
            (0.4, "海运衔接 Sea continuation", doc.sea or ["无 None"], ""),
            (0.35, "区段及承运人 Legs and carriers", legs, ""),
            (0.25, "封印 Seals", self._seals(), ""),
        ])  # fmt: skip
        y = self._row(y, 40, [(1.0, "SOLAS VGM 核实总重 Verified gross mass", doc.vgm, "")])
        return self._row(y, max(30, 20 + len(doc.charges) * 10),
                         [(1.0, "运费 Charges", doc.charges, "")])  # fmt: skip

    def _mtd(self, y) -> float:
        doc = self.doc
        negotiable = "可转让 Negotiable" if doc.negotiable else "不可转让 Non-negotiable"
        originals = f"正本 {doc.number_of_originals} 份 {doc.number_of_originals} original(s)"
        consignee = "收货人 Consignee" + (" (凭指示 to order)" if doc.negotiable else "")
        y = self._parties(y, consignee)
        y = self._row(y, 46, [
            (0.2, "接管地 Place of receipt", doc.place_of_receipt, ""),
            (0.2, "接管日期 Date of taking in charge", doc.taken_in_charge, ""),
            (0.2, "装货港 Port of loading", doc.port_of_loading, ""),
            (0.2, "卸货港 Port of discharge", doc.port_of_discharge, ""),
            (0.2, "交付地 Place of delivery", doc.place_of_delivery, ""),
        ])  # fmt: skip
        columns = [
            ("方式 Mode", 0.1), ("起 From", 0.17), ("止 To", 0.17), ("承运人 Carrier", 0.22),
            ("车次/航次 Service", 0.1), ("计划开 Departs", 0.12), ("计划到 Arrives", 0.12),
        ]  # fmt: skip
        rows = [
            (leg.mode, leg.origin, leg.destination, leg.carrier or "—", leg.service or "—",
             leg.departs or "—", leg.arrives or "—")
            for leg in doc.legs
        ]  # fmt: skip
        y = self._table(y, "运输区段 Legs of the multimodal transport", columns, rows)
        y = self._row(y, 62, [
            (0.45, "货物品名 Description of goods", doc.cargo, ""),
            (0.35, "包装、件数及标记 Packages, marks", doc.packages, ""),
            (0.2, "毛重 Gross mass (kg)", doc.gross_kg, ""),
        ])  # fmt: skip
        y = self._row(y, 50, [
            (0.42, "海运段 SOLAS VGM Sea leg verified gross mass", doc.vgm, ""),
            (0.28, "封印 Seals", self._seals(), ""),
            (0.3, "可转让性及正本份数 Negotiability, originals",
             [negotiable, originals], ""),
        ])  # fmt: skip
        return self._row(y, max(30, 20 + len(doc.charges) * 10), [
            (1.0, "运费及其支付 Freight and charges, payable by", doc.charges, ""),
        ])  # fmt: skip

    def _seals(self) -> str:
        seals = [c.seal for c in self.doc.containers]
        if not seals:
            return "—"
        if len(seals) > 4:  # each seal is in the container table
            return f"{len(seals)} 个 seals · 见集装箱表 see the container table"
        return f"{len(seals)}: " + ", ".join(seals)

    def _wagons(self) -> list[str]:
        """Box 7: the wagons, each with the railway's waybill number beside it once known
        (at most ``WAGON_LINES`` lines; the container table has them all)."""
        containers = self.doc.containers
        if not any(c.railway_waybill for c in containers):
            lines = sorted({c.wagon for c in containers if c.wagon})
            heading = []
        else:
            pairs = {
                (c.wagon, c.railway_waybill) for c in containers if c.wagon or c.railway_waybill
            }
            lines = [f"{wagon or '—'} / {waybill or '—'}" for wagon, waybill in sorted(pairs)]
            heading = ["车号 / 货票号 Вагон / № отправки Wagon / railway waybill"]
        if not lines:
            return ["（铁路填写 заполняется железной дорогой by the railway）"]
        if len(lines) > WAGON_LINES:
            return [f"{len(lines)} · 见集装箱表 см. таблицу контейнеров see the container table"]
        return heading + lines
