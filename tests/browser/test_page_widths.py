"""Every page fits a phone (390 px) and a laptop (1366 px) in both languages, for every role:
the page never scrolls sideways, and no table is wider than its box (no column, and no
action in it, hidden behind a scrollbar).

The pages are not a hand-made list: every GET route of the app that answers HTML is opened,
its arguments filled from the demo data, and a route that no role could open fails the test,
so a new page is measured as soon as it exists.
"""

import os
import re
from dataclasses import dataclass, field
from io import BytesIO

import pytest
from flask import url_for
from sqlalchemy import select

from dryport.extensions import db
from dryport.models import (
    Booking,
    BookingStatus,
    Departure,
    DepartureStatus,
    DocumentKind,
    Station,
    Tariff,
    User,
    Waybill,
    WebhookEndpoint,
)
from dryport.services import (
    accounts,
    address_book,
    booking_templates,
    demo,
    documents,
    password_resets,
)
from dryport.services.clock import local_today, utcnow
from tests.browser.conftest import choose_language, sign_in
from tests.conftest import PDF

pytestmark = pytest.mark.shared_data

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
LANGUAGES = ("zh", "en")
ROLES = ("shipper", "clerk", "operator", "admin", "public")
SIGN_INS = {
    "shipper": "tea@shipper.example",
    "clerk": "clerk.hb@dryport.example",
    "operator": "operator@dryport.example",
    "admin": "admin@dryport.example",
}
# WIDTH_SHOTS=<folder> saves what was measured, to look at (one PNG per page, width, language).
SHOTS = os.environ.get("WIDTH_SHOTS")
# A file, not a page: a route ending in an extension (waybill.pdf, <month>.<fmt>, .json), or
# an attached document's /file.
FILE = re.compile(r"(\.(\w+|<[^>]+>)|/file)$")

MEASURE = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const tables = [...document.querySelectorAll('table')].map((table) => {
    const box = table.parentElement;
    const width = Math.max(table.scrollWidth, table.getBoundingClientRect().width);
    return {over: Math.round(width - box.clientWidth), first: table.rows[0]?.innerText};
  }).filter((t) => t.over > 1);
  return {page, tables};
}"""


@dataclass
class Site:
    """The pages to open, and what each role fills into their arguments."""

    rules: list = field(default_factory=list)  # (rule, endpoint, arguments)
    values: dict = field(default_factory=dict)  # role -> {argument: value}
    reached: dict = field(default_factory=dict)  # rule -> roles that opened it
    runs: int = 0  # of the role and language pairs


def _pages(app) -> list:
    return [
        (rule.rule, rule.endpoint, sorted(rule.arguments))
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.rule.startswith(("/api/", "/static/", "/healthz"))
        and not FILE.search(rule.rule)
    ]


def _values() -> dict:
    """Arguments that lead each role to a page with something on it."""
    session = db.session
    shipper = session.scalar(select(User).where(User.email == SIGN_INS["shipper"]))
    hub = session.scalar(select(Station).where(Station.code == "HB"))
    upcoming = (
        select(Booking)
        .join(Booking.departure)
        .where(Booking.status == BookingStatus.RECEIVED, Departure.cutoff_at > utcnow())
        .order_by(Booking.id)
    )
    own = session.scalar(upcoming.where(Booking.company_id == shipper.company_id))
    queued = session.scalar(upcoming.where(Booking.origin_station_id == hub.id))
    waybill = session.scalar(select(Waybill).where(Waybill.superseded_at.is_(None)))
    departure = session.scalar(
        select(Departure)
        .where(Departure.status == DepartureStatus.SCHEDULED, Departure.held_teu > 0)
        .order_by(Departure.departs_at)
    )
    endpoint = WebhookEndpoint(
        company_id=shipper.company_id,
        url="https://erp.ankang-tea.example/dryport/webhooks/booking-events",
        description="ERP",
        secret="s" * 40,
        created_by=shipper,
    )
    session.add(endpoint)
    _secret, token = accounts.create_personal_token(session, shipper, "ERP of Ankang Tea", 90)
    document = documents.add_document(
        session, shipper, own.reference, DocumentKind.PACKING_LIST,
        "装箱单 Packing list HK-2026-12 (48 cartons, green tea).pdf", BytesIO(PDF),
    )  # fmt: skip
    reset_token = password_resets.issue_token(session, shipper)  # the set-new-password page
    template = booking_templates.create_template(
        session, shipper, "绿茶 · 每周至杜伊斯堡 Tea to Duisburg, weekly", reference=own.reference
    )
    entry = address_book.add_entry(session, shipper, {
        "name": "Duisburg Intermodal Terminal GmbH (DIT)",
        "address": "Ruhrorter Straße 91, 47119 Duisburg, Deutschland",
    })  # fmt: skip
    session.commit()
    # a tariff in force of the demo's price lists (its end date and "new price from" pages)
    tariff = session.scalar(select(Tariff).where(Tariff.valid_to.is_(None)).order_by(Tariff.id))
    common = {"number": waybill.number, "t": waybill.token}
    return {
        "shipper": {
            **common,
            "reference": own.reference,
            "endpoint_id": endpoint.id,
            "token_id": token.id,
            "document_id": document.id,
            "template_id": template.id,
            "entry_id": entry.id,
        },
        "clerk": {**common, "reference": queued.reference},
        "operator": {
            **common,
            "reference": waybill.booking.reference,
            "departure_id": departure.id,
            "action": "depart",  # its confirmation page: what departing will do
            "seq": 1,  # its first leg's plan
        },
        "admin": {
            **common,
            "user_id": shipper.id,
            "station": "HB",
            "route": "XAEU",
            "seq": 1,
            "place_code": "PLMAA",
            "crossing_code": "KHG-AKL",
            "tariff_id": tariff.id,
            "year": local_today().year,  # the year's targets
        },
        "public": {**common, "token": reset_token},
    }


@pytest.fixture(scope="module")
def site(app, live_server):
    with app.app_context():
        demo.load_demo(db.session)
        db.session.commit()
        found = Site(rules=_pages(app), values=_values())
    yield found
    if found.runs < len(ROLES) * len(LANGUAGES):
        return  # a selection of the tests ran (-k): not every role had its turn
    unreached = [rule for rule, *_ in found.rules if not found.reached.get(rule)]
    assert not unreached, f"no role could open {unreached}: give their arguments a value"


def _url(app, given: dict, rule: str, endpoint: str, arguments: list) -> str | None:
    """The page of ``rule`` with the arguments ``given`` (a role's); None when the role has
    no value for one of them (not a page of theirs)."""
    values = {}
    for name in arguments:
        key = name
        if name == "code":  # a station's or a route's
            key = "route" if "/routes/" in rule else "station"
        if key not in given:
            return None
        values[name] = given[key]
    if "number" in arguments:  # a waybill's: with its token, the genuine one
        values["t"] = given["t"]
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_a_laptop(app, site, live_server, open_page, role, lang):
    page = open_page(PHONE, lang=lang)
    if role == "public":
        page.goto("/login")
        choose_language(page, lang)
    else:
        sign_in(page, lang, SIGN_INS[role], demo.DEMO_PASSWORD)
    site.runs += 1
    problems = []
    for rule, endpoint, arguments in site.rules:
        url = _url(app, site.values[role], rule, endpoint, arguments)
        if url is None:
            continue
        page.set_viewport_size(PHONE)
        response = page.goto(url)
        if response.status != 200 or (page.url.endswith("/login") and rule != "/login"):
            continue
        site.reached.setdefault(rule, set()).add(role)
        for viewport in (PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            measured = page.evaluate(MEASURE)
            where = f"{page.url.removeprefix(live_server.base)} at {viewport['width']} px"
            if SHOTS:
                name = re.sub(r"\W+", "_", f"{role}_{lang}_{viewport['width']}_{url}")
                page.screenshot(path=f"{SHOTS}/{name[:120]}.png", full_page=True)
            if measured["page"] > 0:
                problems.append(f"{where}: the page is {measured['page']} px too wide")
            for table in measured["tables"]:
                problems.append(
                    f"{where}: a table is {table['over']} px wider than its box "
                    f"(columns hidden behind a scrollbar): {table['first']!r}"
                )
    assert not problems, "\n".join(problems)
