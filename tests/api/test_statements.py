"""GET /api/v1/statements: a shipper's own statement, any company's for operators, none for
clerks; the same exact amounts in JSON, CSV and PDF."""

import csv
import io
import shutil
import subprocess

import pytest

from dryport.models import BookingStatus as B
from dryport.models import Role
from tests.conftest import beijing
from tests.statements import ship_fixture  # noqa: F401  (the fixture ``ship``)

URL = "/api/v1/statements?month=2026-03"


@pytest.fixture
def world(make_user, api_token, ship):
    """Two shippers who shipped in March: A three bookings of 0.10 CNY, one of 0.10 + 0.20
    USD and one not priced, and a booking still waiting; B one booking."""
    a, b = make_user(Role.SHIPPER), make_user(Role.SHIPPER)
    for day in (1, 15, 31):
        ship(a.company, beijing(2026, 3, day, 0 if day == 1 else 23, 30), "0.10")
    ship(a.company, beijing(2026, 3, 20, 10), "0.10", "0.20", currency="USD", route="XAEU")
    ship(a.company, beijing(2026, 3, 21, 10))  # not priced
    ship(a.company, beijing(2026, 3, 22, 10), "9.00", status=B.CONFIRMED)  # not shipped
    ship(a.company, beijing(2026, 4, 1, 0, 10), "9.00")  # April in Beijing
    ship(b.company, beijing(2026, 3, 15, 10), "5.00")
    people = {"a": a, "b": b, "operator": make_user(Role.OPERATOR),
              "clerk": make_user(Role.CLERK), "admin": make_user(Role.ADMIN)}  # fmt: skip
    return {role: (user, api_token(user.email)) for role, user in people.items()}


def test_a_shipper_gets_its_own_statement(client, world):
    a, headers = world["a"]
    body = client.get(URL, headers=headers).get_json()
    assert body["company"] == {"name": a.company.name, "credit_code": a.company.credit_code}
    assert body["month"] == "2026-03" and len(body["bookings"]) == 5
    assert body["totals"] == [
        {"currency": "CNY", "amount": "0.30", "bookings": 3},
        {"currency": "USD", "amount": "0.30", "bookings": 1},
    ]
    assert body["unpriced"] == 1
    usd = next(x for x in body["bookings"] if x["charges"] and x["charges"]["currency"] == "USD")
    assert [line["amount"] for line in usd["charges"]["lines"]] == ["0.10", "0.20"]
    assert usd["charges"]["total"] == "0.30" and usd["payment_term"] == "PRE"
    assert sum(x["charges"] is None for x in body["bookings"]) == 1
    own = client.get(f"{URL}&company={a.company.credit_code}", headers=headers)
    assert own.status_code == 200 and own.get_json() == body


def test_another_companys_statement_is_not_found(client, world):
    (_a, headers), (b, _) = world["a"], world["b"]
    response = client.get(f"{URL}&company={b.company.credit_code}", headers=headers)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert b.company.name not in response.get_data(as_text=True)
    unknown = client.get(f"{URL}&company=91610900MA6999999X", headers=headers)
    assert unknown.status_code == 404
    assert unknown.get_json()["detail"] == response.get_json()["detail"]


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_staff_get_any_company_they_name(client, world, role):
    (b, _), (_user, headers) = world["b"], world[role]
    body = client.get(f"{URL}&company={b.company.credit_code}", headers=headers).get_json()
    assert body["company"]["credit_code"] == b.company.credit_code
    assert body["totals"] == [{"currency": "CNY", "amount": "5.00", "bookings": 1}]
    missing = client.get(URL, headers=headers)
    assert missing.status_code == 422 and "company" in missing.get_json()["errors"]
    unknown = client.get(f"{URL}&company=91610900MA6999999X", headers=headers)
    assert unknown.status_code == 404


def test_clerks_and_strangers_are_refused(client, world):
    (b, _), (_clerk, headers) = world["b"], world["clerk"]
    assert client.get(f"{URL}&company={b.company.credit_code}", headers=headers).status_code == 403
    assert client.get(URL).status_code == 401


def test_bad_months_and_formats_are_refused(client, world):
    _a, headers = world["a"]
    for query in ("month=2026-3", "month=March", "month=2026-13", "", "month=2026-03&format=xls"):
        response = client.get(f"/api/v1/statements?{query}", headers=headers)
        assert response.status_code == 422, query
        assert set(response.get_json()["errors"]) <= {"month", "format"}, query


def test_the_csv_sums_exactly(client, world):
    _a, headers = world["a"]
    response = client.get(f"{URL}&format=csv", headers=headers)
    assert response.mimetype == "text/csv" and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header = rows.index(next(r for r in rows if r and r[0] == "订舱号 reference"))
    lines = rows[header + 1 : rows.index([], header)]
    assert len(lines) == 6  # three 0.10, the two USD lines, the one not priced
    assert sorted(r[-1] for r in lines) == ["", "0.10", "0.10", "0.10", "0.10", "0.20"]
    assert ["CNY", "3", "0.30"] in rows and ["USD", "1", "0.30"] in rows
    assert rows[-1][-1] == "1"  # bookings not priced
    assert not any("0.30000" in cell or "0.1," in cell for row in rows for cell in row)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed")
def test_the_pdf_sums_exactly(client, world):
    a, headers = world["a"]
    response = client.get(f"{URL}&format=pdf", headers=headers)
    assert response.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=response.get_data(), capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    assert a.company.credit_code in text and "2026-03" in text
    totals = text[text.index("合计 Totals") :]
    assert [line.split() for line in totals.splitlines() if line.split()[:1] in (["CNY"], ["USD"])
            ] == [["CNY", "3", "0.30"], ["USD", "1", "0.30"]]  # fmt: skip
    assert "Bookings not priced (not in the totals): 1" in totals
    assert "USD 0.30" in text and "未定价 not priced" in text
    assert "第 1 页 Page 1" in text


def test_thousands_are_grouped_in_the_pdf_only(client, world, ship):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is needed")
    (b, _), (_op, headers) = world["b"], world["operator"]
    ship(b.company, beijing(2026, 3, 16, 10), "1234567.85")
    url = f"{URL}&company={b.company.credit_code}"
    assert client.get(url, headers=headers).get_json()["totals"][0]["amount"] == "1234572.85"
    pdf = client.get(f"{url}&format=pdf", headers=headers).get_data()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,  # noqa: S607
                          check=True).stdout.decode()  # fmt: skip
    assert "1,234,572.85" in text and "1,234,567.85" in text
