"""The statement page: a shipper's own month, the company an operator chooses, exact totals,
errors beside their fields, and the downloads."""

import csv
import io
import re

import pytest

from dryport.models import Role
from tests.conftest import beijing, csrf_token
from tests.statements import ship_fixture  # noqa: F401  (the fixture ``ship``)


@pytest.fixture
def march(make_user, ship):
    a, b = make_user(Role.SHIPPER), make_user(Role.SHIPPER)
    for amount in ("0.10", "0.10", "0.10"):
        ship(a.company, beijing(2026, 3, 10, 10), amount)
    ship(a.company, beijing(2026, 3, 11, 10))  # not priced
    ship(b.company, beijing(2026, 3, 12, 10), "1234.50")
    return a, b


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_a_shipper_sees_its_own_month(client, auth, march):
    a, b = march
    auth.login(a.email)
    text = _text(client.get("/statements/?month=2026-03"))
    assert "对账单" in text and a.company.name in text and b.company.name not in text
    assert re.search(r'<td class="num" data-label="[^"]+">0.30</td>', text)
    assert "1 个未定价" in text or "1 booking not priced" in text
    assert 'name="company"' not in text  # no choice of company
    assert "/statements/2026-03.pdf" in text and "/statements/2026-03.csv" in text


def test_another_companys_statement_is_not_found(client, auth, march):
    a, b = march
    auth.login(a.email)
    page = client.get(f"/statements/?month=2026-03&company={b.company.credit_code}")
    assert page.status_code == 404 and b.company.name not in page.get_data(as_text=True)
    download = client.get(f"/statements/2026-03.csv?company={b.company.credit_code}")
    assert download.status_code == 404


def test_an_operator_chooses_the_company(client, auth, make_user, march):
    a, b = march
    auth.login(make_user(Role.OPERATOR).email)
    text = _text(client.get("/statements/?month=2026-03"))
    assert 'name="company"' in text and a.company.credit_code in text
    assert "请选择公司和月份" in text or "Choose a company and a month" in text
    text = _text(client.get(f"/statements/?month=2026-03&company={b.company.credit_code}"))
    assert "1,234.50" in text and a.company.name in text  # a in the select, b's statement
    assert f"company={b.company.credit_code}" in text  # its downloads name the company
    unknown = _text(client.get("/statements/?month=2026-03&company=91610900MA6999999X"))
    assert 'id="company-error"' in unknown and 'aria-invalid="true"' in unknown


def test_a_bad_month_is_said_beside_its_field(client, auth, march):
    a, _b = march
    auth.login(a.email)
    text = _text(client.get("/statements/?month=2026-13"))
    assert 'id="month-error"' in text and "0.30" not in text


def test_the_downloads_carry_the_same_totals(client, auth, march):
    a, _b = march
    auth.login(a.email)
    reply = client.get("/statements/2026-03.csv")
    assert reply.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(reply.get_data().decode("utf-8-sig"))))
    assert ["CNY", "3", "0.30"] in rows
    assert client.get("/statements/2026-03.pdf").mimetype == "application/pdf"
    assert client.get("/statements/2026-3.pdf").status_code == 404
    assert client.get("/statements/2026-03.xls").status_code == 404


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.OPERATOR])
def test_the_nav_leads_to_statements(client, auth, make_user, role):
    auth.login(make_user(role).email)
    assert 'href="/statements/"' in client.get("/departures").get_data(as_text=True)


def test_clerks_have_no_statements(client, auth, make_user, march):
    auth.login(make_user(Role.CLERK).email)
    assert 'href="/statements/"' not in client.get("/departures").get_data(as_text=True)
    assert client.get("/statements/?month=2026-03").status_code == 403


def test_the_charge_lines_read_in_the_readers_language(client, auth, march):
    a, _b = march
    auth.login(a.email)
    chinese = _text(client.get("/statements/?month=2026-03"))
    assert "运费 · 20英尺" in chinese and "Freight" not in chinese
    page = client.get("/statements/")
    client.post("/language/en", data={"csrf_token": csrf_token(page)})
    english = _text(client.get("/statements/?month=2026-03"))
    assert "Freight · 20 ft" in english and "运费" not in english
