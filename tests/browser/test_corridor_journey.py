"""Choosing a corridor in a real browser: a county shipper compares the three routes for two
20 ft boxes to Hamburg, ranks them by price, opens "Book this" on the cheapest, finds the form
filled in and the price shown before booking, and the booking keeps that price; in Chinese and
in English, on a phone and on a desktop."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dryport.models import Booking, Role
from dryport.services.clock import local_today
from tests.browser.conftest import assert_fits, assert_no_chinese, screenshot, sign_in, text
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize(("lang", "viewport"), [("zh", DESKTOP), ("en", PHONE)])
def test_a_shipper_compares_the_corridors_and_books_the_cheapest_with_its_price(
    app, db_session, live_server, open_page, make_user, make_departure, make_tariff, lang,
    viewport,
):  # fmt: skip
    since = local_today() - timedelta(days=10)
    make_tariff("WHSEA", "20", "1650.00", currency="USD", valid_from=since)
    make_tariff("XAEU", "20", "180.00", leg_seq=1, currency="USD", valid_from=since)
    make_tariff("XAEU", "20", "3200.00", leg_seq=2, currency="USD", valid_from=since)
    sea = make_departure("WHSEA", days=6, capacity=40, service_no="WH0612")
    make_departure("XAEU", days=8, capacity=40, service_no="X8612",
                   border_crossing="AKA-DOS")  # fmt: skip
    make_departure("EAST", days=5, capacity=40, service_no="E0612")  # no tariff, no Hamburg
    shipper = make_user(Role.SHIPPER, name="Li Na")

    page = open_page(viewport, lang=lang)
    sign_in(page, lang, shipper.email, PASSWORD)
    page.goto("/")
    page.get_by_role("link", name=text(lang, "Compare corridors")).first.click()
    page.select_option("#origin_station", "PL")
    page.select_option("#destination", "DEHAM")
    page.select_option("#size_type", "22G1")
    page.fill("#quantity", "2")
    page.fill("#gross_weight_kg", "36000")
    page.select_option("#sort", "price")
    page.get_by_role("button", name=text(lang, "Compare"), exact=True).click()

    cards = page.locator("li.corridor")
    expect(cards).to_have_count(3)
    cheapest = cards.first  # 2 × 1,650.00 USD by Wuhan and the sea, before 2 × 3,380.00
    expect(cheapest).to_contain_text("WH0612")
    expect(cheapest).to_contain_text("3,300.00 USD")
    expect(cards.nth(1)).to_contain_text("6,760.00 USD")
    expect(cards.nth(2)).to_contain_text("EAST")  # it does not go to Hamburg
    expect(cheapest.locator("svg").first).to_be_visible()  # each number drawn
    assert_fits(page)
    if lang == "en":
        assert_no_chinese(page, ("Li Na",))
    screenshot(page, "13-corridors" + ("-en" if lang == "en" else ""))

    cheapest.get_by_role("link", name=text(lang, "Book this")).click()
    expect(page.locator("#departure_id")).to_have_value(str(sea.id))
    expect(page.locator("#origin_station")).to_have_value("PL")
    expect(page.locator("[name='containers.0.quantity']")).to_have_value("2")
    expect(page.locator("#quote")).to_contain_text("3,300.00 USD")  # known before booking
    page.fill("[name='consignee.name']", "Hamburg Süd Logistik GmbH")
    page.fill("[name='consignee.address']", "Am Sandtorkai 1, Hamburg")
    page.fill("[name='cargo.description']", "Selenium-rich green tea")
    page.fill("[name='cargo.hs_code']", "090210")
    page.fill("[name='cargo.packages.count']", "1200")
    page.select_option("[name='cargo.packages.kind']", "CT")
    page.get_by_role("button", name=text(lang, "Book"), exact=True).click()

    expect(page.locator(".charges-card")).to_contain_text("3,300.00 USD")
    db_session.rollback()  # a fresh read: the server wrote it
    booking = db_session.scalar(select(Booking))
    assert booking.departure_id == sea.id and booking.charges["total"] == "3300.00"
