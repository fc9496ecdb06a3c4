"""``POST /api/v1/departures/{id}/railway-list``: the railway's loading list as the body
(text/csv) or as a multipart file; its numbers in the booking, the manifest and the waybill."""

import csv
import io
import shutil
import subprocess

import pytest
from sqlalchemy import select

from dryport.models import Container, DepartureStatus, Role, VgmMethod
from dryport.services import loading
from dryport.services.containers import make_number
from tests.conftest import PDF, container_rows, multipart

PROBLEM = "application/problem+json"


@pytest.fixture
def world(db_session, make_user, make_departure, make_booking, api_token):
    clerk = make_user(Role.CLERK, station="HB")
    shipper = make_user(Role.SHIPPER)
    operator = make_user(Role.OPERATOR)
    departure = make_departure("EAST")
    booking = make_booking(shipper.company, departure=departure, lines=(("22G1", 2),))
    numbers = [make_number("TGH", 1), make_number("TGH", 2)]
    rows = container_rows(*numbers, vgm_method=VgmMethod.METHOD_1)
    loading.confirm_load(db_session, clerk, booking.reference, rows)
    db_session.commit()
    return {
        "departure": departure,
        "booking": booking,
        "numbers": numbers,
        "path": f"/api/v1/departures/{departure.id}/railway-list",
        "operator": api_token(operator.email),
        "shipper": api_token(shipper.email),
        "clerk": api_token(clerk.email),
    }


def _post(client, world, body: bytes, headers=None, content_type="text/csv"):
    return client.post(
        world["path"],
        data=body,
        headers={**(headers or world["operator"]), "Content-Type": content_type},
    )


def _stored(db_session, numbers):
    db_session.expire_all()
    rows = db_session.execute(
        select(Container.number, Container.wagon_no, Container.railway_waybill_no)
        .where(Container.number.in_(numbers))
        .order_by(Container.number)
    )
    return [tuple(row) for row in rows]


def _list(world) -> bytes:
    a, b = world["numbers"]
    return f"箱号,车号,运单号\n{a},1560123,61004217\n{b},1560124,61004218\n".encode()


def test_the_csv_body_gives_the_containers_their_numbers(client, db_session, world):
    response = _post(client, world, _list(world))
    assert response.status_code == 200, response.get_json()
    a, b = world["numbers"]
    reference = world["booking"].reference
    assert response.get_json() == {
        "matched": 2,
        "changed": 2,
        "containers": [
            {"number": a, "wagon_no": "1560123", "railway_waybill_no": "61004217",
             "booking": reference},
            {"number": b, "wagon_no": "1560124", "railway_waybill_no": "61004218",
             "booking": reference},
        ],
    }  # fmt: skip
    booking = client.get(f"/api/v1/bookings/{reference}", headers=world["shipper"]).get_json()
    assert [(e["wagon_no"], e["railway_waybill_no"]) for e in booking["equipment"]] == [
        ("1560123", "61004217"), ("1560124", "61004218"),
    ]  # fmt: skip


def test_a_multipart_file_works_alike(client, db_session, world):
    body, content_type = multipart({}, {"file": ("装车清单.csv", _list(world))})
    response = _post(client, world, body, content_type=content_type)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["matched"] == 2
    assert _stored(db_session, world["numbers"])[0][1:] == ("1560123", "61004217")


def test_a_multipart_body_without_the_file_is_refused(client, world):
    body, content_type = multipart({"text": "x"})
    response = _post(client, world, body, content_type=content_type)
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]


def test_a_bad_line_is_named_and_nothing_is_written(client, db_session, world):
    a, _b = world["numbers"]
    other = make_number("MSK", 1234)
    body = f"{a},1560123,61004217\n{other},1560124,61004218\n".encode()
    response = _post(client, world, body)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {
        "line 2": [f"集装箱 {other} 不在本班列上。"]  # in the default language
    }
    assert _stored(db_session, world["numbers"]) == [(n, None, None) for n in world["numbers"]]


def test_an_empty_body_is_a_422(client, world):
    response = _post(client, world, b"")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["file"]


def test_a_pdf_is_no_loading_list(client, db_session, world):
    body, content_type = multipart({}, {"file": ("list.pdf", PDF)})
    response = _post(client, world, body, content_type=content_type)
    assert response.status_code == 422
    assert _stored(db_session, world["numbers"]) == [(n, None, None) for n in world["numbers"]]


def test_only_operators_upload_and_only_to_a_departure_that_exists(client, world):
    for role in ("shipper", "clerk"):
        assert _post(client, world, _list(world), headers=world[role]).status_code == 403
    anonymous = client.post(world["path"], data=_list(world), content_type="text/csv")
    assert anonymous.status_code == 401
    world["path"] = "/api/v1/departures/999999/railway-list"
    assert _post(client, world, _list(world)).status_code == 404


def test_a_cancelled_departure_takes_no_list(client, db_session, world):
    world["departure"].status = DepartureStatus.CANCELLED
    db_session.commit()
    response = _post(client, world, _list(world))
    assert response.status_code == 409
    assert response.mimetype == PROBLEM


def test_the_manifest_csv_carries_the_railway_waybill(client, world):
    assert _post(client, world, _list(world)).status_code == 200
    departure = world["departure"]
    response = client.get(
        f"/api/v1/departures/{departure.id}/manifest.csv", headers=world["operator"]
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    a = world["numbers"][0]
    row = next(row for row in rows if a in row)
    assert row[0] == "1560123" and row[-1] == "61004217"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed")
def test_the_waybill_prints_the_railway_waybill(client, world):
    reference = world["booking"].reference
    path = f"/api/v1/bookings/{reference}/waybill.pdf"
    before = client.get(path, headers=world["shipper"]).get_data()
    assert _post(client, world, _list(world)).status_code == 200
    after = client.get(path, headers=world["shipper"]).get_data()
    texts = [
        " ".join(
            subprocess.run(
                ["pdftotext", "-raw", "-", "-"],  # noqa: S607
                input=pdf,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split()
        )  # fmt: skip
        for pdf in (before, after)
    ]
    assert "61004217" not in texts[0] and "Rev. 1" in texts[0]
    assert "61004217" in texts[1] and "1560123" in texts[1] and "Rev. 2" in texts[1]
