"""Real-browser fixtures: Debian's Chromium driven by Playwright against the real app served
by gunicorn on the test database (the helper of tests/concurrency).

Without Chromium the browser tests are skipped, saying so; under CI (``CI=1``) a missing
Chromium fails them instead. ``SCREENSHOTS=1`` saves the main pages under docs/screenshots/.
"""

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from PIL import Image
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dryport.extensions import db
from tests.concurrency.conftest import ROOT, start_server, stop_server, wait_until_up
from tests.conftest import empty_tables

# The machine has no internet: Chromium's own background connections would fail noisily.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}  # iPad Air, portrait
SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Browser:
    path = shutil.which("chromium")
    if path is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: the browser tests must run in CI")
        pytest.skip(f"{reason}: browser journeys skipped")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_server(app, browser, tmp_path_factory):
    """The app under gunicorn for this module's tests, as a browser reaches it over plain
    HTTP on loopback; the module's data is emptied once the server has stopped."""
    with app.app_context():
        db.engine.dispose()  # no connection of ours may hold a lock the workers wait for
    server = start_server(
        str(app.config["SQLALCHEMY_DATABASE_URI"]),
        tmp_path_factory.mktemp("server"),
        workers=2,
        graceful_timeout=1,  # nothing is in flight when the module ends
        env={
            "SESSION_COOKIE_SECURE": "0",  # plain http on 127.0.0.1
            "SIGN_IN_LIMIT": "1000 per minute",  # every journey signs in
            "WEBHOOKS_IN_PROCESS": "0",
        },
    )
    wait_until_up(server)
    yield server
    stop_server(server)
    assert not server.errors, server.log.read_text()
    with app.app_context():
        empty_tables()


@pytest.fixture(scope="module")
def open_page(browser, live_server):
    """Open a page in a browser context of its own (its own cookies: one person)."""
    contexts = []

    def open_(viewport=DESKTOP, *, touch=False, lang="zh") -> Page:
        context = browser.new_context(
            base_url=live_server.base,
            viewport=viewport,
            has_touch=touch,
            locale="zh-CN" if lang == "zh" else "en-GB",  # how the browser shows dates
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def text(lang: str, message: str, **values) -> str:
    """``message`` as the pages show it in ``lang`` (from the app's own catalogs)."""
    with force_locale(lang):
        return gettext(message, **values)


def sign_in(page: Page, lang: str, email: str, password: str) -> None:
    page.goto("/login")
    choose_language(page, lang)
    page.fill("[name=email]", email)
    page.fill("[name=password]", password)
    page.get_by_role("button", name=text(lang, "Sign in"), exact=True).click()
    expect(page.get_by_role("button", name=text(lang, "Sign out"))).to_be_visible()


def choose_language(page: Page, lang: str) -> None:
    """Switch with the header's button when the page is not in ``lang`` yet."""
    html_lang = "zh-CN" if lang == "zh" else "en"
    if page.locator("html").get_attribute("lang") != html_lang:
        page.get_by_role("button", name="English" if lang == "en" else "中文").click()
    expect(page.locator("html")).to_have_attribute("lang", html_lang)


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def assert_no_chinese(page: Page, data: tuple[str, ...] = ()) -> None:
    """An English page shows no Chinese in its content, apart from ``data`` that people
    entered in Chinese (names, addresses)."""
    content = page.locator("main").inner_text()
    for entered in data:
        content = content.replace(entered, "")
    assert not CJK.findall(content), f"untranslated text on {page.url}: {content}"


def assert_fits(page: Page) -> None:
    """Nothing wider than the viewport: no sideways scrolling of the whole page."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the viewport"


def screenshot(page: Page, name: str) -> None:
    """Save a full-page PNG under docs/screenshots/ when SCREENSHOTS=1 (these files are
    tracked: an ordinary test run leaves them alone). 256 colours keep them small."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(full_page=True, animations="disabled")))
    image = image.convert("RGB").quantize(256, dither=Image.Dither.NONE)
    image.save(Path(SCREENSHOTS, f"{name}.png"), optimize=True)
