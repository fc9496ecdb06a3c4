"""Password reset and the choice of mails in a real browser, in both languages, on a phone
(390 px) and a laptop (1366 px): the link from the sign-in page, the request, a mismatched
password told beside its field, the new password set; the notifications page."""

import pytest
from playwright.sync_api import expect

from dryport.extensions import db
from dryport.models import Role
from dryport.services import password_resets
from tests.browser.conftest import assert_fits, choose_language, screenshot, sign_in, text
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
NEW_PASSWORD = "a-new-long-passphrase-42"


def _suffix(lang: str, viewport: dict) -> str:
    return ("-en" if lang == "en" else "") + ("-phone" if viewport is PHONE else "")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_forgotten_password_is_set_again_with_the_mailed_link(
    live_server, open_page, make_user, lang, viewport
):
    user = make_user(Role.SHIPPER, locale=lang)
    page = open_page(viewport, lang=lang)
    page.goto("/login")
    choose_language(page, lang)
    page.get_by_role("link", name=text(lang, "Forgot password?")).click()
    expect(page.get_by_role("heading", name=text(lang, "Forgot your password?"))).to_be_visible()
    page.fill("[name=email]", user.email)
    assert_fits(page)
    screenshot(page, "14-forgot-password" + _suffix(lang, viewport))
    page.get_by_role("button", name=text(lang, "Mail me a link")).click()
    expect(page.locator(".flash.success")).to_be_visible()

    db.session.rollback()  # a fresh read: the server has written since
    token = password_resets.issue_token(db.session, user)  # the link the mail carries
    db.session.commit()
    page.goto(f"/password-reset/{token}")
    page.fill("[name=password]", NEW_PASSWORD)
    page.fill("[name=password_confirm]", "not-the-same-passphrase")
    page.get_by_role("button", name=text(lang, "Set the password")).click()
    expect(page.locator("#password_confirm-error")).to_be_visible()
    # The page's deferred script puts the focus on the field to correct; once it has run,
    # typing elsewhere is not taken from under the cursor.
    expect(page.locator("[name=password_confirm]")).to_be_focused()
    assert_fits(page)
    screenshot(page, "15-reset-password" + _suffix(lang, viewport))
    page.fill("[name=password]", NEW_PASSWORD)
    page.fill("[name=password_confirm]", NEW_PASSWORD)
    page.get_by_role("button", name=text(lang, "Set the password")).click()
    expect(page.locator(".flash.success")).to_contain_text(
        text(lang, "Your password is set. Sign in with it.")
    )
    page.goto(f"/password-reset/{token}")  # used: it says so
    expect(page.locator(".flash.error")).to_contain_text(
        text(lang, "This password reset link has been used already. Ask for a new one.")
    )
    sign_in(page, lang, user.email, NEW_PASSWORD)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_shipper_chooses_its_mails(live_server, open_page, make_user, lang, viewport):
    user = make_user(Role.SHIPPER, locale=lang)
    page = open_page(viewport, lang=lang)
    sign_in(page, lang, user.email, PASSWORD)
    page.goto("/account/notifications")
    page.get_by_label(text(lang, "Booking cancelled")).uncheck()
    page.get_by_role("button", name=text(lang, "Save")).click()
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.get_by_label(text(lang, "Booking cancelled"))).not_to_be_checked()
    assert_fits(page)
    screenshot(page, "16-notifications" + _suffix(lang, viewport))
