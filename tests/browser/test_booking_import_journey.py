"""Bulk upload in a real browser: a shipper downloads the template, fills in two more rows,
uploads it (the page shows the sending and checking), sees a refused row named with its
column, corrects the file, confirms, and finds the bookings listed; in Chinese on a laptop
and in English on a phone."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from dryport.models import Role
from tests.browser.conftest import assert_fits, screenshot, sign_in, text
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _filled(template: bytes, hs_code: str) -> bytes:
    """The template with two more bookings like its example, the last with ``hs_code``."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    example = [cell.value for cell in sheet[2]]
    consignees = ("宁波北仑国际物流有限公司", "Rotterdam Rail Terminal B.V.")
    for consignee, code in zip(consignees, ("090230", hs_code), strict=True):
        line = list(example)
        line[3], line[8] = consignee, code
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("lang", "viewport"), [("zh", LAPTOP), ("en", PHONE)])
def test_a_shipper_uploads_checks_and_books_a_file(
    app, live_server, open_page, make_user, make_departure, lang, viewport, tmp_path
):
    make_departure("EAST", days=12, capacity=40)
    shipper = make_user(Role.SHIPPER)
    page = open_page(viewport, lang=lang)
    sign_in(page, lang, shipper.email, PASSWORD)
    page.goto("/bookings/")
    page.get_by_role("link", name=text(lang, "Upload bookings")).first.click()
    expect(page.get_by_role("heading", name=text(lang, "Upload bookings"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name=text(lang, "Download the template (Excel)")).click()
    template = download.value.path().read_bytes()

    bad = tmp_path / "bookings-bad.xlsx"
    bad.write_bytes(_filled(template, "0902"))
    page.set_input_files("#import-file", str(bad))
    page.get_by_role("button", name=text(lang, "Check the file")).click()
    rows = page.locator("table.import-rows")
    expect(rows).to_contain_text(text(lang, "An HS code has 6, 8 or 10 digits."))
    expect(rows.locator("tr.refused td").first).to_have_text("4")
    expect(rows.locator("tr.ok")).to_have_count(2)
    book_all = text(lang, "Book them all (%(n)d)", n=3)
    expect(page.get_by_role("button", name=book_all)).to_have_count(0)
    assert_fits(page)
    screenshot(page, "17-booking-upload" if lang == "zh" else "17-booking-upload-phone-en")

    good = tmp_path / "bookings.xlsx"
    good.write_bytes(_filled(template, "090240"))
    page.set_input_files("#import-file", str(good))
    page.get_by_role("button", name=text(lang, "Check the file")).click()
    confirm = page.get_by_role("button", name=book_all)
    expect(confirm).to_be_visible()
    expect(page.locator("table.import-rows tr.ok")).to_have_count(3)
    assert_fits(page)
    if lang == "zh":
        screenshot(page, "17-booking-upload-checked")

    confirm.click()
    expect(page.locator(".flash.success")).to_contain_text(
        text(lang, "Bookings created from the file: %(n)d.", n=3)
    )
    expect(page.locator("main table tbody tr")).to_have_count(3)  # the bookings listed
    assert page.url.endswith("/bookings/")
    page.locator("main table tbody tr a").first.click()
    expect(page.locator("main")).to_contain_text("Rotterdam Rail Terminal B.V.")  # the newest
