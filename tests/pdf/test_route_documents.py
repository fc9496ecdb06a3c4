"""Each route's document as its users hand it on: the CIM/SMGS note (XAEU), the consignment
order (EAST) and the multimodal transport document (WHSEA), for a booking with every field;
checked in the PDF's text and where that text sits (``pdftotext -bbox``), scanned with
zbarimg, and rendered to PNG for a reviewer (``ARTEFACTS_DIR``, else a temporary folder)."""

import io
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dryport.models import DepartureLeg, DocumentKind, PaymentTerm, Place, SealedBy
from dryport.pdf.fonts import cjk_font
from dryport.pdf.waybill import MARGIN, PAGE_H, PAGE_W, render
from dryport.services import documents, pricing, waybills
from dryport.services.clock import local_today

TOOLS = ("pdftotext", "pdftoppm", "zbarimg")
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS),
    reason="poppler-utils and zbar-tools are needed",
)
ROOT = Path(__file__).resolve().parents[2]
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where the rendered documents are left for a reviewer: ``ARTEFACTS_DIR``, else
    artefacts/documents/ in the checkout (ignored by git), replaced by each run."""
    folder = Path(os.environ.get("ARTEFACTS_DIR") or ROOT / "artefacts" / "documents")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def full(db_session, confirmed):
    """A confirmed booking of ``route`` with every field its document prints."""

    def make(route: str, **kw):
        departure_kw = {"border_crossing": "AKA-DOS"} if route == "XAEU" else {}
        booking = confirmed(
            route,
            un_number="UN1263", dg_class="3", dg_packing_group="III",
            dg_proper_shipping_name="PAINT", dg_emergency_contact="+86 915 321 0000",
            package_marks="HK/DUI 1-600", **departure_kw, **kw,
        )  # fmt: skip
        departure = booking.departure
        if route == "XAEU":
            departure.leg_plans.append(DepartureLeg(seq=1, service_no="X12345"))
            xian = db_session.scalar(select(Place).where(Place.code == "CNXAG"))
            xian.railway_code = "990001"  # a test value: the seed records none
            route_leg = departure.route.legs[1]
            route_leg.carriers[1].payer_code = "PC-KTZ-7788"
        if route == "WHSEA":
            booking.negotiable = True
            departure.leg_plans.append(DepartureLeg(seq=4, service_no="0GX3SW1MA"))
            departure.leg_plans.append(DepartureLeg(seq=3, service_no="YZ2612"))
        booking.ocean_booking_no = "COSU6123456780"
        booking.sea_vessel = "COSCO SHIPPING ARIES"
        booking.sea_voyage = "045W"
        booking.port_of_discharge = "NLRTM" if route != "XAEU" else None
        booking.declared_value = Decimal("1234567.50")
        booking.declared_value_currency = "CNY"
        booking.customs_declaration_no = "610120261234567890"
        first, second = booking.containers
        first.wagon_no, first.sealed_by = "63512345", SealedBy.CUSTOMS
        second.owner = second.owner.__class__.SOC
        db_session.commit()
        documents.add_document(
            db_session, confirmed.shipper, booking.reference, DocumentKind.INVOICE,
            "invoice.pdf", io.BytesIO(PDF_BYTES),
        )  # fmt: skip
        db_session.commit()
        return booking

    return make


def _pdf(db_session, booking, **stamp) -> bytes:
    doc = waybills.document(waybills.latest(db_session, booking.id))
    for name, value in stamp.items():
        setattr(doc, name, value)
    return render([doc], cjk_font())


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float, float, int]]:
    """The PDF's words as (word, xMin, yMin, xMax, yMax, page), y growing downwards."""
    (tmp_path / "d.pdf").write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "d.pdf"), "-"],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if found:
            x0, y0, x1, y1 = (float(v) for v in found.groups()[:4])
            word = found.group(5).replace("&amp;", "&").replace("&apos;", "'")
            words.append((word.replace("&lt;", "<").replace("&gt;", ">"), x0, y0, x1, y1, page))
    return words


def _text(pdf: bytes, tmp_path) -> str:
    (tmp_path / "t.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "t.pdf"), "-"],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _in_box(words, label: list[str], value: str) -> bool:
    """Whether ``value`` (a word) is set in the box whose label starts with the words
    ``label``: left-aligned with the label, below it, within the box's height."""
    for i in range(len(words) - len(label) + 1):
        if [w[0] for w in words[i : i + len(label)]] == label:
            x, y = words[i][1], words[i][2]
            if any(w[0] == value and abs(w[1] - x) < 3 and 0 < w[2] - y < 80 for w in words):
                return True
    return False


def _save_png(pdf: bytes, artefacts: Path, name: str) -> None:
    (artefacts / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", str(artefacts / f"{name}.pdf"),  # noqa: S607
         str(artefacts / name)],
        check=True,
    )  # fmt: skip


def _scan(pdf: bytes, tmp_path) -> list[str]:
    (tmp_path / "s.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(tmp_path / "s.pdf"),  # noqa: S607
         str(tmp_path / "scan")],
        check=True,
    )  # fmt: skip
    png = next(tmp_path.glob("scan*.png"))
    return subprocess.run(
        ["zbarimg", "-q", str(png)],
        capture_output=True,
        text=True,  # noqa: S607
    ).stdout.split()


def _assert_set_cleanly(words) -> None:
    """Every word inside the page's margins, and no two words overlapping."""
    for word, x0, y0, x1, y1, _ in words:
        assert x0 >= MARGIN - 12 and x1 <= PAGE_W - MARGIN + 0.5, word
        assert y0 >= MARGIN - 1 and y1 <= PAGE_H - MARGIN + 14, word
    rows = sorted(words, key=lambda w: (w[5], w[2]))
    for i, a in enumerate(rows):  # no two words overlap
        for b in rows[i + 1 :]:
            if b[5] != a[5] or b[2] >= a[4] - 0.5:
                break
            overlap_x = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 0.5, (a, b)


@needs_poppler
def test_the_cim_smgs_note(db_session, full, tmp_path, artefacts):
    booking = full("XAEU")
    pdf = _pdf(db_session, booking)
    _save_png(pdf, artefacts, "xaeu-cim-smgs")
    text = " ".join(_text(pdf, tmp_path).split())
    for expected in (
        "CIM/SMGS 国际铁路货物联运运单", "Накладная ЦИМ/СМГС", "Отправитель", "Получатель",
        "Станция отправления", "西安国际港站 Xi'an International Port (CNXAG)",
        "车站代码 station code 990001", "杜伊斯堡 Duisburg (DEDUI)",
        "车站代码 station code 未登记 not recorded",
        "阿拉山口 Alashankou (CNAKL) – 多斯特克 Dostyk (KZ-DOS)", "gauge change",
        "恒口 Hengkou → 西安国际港站 Xi'an International Port (CNXAG) · 车次 train X12345",
        "汉滨区 Hanbin → 恒口 Hengkou", "Kazakhstan Temir Zholy (KTZ)", "PKP Cargo",
        "DB Cargo", "code PC-KTZ-7788", "600 CT 纸箱 Carton", "HK/DUI 1-600", "HS 090210",
        "UN1263, PAINT, 第3类 class 3, 包装类别 PG III", "商业发票 Invoice",
        "Customs declaration no. 610120261234567890", "weighed on scales by the consignor",
        "方法一 Method 1 (SOLAS VI/2)", "signatory Wang Fang", "63512345", "海关 Customs",
        "12,000.0", "副本 COPY", "Page 1 of 1", booking.departure.service_no,
        *(c.number for c in booking.containers), *(c.seal_no for c in booking.containers),
    ):  # fmt: skip
        assert expected in text, expected
    assert "或" not in text and " or Khorgos" not in text  # one crossing, never "A or B"
    assert "contracting carrier" not in text and "Hengkou Dry Port (" not in text
    words = _words(pdf, tmp_path)
    assert _in_box(words, ["2", "发站"], "西安国际港站")
    assert _in_box(words, ["5", "到站"], "杜伊斯堡")
    assert _in_box(words, ["6", "国境口岸站"], "阿拉山口")
    assert _in_box(words, ["7", "车辆"], "63512345")
    assert _in_box(words, ["22", "承运人及其区段"], "恒口—西安国际港站")
    assert _in_box(words, ["24", "添附文件"], "商业发票")
    assert _in_box(words, ["21", "确定重量方法"], "发货人过秤")
    assert _in_box(words, ["16/17", "包装种类、件数及标记"], "600")


@needs_poppler
def test_the_consignment_order(db_session, full, tmp_path, artefacts):
    booking = full("EAST")
    pdf = _pdf(db_session, booking)
    _save_png(pdf, artefacts, "east-consignment-order")
    text = " ".join(_text(pdf, tmp_path).split())
    for expected in (
        "铁路货物托运单", "Consignment order for rail carriage", "the railway issues its waybill",
        "恒口 Hengkou 车站代码 station code 未登记 not recorded",
        "宁波舟山港(北仑) Ningbo-Zhoushan (Beilun) (CNNGB)",
        "运到期限 Transit-time limit", "天 days", "1,234,567.50 CNY", "SOC", "COC",
        "海关 Customs", "发货人 Shipper", "Ocean booking no. COSU6123456780",
        "Vessel/voyage COSCO SHIPPING ARIES / 045W", "Port of discharge 鹿特丹 Rotterdam (NLRTM)",
        "China Railway Xi'an Group", "UN1263", "副本 COPY",
    ):  # fmt: skip
        assert expected in text, expected
    assert "铁路货物运单" not in text.replace("铁路运单由铁路", "")  # not the railway's waybill
    legs = booking.departure.route.legs
    hours = sum(leg.transit_hours for leg in legs if leg.mode.name == "RAIL")
    assert f"{-(-hours // 24)} 天 days ({hours:,} h)" in text
    words = _words(pdf, tmp_path)
    assert _in_box(words, ["声明价格"], "1,234,567.50")
    assert _in_box(words, ["海运衔接"], "订舱号")


@needs_poppler
def test_the_multimodal_transport_document(db_session, full, tmp_path, artefacts):
    booking = full("WHSEA", origin="HB")
    pdf = _pdf(db_session, booking)
    _save_png(pdf, artefacts, "whsea-multimodal")
    text = " ".join(_text(pdf, tmp_path).split())
    for expected in (
        "多式联运单据", "Multimodal transport document", "可转让 Negotiable",
        "凭 Duisburg Intermodal GmbH 指示 To order of Duisburg Intermodal GmbH",
        "正本 3 份 3 original(s)", "接管地 Place of receipt", "汉滨区 Hanbin (HB)",
        "装货港 Port of loading", "上海(洋山) Shanghai (Yangshan) (CNSHA)",
        "卸货港 Port of discharge", "鹿特丹 Rotterdam (NLRTM)", "交付地 Place of delivery",
        "YZ2612", "0GX3SW1MA", "China Railway Xi'an Group", "海运 Sea", "内河 Inland water",
        "公路 Road", "海运段 SOLAS VGM", "signatory Wang Fang",
    ):  # fmt: skip
        assert expected in text, expected
    assert "卸货港 Port of discharge 卸货港" not in text and "Port of discharge)" not in text
    assert booking.consignee_address not in text.split("交付地")[1].split("运输区段")[0]
    taken = [e.at for e in booking.events if e.type.name == "CONFIRMED"][0]
    assert waybills.local_stamp(taken) in text
    words = _words(pdf, tmp_path)
    assert _in_box(words, ["交付地"], "鹿特丹")
    assert _in_box(words, ["卸货港"], "鹿特丹")
    assert _in_box(words, ["接管地"], "汉滨区")
    assert _in_box(words, ["装货港"], "上海(洋山)")
    assert waybills.originals_for(booking) == 3
    booking.negotiable = False
    assert waybills.originals_for(booking) == 1


@needs_poppler
def test_the_multimodal_port_of_discharge_defaults_to_the_destination_port(
    db_session, full, tmp_path
):
    """A WHSEA booking that names no port of discharge is discharged at its destination port:
    the document prints that port, never the route's sea leg's "port of discharge" words."""
    booking = full("WHSEA", destination="SGSIN")
    booking.port_of_discharge = None
    db_session.commit()
    pdf = _pdf(db_session, booking)
    words = _words(pdf, tmp_path)
    assert _in_box(words, ["卸货港"], "新加坡")
    assert _in_box(words, ["交付地"], "新加坡")
    text = " ".join(_text(pdf, tmp_path).split())
    legs = text.split("运输区段")[1].split("货物品名")[0]
    assert "新加坡 Singapore (SGSIN)" in legs  # the sea leg ends at the port
    assert "Port of discharge" not in legs


@needs_poppler
@pytest.mark.parametrize("route", ["XAEU", "EAST", "WHSEA"])
def test_a_hub_booking_has_no_feeder_row(db_session, full, tmp_path, route):
    hub = full(route, origin="HK")
    text = " ".join(_text(_pdf(db_session, hub), tmp_path).split())
    assert "公路 Road" not in text
    assert "恒口 Hengkou → 恒口" not in text and "Hengkou hub → 恒口" not in text
    station = full(route, origin="HB")
    assert "公路 Road 汉滨区 Hanbin" in " ".join(_text(_pdf(db_session, station), tmp_path).split())


@needs_poppler
@pytest.mark.parametrize("route", ["XAEU", "EAST", "WHSEA"])
def test_the_barcode_and_qr_code_decode(db_session, full, tmp_path, route):
    booking = full(route)
    waybill = waybills.latest(db_session, booking.id)
    scanned = _scan(_pdf(db_session, booking), tmp_path)
    assert f"CODE-128:{waybill.number}" in scanned
    assert f"QR-Code:{waybills.verify_url(waybill)}" in scanned


@needs_poppler
@pytest.mark.parametrize("route", ["XAEU", "EAST", "WHSEA"])
def test_forty_containers_continue_on_a_sheet_with_the_header(
    db_session, confirmed, tmp_path, artefacts, route
):
    booking = confirmed(route, lines=(("22G1", 40),))
    pdf = _pdf(db_session, booking)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    number = waybills.latest(db_session, booking.id).number
    first, second = (" ".join(page.extract_text().split()) for page in pages)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    for header in (number, "副本 COPY", booking.reference, "续页 Continuation sheet"):
        assert header in second, header
    text = first + second
    assert all(c.number in text for c in booking.containers)
    _assert_set_cleanly(_words(pdf, tmp_path))
    if route == "XAEU":
        _save_png(pdf, artefacts, "xaeu-40-containers")


LONG_WORDS = "Alashankou Rotterdam Małaszewicze Intermodal Zamyn-Üüd Transportgesellschaft"


def _longest(length: int) -> str:
    """Words up to exactly ``length`` characters, the longest allowed value of a column."""
    text = (LONG_WORDS + " ") * (length // len(LONG_WORDS) + 1)
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


@needs_poppler
@pytest.mark.parametrize("route", ["XAEU", "EAST", "WHSEA"])
def test_the_longest_values_stay_in_their_boxes(db_session, full, tmp_path, artefacts, route):
    booking = full(route)
    booking.consignee_name = _longest(128)
    booking.consignee_address = _longest(255)
    booking.notify_name, booking.notify_address = _longest(128), _longest(255)
    booking.cargo_description = _longest(255)
    booking.package_marks = _longest(255)
    booking.dg_proper_shipping_name = _longest(255)
    booking.dg_emergency_contact = _longest(128)
    booking.company.name = _longest(128)
    booking.package_count = 999_999
    booking.sea_vessel, booking.ocean_booking_no = _longest(64), "X" * 35
    for container in booking.containers:
        container.seal_no, container.wagon_no = "S" * 20, "9" * 12
        container.vgm_certified_by = _longest(64)
    db_session.commit()
    pdf = _pdf(db_session, booking, copy=False, original_no=3, originals=3)
    _save_png(pdf, artefacts, f"{route.lower()}-longest")
    words = _words(pdf, tmp_path)
    _assert_set_cleanly(words)
    printed = {w[0] for w in words}
    for word in ("Alashankou", "Rotterdam", "Transportgesellschaft", "S" * 20, "9" * 12):
        assert word in printed, word
    assert "正本" in printed and "ORIGINAL" in printed and "3/3" in printed


def test_a_copy_unless_printed_as_an_original(db_session, full, tmp_path):
    booking = full("XAEU")
    copy = " ".join(_text(_pdf(db_session, booking), tmp_path).split())
    assert "副本 COPY" in copy and "ORIGINAL" not in copy
    original = _pdf(db_session, booking, copy=False, original_no=1, originals=1)
    text = " ".join(_text(original, tmp_path).split())
    assert "正本 ORIGINAL 1/1" in text and "COPY" not in text


@needs_poppler
@pytest.mark.parametrize(
    ("route", "label"),
    [("XAEU", ["23", "运费及杂费"]), ("EAST", ["运费", "Charges"]),
     ("WHSEA", ["运费及其支付"])],
)  # fmt: skip
def test_the_charges_box_prints_the_priced_lines_and_who_pays(
    db_session, full, make_tariff, tmp_path, route, label
):
    currency = "CNY" if route == "EAST" else "USD"
    for group in ("20", "40"):  # the booking has a 22G1 and a 45G1
        if route == "XAEU":
            make_tariff(route, group, "1000.10", leg_seq=1, currency=currency, dg="0.20")
            make_tariff(route, group, "2000.20", leg_seq=2, currency=currency)
        else:
            make_tariff(route, group, "3000.30", currency=currency, dg="0.20")
    booking = full(route)
    booking.payment_term = PaymentTerm.COL
    pricing.booking_charges(db_session, booking, day=local_today())
    db_session.commit()
    text = " ".join(_text(_pdf(db_session, booking), tmp_path).split())
    # A 20 ft and a 40 ft box of paint: the freight per box and the dangerous-goods surcharge.
    assert f"合计 Total 6,001.00 {currency}" in text, text
    assert "1 × 0.20 = 0.20" in text
    assert "到付 · 收货人付 Collect · payable by the consignee" in text
    words = _words(_pdf(db_session, booking), tmp_path)
    assert _in_box(words, label, "运费"), label

    booking.charges = booking.charges_currency = booking.charges_total = None
    db_session.commit()
    text = " ".join(_text(_pdf(db_session, booking), tmp_path).split())
    assert "按协议 As agreed" in text and "合计 Total 6,001.00" not in text
