"""Waybills: issued on confirmation, re-issued on a roll, printed per route's document type
with every field in both languages, a Code 128 barcode and a QR code that scanners read, and
verifiable by anyone holding the paper."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from dryport.models import Role
from dryport.pdf.fonts import cjk_font
from dryport.pdf.waybill import render
from dryport.services import operations, rolls, waybills
from dryport.services.clock import LOCAL_TZ


def _text(pdf: bytes) -> str:
    """The PDF's text with each run of whitespace one space (box text wraps anywhere)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


EVERYWHERE = (
    "发货人", "Consignor", "收货人", "Consignee", "通知方", "Notify party", "货物",
    "Description of goods", "Gross mass", "集装箱", "箱号 Container no.",
    "铅封号 Seal no.", "皮重 Tare", "VGM kg", "Totals", "Place and date of issue",
    "运单号 Waybill No.", "订舱号 Booking", "核验 Verify", "Notify GmbH",
    "Duisburg Intermodal GmbH", "090210", "USCC", "2 箱 units", "3 TEU", "12,000.0",
    "安康恒口 Hengkou, Ankang", "铁路 Rail", "副本 COPY", "Page 1 of 1",
)  # fmt: skip
BY_TYPE = {
    "XAEU": ("CIM/SMGS 国际铁路货物联运运单", "CIM/SMGS common consignment note", "1 发货人",
             "4 收货人", "2 发站", "Station of departure", "5 到站", "Station of destination",
             "6 国境口岸站", "Border crossing", "7 车辆 Вагон Wagon no.", "19 封印",
             "21 确定重量方法",
             "杜伊斯堡 Duisburg (DEDUI)", "汉滨区 Hanbin"),
    "EAST": ("铁路货物托运单", "Consignment order", "Station of departure",
             "Station of destination", "宁波舟山港(北仑) Ningbo-Zhoushan (Beilun) (CNNGB)",
             "车次及发车 Train and departure", "运费 Charges", "运到期限"),
    "WHSEA": ("多式联运单据", "Multimodal transport document", "接管地 Place of receipt",
              "交付地 Place of delivery", "不可转让 Non-negotiable", "公路 Road", "铁路 Rail",
              "内河 Inland water", "海运 Sea", "汉滨区 Hanbin",
              "武汉(阳逻) Wuhan (Yangluo) (CNWUH)",
              "海运段"),
}  # fmt: skip


@pytest.mark.parametrize("route", sorted(BY_TYPE))
def test_every_field_of_each_document_type_in_both_languages(db_session, confirmed, route):
    booking = confirmed(route)
    waybill = waybills.latest(db_session, booking.id)
    text = _text(waybills.render_pdf([waybill]))
    departs = booking.departure.departs_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    for expected in (
        *EVERYWHERE,
        *BY_TYPE[route],
        booking.departure.service_no,
        departs,
        waybill.number,
        booking.reference,
        *(c.number for c in booking.containers),
        *(c.seal_no for c in booking.containers),
    ):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(waybills.render_pdf([waybill]))).pages) == 1


def test_numbers_run_per_route(db_session, confirmed):
    first, second, other = confirmed("XAEU"), confirmed("XAEU", days=9), confirmed("EAST")
    numbers = [waybills.latest(db_session, b.id).number for b in (first, second, other)]
    assert numbers[0].startswith("WB-XAEU-") and numbers[0].endswith("-0001")
    assert numbers[1].endswith("-0002")
    assert numbers[2].startswith("WB-EAST-") and numbers[2].endswith("-0001")


def test_a_roll_reissues_and_the_old_revision_is_superseded(
    app, db_session, confirmed, make_departure, make_user
):
    booking = confirmed("EAST")
    first = waybills.latest(db_session, booking.id)
    target = make_departure("EAST", days=20)
    rolls.roll_booking(db_session, make_user(Role.OPERATOR), booking.reference, target.id)
    db_session.commit()
    second = waybills.latest(db_session, booking.id)
    assert (second.number, second.revision) == (first.number, 2)
    assert waybills.verify(db_session, first.number, first.token).superseded
    assert not waybills.verify(db_session, second.number, second.token).superseded
    assert first.token != second.token


def test_the_token_is_an_hmac_of_number_and_revision(app, db_session, confirmed):
    import hashlib
    import hmac

    waybill = waybills.latest(db_session, confirmed().id)
    expected = hmac.new(
        app.config["SECRET_KEY"].encode(),
        f"waybill:{waybill.number}:{waybill.revision}".encode(),
        hashlib.sha256,
    ).hexdigest()[:32]
    assert waybill.token == expected


def test_the_verification_page(client, db_session, confirmed):
    booking = confirmed("XAEU")
    waybill = waybills.latest(db_session, booking.id)
    page = client.get(f"/verify/{waybill.number}?t={waybill.token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "真实有效" in text and "安西欧班列" in text and "已确认" in text
    assert booking.consignee_name not in text and booking.cargo_description not in text
    assert booking.company.name not in text
    assert client.get(f"/verify/{waybill.number}?t={'0' * 32}").status_code == 404
    assert client.get(f"/verify/{waybill.number}").status_code == 404
    assert client.get(f"/verify/WB-XAEU-0000-0000?t={waybill.token}").status_code == 404


def test_a_superseded_paper_says_so(client, db_session, confirmed, make_departure, make_user):
    booking = confirmed("EAST")
    old = waybills.latest(db_session, booking.id)
    rolls.roll_booking(
        db_session, make_user(Role.OPERATOR), booking.reference, make_departure("EAST", days=30).id
    )
    db_session.commit()
    text = client.get(f"/verify/{old.number}?t={old.token}").get_data(as_text=True)
    assert "已被取代" in text and "第 2 版" in text


def test_the_barcode_and_qr_code_scan_to_the_number_and_the_verify_url(
    db_session, confirmed, tmp_path
):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm and zbarimg are needed (poppler-utils, zbar-tools)")
    waybill = waybills.latest(db_session, confirmed("WHSEA").id)
    (tmp_path / "w.pdf").write_bytes(waybills.render_pdf([waybill]))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            str(tmp_path / "w.pdf"),  # noqa: S607
            str(tmp_path / "page"),
        ],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", str(tmp_path / "page-1.png")],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout.split()
    assert f"CODE-128:{waybill.number}" in scanned
    assert f"QR-Code:{waybills.verify_url(waybill)}" in scanned
    assert waybills.verify_url(waybill).endswith(f"/verify/{waybill.number}?t={waybill.token}")


def test_the_builtin_cid_font_keeps_text_extractable(db_session, confirmed):
    waybill = waybills.latest(db_session, confirmed("EAST").id)
    doc = waybills.document(waybill)
    fallback = cjk_font("/no/such/font.ttf")
    assert fallback == "STSong-Light"
    text = _text(render([doc], fallback))
    assert "铁路货物托运单" in text and waybill.number in text


def test_a_departure_prints_as_one_pdf_page_per_confirmed_booking(
    db_session, confirmed, make_departure, make_booking
):
    departure = make_departure("EAST")
    for _ in range(3):
        confirmed("EAST", departure=departure)
    make_booking(confirmed.shipper.company, departure=departure)  # not confirmed: no waybill
    found = waybills.departure_waybills(db_session, departure.id)
    pdf = waybills.render_pdf(found)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    text = _text(pdf)
    assert all(w.number in text for w in found)


def test_who_may_download_which_waybill(client, auth, db_session, confirmed, make_user, api_token):
    booking = confirmed("EAST")
    owner = api_token(confirmed.shipper.email)
    stranger = api_token(make_user(Role.SHIPPER).email)
    operator = api_token(make_user(Role.OPERATOR).email)
    clerk = api_token(make_user(Role.CLERK, station="HB").email)
    path = f"/api/v1/bookings/{booking.reference}/waybill.pdf"
    mine = client.get(path, headers=owner)
    assert mine.status_code == 200 and mine.mimetype == "application/pdf"
    assert mine.data.startswith(b"%PDF")
    assert "副本 COPY" in _text(mine.data) and "ORIGINAL" not in _text(mine.data)
    assert client.get(path, headers=stranger).status_code == 404
    assert client.get(path, headers=operator).status_code == 200
    assert client.get(path, headers=clerk).status_code == 403
    batch = f"/api/v1/departures/{booking.departure_id}/waybills.pdf"
    assert client.get(batch, headers=operator).status_code == 200
    assert client.get(batch, headers=owner).status_code == 403
    unconfirmed = make_user(Role.SHIPPER)
    assert (
        client.get(
            "/api/v1/bookings/HK0000-00000/waybill.pdf", headers=api_token(unconfirmed.email)
        ).status_code
        == 404
    )


def test_the_pages_offer_the_pdf(client, auth, db_session, confirmed, make_user):
    booking = confirmed("XAEU")
    auth.login(confirmed.shipper.email)
    detail = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert f"/bookings/{booking.reference}/waybill.pdf" in detail
    assert client.get(f"/bookings/{booking.reference}/waybill.pdf").mimetype == "application/pdf"
    auth.logout()
    auth.login(make_user(Role.OPERATOR).email)
    page = client.get(f"/operations/departures/{booking.departure_id}").get_data(as_text=True)
    assert "waybills.pdf" in page
    pdf = client.get(f"/operations/departures/{booking.departure_id}/waybills.pdf")
    assert pdf.mimetype == "application/pdf"


def test_a_booking_with_many_containers_continues_on_more_sheets(db_session, confirmed):
    booking = confirmed("EAST", lines=(("22G1", 40),))
    waybill = waybills.latest(db_session, booking.id)
    pdf = waybills.render_pdf([waybill])
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    text = _text(pdf)
    assert "续页 Continuation sheet" in pages[1].extract_text()
    assert all(c.number in text for c in booking.containers)


@pytest.mark.parametrize("token", ["é" * 32, "x", "0" * 33, "ＡＢ", "%00", "'" * 32])
def test_odd_tokens_are_simply_not_found(client, db_session, confirmed, token):
    waybill = waybills.latest(db_session, confirmed().id)
    assert client.get(f"/verify/{waybill.number}", query_string={"t": token}).status_code in (
        404,
        422,
    )


def test_a_cancelled_bookings_waybill_verifies_as_void(client, db_session, confirmed):
    from dryport.services import bookings

    booking = confirmed("EAST")
    waybill = waybills.latest(db_session, booking.id)
    bookings.cancel_booking(db_session, confirmed.shipper, booking.reference)
    db_session.commit()
    text = client.get(f"/verify/{waybill.number}?t={waybill.token}").get_data(as_text=True)
    assert "作废" in text and "真实有效" not in text


def test_replanning_the_train_reissues_its_waybills(db_session, confirmed, make_user):
    booking = confirmed("EAST")
    first = waybills.latest(db_session, booking.id)
    departure = booking.departure
    operations.update_departure(
        db_session,
        make_user(Role.OPERATOR),
        departure.id,
        {"service_no": "X9099", "version": departure.version},
    )
    db_session.commit()
    second = waybills.latest(db_session, booking.id)
    assert second.revision == first.revision + 1
    assert "X9099" in _text(waybills.render_pdf([second]))
    capacity_only = operations.update_departure(
        db_session,
        make_user(Role.OPERATOR),
        departure.id,
        {"capacity_teu": 90, "version": departure.version},
    )
    db_session.commit()
    assert capacity_only and waybills.latest(db_session, booking.id).revision == 2


def test_dangerous_goods_and_reefer_are_printed(db_session, confirmed):
    booking = confirmed(
        "WHSEA", lines=(("22R1", 1),), un_number="UN1263", dg_class="3", reefer_temp_c=-18,
        dg_packing_group="III", dg_proper_shipping_name="PAINT",
        dg_emergency_contact="+86 915 321 0000",
    )  # fmt: skip
    text = _text(waybills.render_pdf([waybills.latest(db_session, booking.id)]))
    assert "UN1263" in text and "class 3" in text and "-18" in text
    assert "PAINT" in text and "PG III" in text and "+86 915 321 0000" in text
    assert booking.company.name in text and "签发地点及日期" in text


def test_the_destination_and_packages_are_printed_not_the_containers(db_session, confirmed):
    booking = confirmed("XAEU", destination="PLLOD", package_marks="HK/LODZ 1-600")
    pdf = waybills.render_pdf([waybills.latest(db_session, booking.id)])
    text = _text(pdf)
    assert "罗兹 Łódź (PLLOD)" in text
    assert "600 CT 纸箱 Carton · 唛头 marks HK/LODZ 1-600" in text
    assert "箱 containers" not in text
    # ź and ó are not in the CJK font: they are set in the Latin one, not left as holes
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DryportLatin" in name or "DejaVu" in name for name in fonts), fonts


def test_a_booking_from_before_packages_says_they_are_not_stated(db_session, confirmed):
    booking = confirmed("EAST", package_count=None, package_kind=None)
    text = _text(waybills.render_pdf([waybills.latest(db_session, booking.id)]))
    assert "未填写 Not stated" in text


def test_a_stranger_gets_404_for_the_web_pdf_too(client, auth, confirmed, make_user):
    booking = confirmed("EAST")
    auth.login(make_user(Role.SHIPPER).email)
    assert client.get(f"/bookings/{booking.reference}/waybill.pdf").status_code == 404


def test_a_train_number_in_chinese_still_downloads(
    client, auth, db_session, confirmed, make_user, make_departure
):
    departure = make_departure("EAST", service_no="东向1号")
    confirmed("EAST", departure=departure)
    auth.login(make_user(Role.OPERATOR).email)
    response = client.get(f"/operations/departures/{departure.id}/waybills.pdf")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert header.isascii() and "filename*=UTF-8''" in header


def test_a_waybill_prints_beijing_time_with_its_offset(db_session, confirmed):
    booking = confirmed("EAST")
    waybill = waybills.latest(db_session, booking.id)
    text = _text(waybills.render_pdf([waybill]))
    for moment in (booking.departure.departs_at, waybill.issued_at):
        local = moment.astimezone(LOCAL_TZ)
        assert f"{local:%Y-%m-%d %H:%M} +08:00" in text
