"""The API reference page in the user's language, and literal text such as `<token>` shown as
written on every page (a template's message is taken as HTML, so it carries none)."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from flask_babel import force_locale

from dryport.models import Role
from dryport.web.docs import local
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]


def _texts(spec: dict):
    """Every summary, parameter and answer description of the OpenAPI document."""
    for item in spec["paths"].values():
        for parameter in item.get("parameters", []):
            yield parameter.get("description")
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            yield operation.get("summary")
            for parameter in operation.get("parameters", []):
                yield parameter.get("description")
            for answer in operation.get("responses", {}).values():
                yield answer.get("description")


def test_every_text_of_the_document_has_its_chinese(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    texts = {text for text in _texts(spec) if text}
    assert len(texts) > 40
    with app.test_request_context(), force_locale("zh"):
        untranslated = sorted(text for text in texts if local(text) == text)
    assert not untranslated, untranslated


def test_the_page_follows_the_language_switch(client, auth, make_user):
    auth.login(make_user(Role.SHIPPER, locale="zh").email)
    page = client.get("/api/docs").get_data(as_text=True)
    assert "在班列上订舱" in page and "Book containers on a departure" not in page
    assert "逗号分隔" in page and "Comma-separated" not in page
    switch = client.post(
        "/language/en",
        data={"next": "/api/docs", "csrf_token": csrf_token(client.get("/departures"))},
    )
    assert switch.headers["Location"].endswith("/api/docs")
    page = client.get("/api/docs").get_data(as_text=True)
    assert "Book containers on a departure" in page and "在班列上订舱" not in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_token_placeholder_is_shown_as_written(client, auth, make_user, lang):
    auth.login(make_user(Role.SHIPPER, locale=lang).email)
    for path in ("/account/tokens", "/api/docs"):
        page = client.get(path).get_data(as_text=True)
        assert "Authorization: Bearer &lt;token&gt;" in page, path
    page = client.get("/api/docs").get_data(as_text=True)
    assert "t=&lt;unix time&gt;,v1=&lt;hex&gt;" in page


def test_no_template_message_holds_markup():
    """A template's ``_()`` is taken as HTML: a `<` in it would vanish as an unknown tag."""
    found = [
        message
        for _, _, message, _, _ in extract_from_dir(
            ROOT / "templates", method_map=[("**.html", "jinja2")]
        )
        if any(c in (message if isinstance(message, str) else message[0]) for c in "<>&")
    ]
    assert not found, found
