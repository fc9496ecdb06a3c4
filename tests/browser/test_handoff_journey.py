"""The hand-off in a real browser: the hub's clerk, on a tablet, opens the link of a waybill's
QR code, records a container's gate-in with its seal check in two taps, and the shipper's
booking page (phone and desktop) shows where the container is; in Chinese and in English."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dryport.models import Role, VgmMethod
from dryport.services import loading, operations, waybills
from dryport.services.clock import utcnow
from dryport.services.containers import make_number
from tests.browser.conftest import assert_fits, assert_no_chinese, screenshot, sign_in, text
from tests.conftest import PASSWORD

TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_hub_records_a_gate_in_from_the_qr_link_and_the_shipper_sees_it(
    app, db_session, live_server, open_page, make_user, make_departure, make_booking, lang
):
    shipper = make_user(Role.SHIPPER, name="Li Na")
    departs = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    departure = make_departure("EAST", departs_at=departs, service_no="E2612")
    booking = make_booking(
        shipper.company, departure=departure, origin="HB", lines=(("22G1", 2),),
        gross_weight_kg=Decimal(24000),
    )  # fmt: skip
    numbers = [make_number("TGH", 31), make_number("TGH", 32)]
    loading.confirm_load(db_session, make_user(Role.CLERK, station="HB"), booking.reference, [{
        "number": n, "size_type": "22G1", "seal": f"AK10{i}", "tare_kg": 2300, "vgm_kg": 14300,
        "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    } for i, n in enumerate(numbers)])  # fmt: skip
    db_session.commit()
    operations.depart(db_session, make_user(Role.OPERATOR), departure.id)  # the truck left
    db_session.commit()
    waybill = waybills.latest(db_session, booking.id)
    hub_clerk = make_user(Role.CLERK, station="HK", name="Zhao Gang")

    tablet = open_page(TABLET, touch=True, lang=lang)
    sign_in(tablet, lang, hub_clerk.email, PASSWORD)
    tablet.goto(f"/verify/{waybill.number}?t={waybill.token}")  # what the QR code opens
    expect(tablet.locator(".verify")).to_contain_text(text(lang, "Genuine"))
    tablet.get_by_role("link", name=text(lang, "Record a hand-off")).click()
    expect(tablet.locator("h1")).to_contain_text(booking.reference)
    card = tablet.locator(f"#c-{numbers[0]}")
    # tap 1: the event (gate-in is chosen already); tap 2: the seal is intact
    tablet.get_by_text(text(lang, "Gate in"), exact=True).click()
    card.get_by_role("button", name=text(lang, "Seal intact")).click()
    expect(tablet.locator(".flash.success")).to_contain_text(numbers[0])
    expect(tablet.locator(f"#c-{numbers[0]}")).to_contain_text(text(lang, "Gate in"))
    assert_fits(tablet)
    if lang == "en":
        assert_no_chinese(tablet)
    screenshot(tablet, "11-handoff-tablet" + ("-en" if lang == "en" else ""))

    for viewport, name in ((PHONE, "12-booking-tracking-phone"), (DESKTOP, "12-booking-tracking")):
        page = open_page(viewport, lang=lang)
        sign_in(page, lang, shipper.email, PASSWORD)
        page.goto(f"/bookings/{booking.reference}")
        tracking = page.locator("#tracking")
        container = tracking.locator(".container-status li", has_text=numbers[0])
        expect(container).to_contain_text(text(lang, "Gate in"))
        expect(container).to_contain_text("Hengkou hub" if lang == "en" else "恒口枢纽")
        expect(tracking.locator('[aria-current="step"]')).to_contain_text(text(lang, "Underway"))
        assert_fits(page)
        if lang == "en":
            assert_no_chinese(page, ("Li Na",))
        screenshot(page, name + ("-en" if lang == "en" else ""))
