"""Documents in a real browser: a shipper attaches a packing list through the booking's page
(a multipart form from Chromium, with its CSRF token), sees a renamed file refused beside
the file input, downloads the document as a file, and removes it after the confirmation
page; in Chinese and in English."""

import pytest
from playwright.sync_api import expect

from dryport.models import Role
from tests.browser.conftest import assert_fits, sign_in, text
from tests.conftest import PASSWORD, PDF

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_shipper_attaches_downloads_and_removes_a_document(
    app, live_server, open_page, make_user, make_booking, lang, tmp_path
):
    shipper = make_user(Role.SHIPPER)
    booking = make_booking(shipper.company)
    page = open_page(PHONE, lang=lang)
    sign_in(page, lang, shipper.email, PASSWORD)
    page.goto(f"/bookings/{booking.reference}")

    renamed = tmp_path / "invoice.pdf"
    renamed.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    page.select_option("#document-kind", "PACKING_LIST")
    page.set_input_files("#document-file", str(renamed))
    page.get_by_role("button", name=text(lang, "Upload"), exact=True).click()
    expect(page.locator("#document-file-error")).to_contain_text(
        text(lang, "Only PDF, JPEG or PNG files are accepted; this file is none of them.")
    )
    assert_fits(page)

    packing_list = tmp_path / "装箱单 12月.pdf"
    packing_list.write_bytes(PDF)
    page.set_input_files("#document-file", str(packing_list))
    page.get_by_role("button", name=text(lang, "Upload"), exact=True).click()
    documents = page.locator("#documents")
    expect(documents.get_by_role("link", name="装箱单 12月.pdf")).to_be_visible()
    expect(documents).to_contain_text(text(lang, "Packing list"))
    assert_fits(page)

    with page.expect_download() as download:
        documents.get_by_role("link", name="装箱单 12月.pdf").click()
    assert download.value.suggested_filename == "装箱单 12月.pdf"
    assert download.value.path().read_bytes() == PDF

    documents.get_by_role("button", name=text(lang, "Remove")).click()
    page.get_by_role("button", name=text(lang, "Yes, remove the document")).click()
    expect(page.locator(".flash.success")).to_contain_text(text(lang, "Document removed."))
    expect(page.locator("#documents")).to_contain_text(text(lang, "No documents attached yet."))
