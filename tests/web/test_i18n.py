"""Both languages, every string: a message without a translation fails here."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dryport.models import Role

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found = set()
    for folder, method in (("dryport", "python"), ("templates", "jinja2")):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python"), ("**.html", "jinja2")],
            keywords=KEYWORDS,
        ):
            found.add(message if isinstance(message, str) else message[0])
        assert found, f"no messages found in {folder} ({method})"
    return found


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_message_is_translated(locale):
    path = ROOT / "dryport" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    assert not catalog.fuzzy, f"{locale}: the catalog is marked fuzzy and would not compile"
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]  # a plural is known by its singular
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if m.pluralizable else m.string)
    }
    missing = sorted(_source_messages() - translated)
    assert not missing, f"{locale}: {len(missing)} messages lack a translation: {missing[:10]}"


def test_pages_are_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "登录" in page and "Sign in" not in page


def test_the_switch_turns_pages_english_and_remembers_it(client, auth, make_user, db_session):
    from tests.conftest import csrf_token

    user = make_user(Role.OPERATOR)
    auth.login(user.email)
    page = client.get("/departures")
    assert "班列" in page.get_data(as_text=True)
    response = client.post(
        "/language/en", data={"csrf_token": csrf_token(page), "next": "/departures"}
    )
    assert response.headers["Location"] == "/departures"
    english = client.get("/departures").get_data(as_text=True)
    assert '<html lang="en">' in english and "Departures" in english and "班列" not in english
    db_session.refresh(user)
    assert user.locale == "en"


def test_a_signed_in_user_gets_their_saved_language(client, auth, make_user):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    assert "Sign out" in client.get("/departures").get_data(as_text=True)


def test_error_pages_speak_both_languages(client, auth, make_user):
    auth.login(make_user(Role.OPERATOR, locale="en").email)
    assert "Page not found" in client.get("/bookings/NOPE").get_data(as_text=True)
    auth.logout()
    assert "页面不存在" in client.get("/no-such-page").get_data(as_text=True)
