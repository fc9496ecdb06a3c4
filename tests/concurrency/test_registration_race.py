"""Registrations racing for one new credit code, through gunicorn: one company is made, the
others are told the company is registered (422), never a 500 from the unique constraint."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import func, select

from dryport.extensions import db
from dryport.models import Company, User
from dryport.services import credit_codes
from tests.concurrency.conftest import start_server, stop_server, wait_until_up
from tests.conftest import PASSWORD

CLIENTS = 8


@pytest.fixture(scope="module")
def web_server(app, tmp_path_factory):
    """Four workers, reached over plain HTTP as a browser would (session cookie not Secure)."""
    with app.app_context():
        db.engine.dispose()
    server = start_server(
        str(app.config["SQLALCHEMY_DATABASE_URI"]),
        tmp_path_factory.mktemp("registration"),
        env={"SESSION_COOKIE_SECURE": "0", "WEBHOOKS_IN_PROCESS": "0"},
    )
    wait_until_up(server)
    yield server
    stop_server(server)
    assert not server.errors, server.log.read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


def _status(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, body, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_racing_registrations_of_one_credit_code_make_one_company(web_server, db_session, seeded):
    server = web_server
    code = credit_codes.make("N2610923", "MA6RACE1")  # a village collective's code
    browsers = [_browser() for _ in range(CLIENTS)]
    forms = []
    for i, browser in enumerate(browsers):
        _, page = _status(browser, server.base + "/register")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        forms.append({
            "company_name": "恒口村股份经济合作联合社", "credit_code": code, "name": f"Desk {i}",
            "email": f"desk{i}@village.example", "password": PASSWORD,
            "password_confirm": PASSWORD, "csrf_token": token,
        })  # fmt: skip
    start = threading.Barrier(CLIENTS)
    statuses = [None] * CLIENTS

    def register(i: int) -> None:
        start.wait()
        statuses[i] = _status(browsers[i], server.base + "/register", forms[i])[0]

    threads = [threading.Thread(target=register, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(statuses) == {302: 1, 422: CLIENTS - 1}
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Company)) == 1
    assert db_session.scalar(select(func.count()).select_from(User)) == 1
