"""The railway's loading list on the operator's departure page: the upload form (with its
CSRF token), the flash of what matched, each bad line's errors beside the file input, and
the numbers on the booking page."""

import re

import pytest
from sqlalchemy import select

from dryport.models import Container, Role, VgmMethod
from dryport.services import loading
from dryport.services.containers import make_number
from tests.conftest import container_rows, csrf_token, multipart


@pytest.fixture
def world(db_session, make_user, make_departure, make_booking, auth):
    clerk = make_user(Role.CLERK, station="HB")
    shipper = make_user(Role.SHIPPER)
    operator = make_user(Role.OPERATOR)
    departure = make_departure("XAEU")
    booking = make_booking(shipper.company, departure=departure, lines=(("22G1", 2),))
    numbers = [make_number("TGH", 1), make_number("TGH", 2)]
    rows = container_rows(*numbers, vgm_method=VgmMethod.METHOD_1)
    loading.confirm_load(db_session, clerk, booking.reference, rows)
    db_session.commit()
    auth.login(operator.email)
    page = auth.client.get("/departures")
    auth.client.post("/language/en", data={"csrf_token": csrf_token(page), "next": "/"})
    return {
        "departure": departure,
        "booking": booking,
        "numbers": numbers,
        "page": f"/operations/departures/{departure.id}",
    }


def _upload(client, world, data: bytes, token=True):
    fields = {"csrf_token": csrf_token(client.get(world["page"]))} if token else {}
    body, content_type = multipart(fields, {"file": ("loading-list.csv", data)})
    return client.post(f"{world['page']}/railway-list", data=body, content_type=content_type)


def _stored(db_session, numbers):
    db_session.expire_all()
    rows = db_session.execute(
        select(Container.wagon_no, Container.railway_waybill_no)
        .where(Container.number.in_(numbers))
        .order_by(Container.number)
    )
    return [tuple(row) for row in rows]


def test_the_departure_page_has_the_upload_form(client, world):
    page = client.get(world["page"]).get_data(as_text=True)
    form = page[page.index('id="railway-list"') :]
    form = form[: form.index("</form>")]
    assert f'action="{world["page"]}/railway-list#railway-list"' in form
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    assert re.search(r'name="csrf_token" value="[^"]+"', form)


def test_an_upload_flashes_what_matched_and_the_booking_shows_the_numbers(
    client, db_session, world
):
    a, b = world["numbers"]
    response = _upload(client, world, f"{a},1560123,61004217\n{b},1560124,61004218\n".encode())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{world['page']}#railway-list")
    page = client.get(world["page"]).get_data(as_text=True)
    assert "2 containers matched." in page
    assert _stored(db_session, world["numbers"]) == [
        ("1560123", "61004217"), ("1560124", "61004218"),
    ]  # fmt: skip
    detail = client.get(f"/bookings/{world['booking'].reference}").get_data(as_text=True)
    table = detail[detail.index("Railway waybill") :]
    assert "1560123" in table and "61004217" in table and "61004218" in table


def test_the_same_list_again_changes_nothing(client, world):
    a = world["numbers"][0]
    data = f"{a},1560123,61004217\n".encode()
    assert _upload(client, world, data).status_code == 302
    assert _upload(client, world, data).status_code == 302
    page = client.get(world["page"]).get_data(as_text=True)
    assert "1 container matched. No number changed." in page


def test_bad_lines_are_shown_beside_the_file_input_and_nothing_is_saved(client, db_session, world):
    a, _b = world["numbers"]
    other = make_number("MSK", 1234)
    response = _upload(client, world, f"{a},1560123,61004217\n{other},1560124,1\n".encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index('id="railway-list-file"') :]
    field = field[: field.index("</form>")]
    assert 'aria-invalid="true"' in field
    assert f"Line 2</strong>: Container {other} is not on this departure." in field
    assert "Nothing was saved" in page
    assert _stored(db_session, world["numbers"]) == [(None, None), (None, None)]


def test_no_file_chosen_is_said_beside_the_input(client, world):
    token = csrf_token(client.get(world["page"]))
    body, content_type = multipart({"csrf_token": token}, {"file": ("", b"")})
    response = client.post(f"{world['page']}/railway-list", data=body, content_type=content_type)
    assert response.status_code == 422
    assert "Choose the railway&#39;s loading list (a CSV file)." in response.get_data(as_text=True)


def test_the_upload_needs_its_csrf_token(client, db_session, world):
    a = world["numbers"][0]
    response = _upload(client, world, f"{a},1560123,61004217\n".encode(), token=False)
    assert response.status_code == 400
    assert _stored(db_session, world["numbers"]) == [(None, None), (None, None)]


def test_others_may_not_upload(client, auth, make_user, world):
    auth.logout()
    auth.login(make_user(Role.CLERK, station="HB").email)
    token = csrf_token(client.get("/departures"))
    body, content_type = multipart({"csrf_token": token}, {"file": ("l.csv", b"x,1,2\n")})
    response = client.post(f"{world['page']}/railway-list", data=body, content_type=content_type)
    assert response.status_code == 403
