"""End-to-end journeys in a real browser, through the pages only: a shipper registers and
books, the origin station's clerk confirms the load on a tablet, an operator prints the
waybill, departs the train and opens the monthly report; the whole story in Chinese, then
again in English after switching the language. Each story's steps are tests that run in
order on the data the previous step left (``shared_data``); people and departures that the
story needs before its step are made by the suite's factories."""

import io
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from dryport.models import Role
from dryport.schemas.bookings import BookingCreateSchema
from dryport.services import bookings, credit_codes
from dryport.services.clock import local_today
from dryport.services.containers import make_number
from tests.browser.conftest import (
    CJK,
    TABLET,
    assert_fits,
    assert_no_chinese,
    choose_language,
    screenshot,
    sign_in,
    text,
)
from tests.conftest import PASSWORD, cargo, destination_of


@dataclass
class Story:
    """One language's run of the journeys, and what each step leaves for the next."""

    lang: str
    route: str
    service_no: str  # the departure the shipper books
    full_service_no: str  # one on the same route with no TEU left
    other_service_no: str  # on another route
    owner_code: str  # of the container numbers the clerk records
    shipper: dict  # who registers, and what they type
    cargo: str
    busy: dict  # a company whose booking fills the full departure
    clerk_name: str
    operator_name: str
    shipper_page: Page | None = None
    reference: str | None = None

    def t(self, message: str, **values) -> str:
        return text(self.lang, message, **values)

    def check(self, page: Page) -> None:
        """What every page must be: no sideways scrolling, and in English all English."""
        assert_fits(page)
        if self.lang == "en":
            assert_no_chinese(page, data=ENTERED_IN_CHINESE)

    def shot(self, page: Page, name: str, *, in_english: bool = False) -> None:
        """A screenshot for the README: every main page in Chinese, a few in English."""
        if self.lang == "zh":
            screenshot(page, name)
        elif in_english:
            screenshot(page, f"{name}-{self.lang}")

    def needs(self, value):
        """What an earlier step left; without it, say so rather than fail obscurely."""
        if value is None:
            pytest.fail(f"an earlier step of the {self.lang} journey did not finish")
        return value


STORIES = {
    "zh": dict(
        route="EAST",
        service_no="X9301",
        full_service_no="X9303",
        other_service_no="X9302",
        owner_code="HKZ",
        shipper=dict(
            company="安康富硒茶业有限公司", code=1, name="李明", address="陕西省安康市汉阴县城关镇"
        ),
        cargo="富硒绿茶",
        busy=dict(company="紫阳魔芋食品有限公司", code=2, name="周静"),
        clerk_name="王芳",
        operator_name="陈刚",
    ),
    "en": dict(
        route="XAEU",
        service_no="X8501",
        full_service_no="X8503",
        other_service_no="X8502",
        owner_code="HKE",
        shipper=dict(
            company="Ankang Selenium Tea Co., Ltd.",
            code=3,
            name="Li Ming",
            address="Chengguan, Hanyin County, Ankang",
        ),
        cargo="Selenium-rich green tea",
        busy=dict(company="Ziyang Konjac Foods Co.", code=4, name="Zhou Jing"),
        clerk_name="Wang Fang",
        operator_name="Chen Gang",
    ),
}
# What the Chinese journey's people typed, which English pages show as it was typed.
ENTERED_IN_CHINESE = tuple(
    value
    for item in STORIES["zh"].values()
    for value in (item.values() if isinstance(item, dict) else [item])
    if isinstance(value, str) and CJK.search(value)
) + ("箱号,车号,运单号", "报关单号,放行时间")  # the CSV headings the upload hints quote as they are
STATION = "HY"  # Hanyin, a county sub-station one hour from the hub


@pytest.fixture(scope="module", params=list(STORIES))
def story(request):
    return Story(request.param, **STORIES[request.param])


def row_of(page: Page, cell: str):
    """The table row with a cell (or a link in one) that says exactly ``cell``."""
    return page.get_by_role("row").filter(has=page.get_by_text(cell, exact=True))


def credit_code(n: int) -> str:
    return credit_codes.make("91610921", f"MA{n:06d}")


def place_booking(session, shipper, departure, size_type: str, quantity: int) -> str:
    """A booking made before the journey starts, through the booking service."""
    data = BookingCreateSchema().load(
        {
            "departure_id": departure.id,
            "origin_station": "HB",
            "destination": destination_of(departure),
            "consignee": {"name": "Ningbo Port Logistics", "address": "Beilun, Ningbo"},
            "cargo": cargo(description="Konjac flour", hs_code="110620", gross_weight_kg=9000),
            "containers": [{"size_type": size_type, "quantity": quantity}],
        }
    )
    reference = bookings.place_booking(session, shipper, data).reference
    session.commit()
    return reference


@pytest.mark.shared_data
def test_a_new_shipper_registers_and_books_two_containers_from_a_sub_station(
    story, open_page, db_session, make_user, make_company, make_departure, make_tariff
):
    t = story.t
    busy = make_user(
        Role.SHIPPER,
        email=f"busy.{story.lang}@shipper.example",
        name=story.busy["name"],
        company=make_company(story.busy["company"], credit_code(story.busy["code"])),
    )
    full = make_departure(story.route, days=5, capacity=2, service_no=story.full_service_no)
    place_booking(db_session, busy, full, "42G1", 1)
    if story.route == "XAEU":  # priced leg by leg: the feeder to Xi'an, then the train
        make_tariff("XAEU", "20", "180.00", leg_seq=1, currency="USD")
        make_tariff("XAEU", "20", "3200.00", leg_seq=2, currency="USD")
        price = "6,760.00 USD"
    else:
        make_tariff(story.route, "20", "4800.00")
        price = "9,600.00 CNY"
    departure = make_departure(
        story.route, days=9, capacity=60, service_no=story.service_no,
        border_crossing="KHG-AKL" if story.route == "XAEU" else None,  # departs only with one
    )  # fmt: skip
    make_departure("WHSEA", days=12, capacity=40, service_no=story.other_service_no)

    page = story.shipper_page = open_page(lang=story.lang)
    page.goto("/")
    choose_language(page, story.lang)
    page.get_by_role("link", name=t("Register your company")).click()
    me = story.shipper
    email = f"tea.{story.lang}@shipper.example"
    for name, value in [
        ("company_name", me["company"]),
        ("credit_code", credit_code(me["code"])),
        ("address", me["address"]),
        ("name", me["name"]),
        ("phone", "0915-5212345"),
        ("email", email),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]:
        page.fill(f"[name={name}]", value)
    page.get_by_role("button", name=t("Register"), exact=True).click()
    received = t(
        "Registration received, %(name)s: sign in with your email and password. "
        "An address registered before keeps its own password.",
        name=me["name"],
    )
    expect(page.locator(".flash.success")).to_have_text(received)
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, story.lang, email, PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Departures"))
    full_row = row_of(page, story.full_service_no)
    expect(full_row.get_by_role("cell").nth(6)).to_have_text("0")
    expect(full_row.get_by_role("link", name=t("Book"), exact=True)).to_have_count(0)
    story.check(page)
    story.shot(page, "01-departures")

    row = row_of(page, story.service_no)
    expect(row.get_by_role("cell").nth(6)).to_have_text("60")
    row.get_by_role("link", name=t("Book"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Book containers"))
    expect(page.locator("#departure_id")).to_have_value(str(departure.id))
    expect(page.locator("#free-note")).to_have_text(
        t("%(free)s TEU free on this departure", free="60")
    )
    page.select_option("#origin_station", STATION)
    page.select_option("#destination", destination_of(departure))
    expect(page.locator("#cutoff-note")).not_to_be_empty()
    expect(page.locator("#cutoff-note")).not_to_have_class(re.compile("late"))
    page.select_option("[name='containers.0.size_type']", "22G1")
    page.fill("[name='containers.0.quantity']", "2")
    expect(page.locator("#teu-total")).to_have_text(t("Total: %(teu)s TEU", teu="2"))
    expect(page.locator("#quote")).to_contain_text(price)  # priced by the server as typed
    page.fill("[name='consignee.name']", "Ningbo Beilun International Container Terminal")
    page.fill("[name='consignee.address']", "Beilun, Ningbo, Zhejiang")
    page.fill("[name='cargo.description']", story.cargo)
    page.fill("[name='cargo.hs_code']", "090210")
    page.fill("[name='cargo.gross_weight_kg']", "24000")
    page.fill("[name='cargo.packages.count']", "960")
    page.select_option("[name='cargo.packages.kind']", "BG")
    # The declaration's inputs show only on "yes"; "no" stays the answer here.
    expect(page.locator("#dg-fields")).to_be_hidden()
    page.check("[name='cargo.has_dangerous_goods'][value=true]")
    expect(page.locator("#dg-fields")).to_be_visible()
    page.check("[name='cargo.has_dangerous_goods'][value=false]")
    expect(page.locator("#dg-fields")).to_be_hidden()
    story.check(page)
    story.shot(page, "02-booking-form")
    page.get_by_role("button", name=t("Book"), exact=True).click()

    status = page.locator("h1 .status")
    expect(status).to_have_text(t("Received"))
    story.reference = page.url.rsplit("/", 1)[1]
    expect(page.locator(".flash.success")).to_have_text(
        t(
            "Booking %(reference)s received: %(teu)s TEU held on %(service)s.",
            reference=story.reference,
            teu="2",
            service=story.service_no,
        )
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        t("Booking %(reference)s", reference=story.reference)
    )
    timeline = page.locator(".timeline li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text(t("Booking received"))
    expect(timeline.first).to_contain_text(f"2 TEU · {story.service_no}")
    expect(page.locator(".charges-card")).to_contain_text(price)
    story.check(page)
    story.shot(page, "03-booking-received")


@pytest.mark.shared_data
def test_the_station_clerk_confirms_the_load_on_a_tablet_after_a_check_digit_hint(
    story, open_page, make_user
):
    t = story.t
    reference = story.needs(story.reference)
    clerk = make_user(
        Role.CLERK,
        email=f"clerk.hy.{story.lang}@dryport.example",
        name=story.clerk_name,
        station=STATION,
    )
    page = open_page(TABLET, touch=True, lang=story.lang)
    sign_in(page, story.lang, clerk.email, PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Load queue"))
    row = row_of(page, reference)
    expect(row).to_contain_text("2 × 22G1")
    story.check(page)
    story.shot(page, "04-station-queue-tablet")
    row.get_by_role("link", name=t("Check load")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        t("Check load %(reference)s", reference=reference)
    )
    first, second = make_number(story.owner_code, 1001), make_number(story.owner_code, 1002)
    mistyped = second[:-1] + str((int(second[-1]) + 1) % 10)
    # Pasted from the yard sheet: the page's script fills the rows as it is typed, once it
    # has run (it is deferred: the heading can show before it listens).
    page.wait_for_load_state("domcontentloaded")
    page.fill("#numbers", f"{first}\n{mistyped}")
    number = [page.locator(f"[id='containers.{i}.number']") for i in range(2)]
    expect(number[0]).to_have_value(first)
    expect(number[1]).to_have_value(mistyped)
    for i in range(2):
        page.fill(f"[id='containers.{i}.seal']", f"SL{story.lang.upper()}70{i}")
        page.fill(f"[id='containers.{i}.tare_kg']", "2300")
        page.fill(f"[id='containers.{i}.vgm_kg']", "14300")
        page.fill(f"[id='containers.{i}.vgm_certified_by']", "王芳")
        # the running weighed total, Σ (VGM − tare), beside the declared 24,000 kg
        expect(page.locator("#weighed-total")).to_have_text(f"{12_000 * (i + 1):,}")
    page.get_by_role("button", name=t("Confirm load")).click()

    hint = page.locator("[id='containers.1.number-error']")
    expect(hint).to_have_text(
        t("%(number)s: the check digit should be %(digit)s.", number=mistyped, digit=second[-1])
    )
    expect(page.locator("[id='containers.0.number-error']")).to_have_count(0)
    story.check(page)
    story.shot(page, "05-check-load-tablet", in_english=True)

    digit = re.search(r"(\d)\D*$", hint.inner_text()).group(1)
    number[1].fill(mistyped[:-1] + digit)
    page.get_by_role("button", name=t("Confirm load")).click()

    expect(page.locator(".flash.success")).to_have_text(
        t("Load of %(reference)s confirmed.", reference=reference)
    )
    expect(page.locator(".empty")).to_have_text(
        t("Nothing waiting: every load from your station is checked.")
    )

    shipper = story.needs(story.shipper_page)
    shipper.reload()
    expect(shipper.locator("h1 .status")).to_have_text(t("Confirmed"))
    expect(shipper.locator(".timeline")).to_contain_text(t("Load confirmed"))
    expect(shipper.locator(".timeline")).to_contain_text(f"{first}, {second}")
    expect(shipper.get_by_role("link", name=re.compile("PDF"))).to_be_visible()
    story.check(shipper)
    story.shot(shipper, "06-booking-confirmed", in_english=True)


@pytest.mark.shared_data
def test_the_operator_prints_the_waybill_departs_and_opens_the_monthly_report(
    story, open_page, make_user
):
    t = story.t
    reference = story.needs(story.reference)
    operator = make_user(
        Role.OPERATOR, email=f"operator.{story.lang}@dryport.example", name=story.operator_name
    )
    page = open_page(lang=story.lang)
    sign_in(page, story.lang, operator.email, PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Departures board"))
    row = row_of(page, story.service_no)
    expect(row.get_by_role("link", name=t("Waybills"))).to_be_visible()
    story.check(page)
    story.shot(page, "07-operations-board")
    row.get_by_role("link", name=story.service_no, exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(story.service_no)
    booking_row = row_of(page, reference)
    expect(booking_row).to_contain_text(t("Confirmed"))
    story.check(page)
    story.shot(page, "08-departure-detail")

    # Chromium opens the PDF in its viewer; the file itself is read with the same session.
    with page.expect_response(re.compile(r"/waybills\.pdf$")) as opened:
        page.get_by_role("link", name=t("Print manifest and waybills")).click()
    assert opened.value.ok and opened.value.header_value("content-type") == "application/pdf"
    pdf = PdfReader(io.BytesIO(page.request.get(opened.value.url).body()))
    assert len(pdf.pages) == 2  # the manifest, then the waybill
    assert reference in pdf.pages[0].extract_text()
    assert "COPY" in pdf.pages[1].extract_text()
    page.go_back()

    if story.route == "XAEU":  # an export leaves once customs released it: noted beside it
        release = page.locator(f"#release-{reference}")
        expect(release).to_contain_text(t("Awaiting customs release"))
        release.get_by_label(t("Customs declaration number")).fill("610120260000000123")
        release.get_by_role("button", name=t("Record release")).click()
        expect(page.locator(".flash.success")).to_have_text(
            t("Customs release of %(reference)s recorded.", reference=reference)
        )
        story.check(page)

    page.get_by_role("button", name=t("Record departure")).click()
    expect(page.locator(".consequences")).to_contain_text(t("This cannot be undone."))
    page.get_by_role("button", name=t("Yes, it has departed")).click()
    expect(page.locator(".flash.success")).to_have_text(
        t("Departed: its confirmed bookings are on their way.")
    )
    expect(page.locator("h1 .status")).to_have_text(t("Departed"))
    expect(booking_row).to_contain_text(t("Departed"))

    page.get_by_role("link", name=t("Dashboard")).click()
    page.get_by_role("link", name=t("Monthly report")).click()
    month = local_today().strftime("%Y-%m")
    page.fill("#month", month)
    page.get_by_role("button", name=t("Show")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{t('Monthly report')} · {month}")
    departed = row_of(page, story.service_no)
    expect(departed).to_contain_text(story.route)
    story.check(page)
    story.shot(page, "09-monthly-report")

    shipper = story.needs(story.shipper_page)
    shipper.reload()
    expect(shipper.locator("h1 .status")).to_have_text(t("Departed"))


def test_a_shipper_opening_another_companys_booking_sees_a_404(
    open_page, db_session, make_user, make_company, make_departure
):
    owner = make_user(
        Role.SHIPPER,
        email="owner@shipper.example",
        company=make_company("白河木耳合作社", credit_code(5)),
    )
    reference = place_booking(db_session, owner, make_departure(service_no="X9401"), "22G1", 1)
    intruder = make_user(
        Role.SHIPPER,
        email="intruder@shipper.example",
        name="赵强",
        company=make_company("旬阳拐枣酒业", credit_code(6)),
    )
    page = open_page()
    sign_in(page, "zh", intruder.email, PASSWORD)

    response = page.goto(f"/bookings/{reference}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{text('zh', 'Page not found')} (404)"
    )
    expect(page.locator("main")).not_to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text("白河")
    screenshot(page, "10-not-found")
