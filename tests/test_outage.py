"""The database is down: every request answers 503 with Retry-After — problem+json from the
API, a page that needs no database from the web — in the caller's language, with the
security headers. Real: the app is pointed at a database that cannot be reached (PostgreSQL
on a closed loopback port, a SQLite file that cannot be opened), whichever database the
other tests run on."""

import pytest

from tests.concurrency.conftest import _free_port

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


@pytest.fixture(params=["postgresql", "sqlite"])
def down(request, make_app, tmp_path):
    """A client of an app whose database cannot be reached."""
    if request.param == "postgresql":
        url = f"postgresql+psycopg://root@127.0.0.1:{_free_port()}/dryport_test?connect_timeout=3"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'dryport.db'}"
    return make_app(SQLALCHEMY_DATABASE_URI=url).test_client()


def _is_told_to_retry(response) -> None:
    assert response.status_code == 503, response.data[:500]
    assert response.headers["Retry-After"] == "30"
    for header in SECURITY_HEADERS:
        assert header in response.headers, header


@pytest.mark.parametrize("language, title", [("zh", "服务暂不可用"), ("en", "Service unavailable")])
def test_an_api_call_is_a_503_problem_with_retry_after(down, language, title):
    headers = {"Authorization": "Bearer not-checked-yet", "Accept-Language": language}
    response = down.get("/api/v1/departures", headers=headers)
    _is_told_to_retry(response)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 503 and body["title"] == title and body["detail"]


def test_a_page_for_a_signed_in_user_needs_no_database(down):
    """The user and its language are in the database: the page is in the default language,
    with no navigation to build."""
    with down.session_transaction() as session:
        session["_user_id"] = "1:deadbeef"
    response = down.get("/departures")
    _is_told_to_retry(response)
    assert response.mimetype == "text/html"
    assert "服务暂不可用" in response.text and "数据库暂时无法连接" in response.text
    assert "<nav" not in response.text


def test_a_public_page_in_english(down):
    with down.session_transaction() as session:
        session["lang"] = "en"
    response = down.get(f"/verify/EAST2612-00001?t={'0' * 32}")
    _is_told_to_retry(response)
    assert "The database cannot be reached just now" in response.text
    assert "Try again" in response.text
