"""The shipper's upload page: template, dry run per row in the user's language, the
confirmation that books the whole file, and bad files said beside the file input."""

import base64
import re

import pytest
from sqlalchemy import func, select

from dryport.models import Booking, Role
from dryport.services.booking_files import MAX_BYTES
from tests.api.test_booking_import import as_csv, as_xlsx, row
from tests.conftest import csrf_token, multipart

URL = "/bookings/import/"


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER, locale="en")
    auth.login(user.email)
    return user


@pytest.fixture
def departure(make_departure):
    return make_departure("EAST", capacity=10)


def _check(client, data, name="bookings.csv"):
    page = client.get(URL)
    body, content_type = multipart({"csrf_token": csrf_token(page)}, {"file": (name, data)})
    return client.post(URL, data=body, content_type=content_type)


def _count(db_session, user) -> int:
    db_session.expire_all()
    return db_session.scalar(
        select(func.count()).select_from(Booking).where(Booking.company_id == user.company_id)
    )


def test_the_page_offers_the_template_and_the_upload(client, shipper, departure):
    page = client.get(URL)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/bookings/import/template.xlsx" in text and 'type="file"' in text
    template = client.get("/bookings/import/template.xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK")
    assert client.get("/bookings/").get_data(as_text=True).count(URL) >= 1


def test_the_dry_run_lists_every_row_then_the_confirmation_books_them(
    client, db_session, shipper, departure
):
    page = _check(client, as_xlsx([row(departure), row(departure)]), "b.xlsx")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Every row can be booked: 2 bookings" in text
    assert _count(db_session, shipper) == 0  # a dry run writes nothing
    data = re.search(r'name="data" value="([^"]+)"', text).group(1)
    confirm = client.post(
        "/bookings/import/confirm",
        data={"csrf_token": csrf_token(page), "data": data, "name": "b.xlsx", "confirmed": "yes"},
    )
    assert confirm.status_code == 302 and confirm.headers["Location"].endswith("/bookings/")
    assert _count(db_session, shipper) == 2
    listing = client.get("/bookings/").get_data(as_text=True)
    assert "Bookings created from the file: 2." in listing


def test_refused_rows_are_named_with_their_column_and_nothing_can_be_confirmed(
    client, db_session, shipper, departure
):
    page = _check(client, as_csv([row(departure), row(departure, **{"cargo.hs_code": "09"})]))
    text = page.get_data(as_text=True)
    assert "Rows that cannot be booked as they are: 1 of 2." in text
    assert "HS code" in text and "An HS code has 6, 8 or 10 digits." in text
    assert 'name="data"' not in text


def test_the_page_speaks_chinese(client, db_session, shipper, departure):
    db_session.get(type(shipper), shipper.id).locale = "zh"
    db_session.commit()
    text = _check(client, as_csv([row(departure, **{"cargo.hs_code": "09"})])).get_data(
        as_text=True
    )
    assert "HS编码" in text  # the column in Chinese


def test_a_confirmation_without_its_check_books_nothing(client, db_session, shipper, departure):
    page = client.get(URL)
    data = base64.b64encode(as_csv([row(departure)])).decode()
    response = client.post(
        "/bookings/import/confirm", data={"csrf_token": csrf_token(page), "data": data}
    )
    assert response.status_code == 400
    assert _count(db_session, shipper) == 0


def test_a_confirmation_that_no_longer_fits_books_nothing(
    client, db_session, shipper, departure, make_booking, make_company
):
    page = _check(client, as_csv([row(departure, **{"containers.0.quantity": 6})]))
    data = re.search(r'name="data" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    make_booking(make_company(), departure=departure, lines=(("22G1", 5),))  # room taken
    response = client.post(
        "/bookings/import/confirm",
        data={"csrf_token": csrf_token(page), "data": data, "confirmed": "yes"},
    )
    assert response.status_code == 409
    assert "cannot be booked" in response.get_data(as_text=True)
    assert _count(db_session, shipper) == 0


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"", "The file is empty."), (b"%PDF-1.4 x", "neither an Excel workbook")],
)
def test_a_bad_file_is_said_beside_the_input(client, shipper, data, says):
    page = _check(client, data)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert says in text and 'aria-invalid="true"' in text


def test_a_file_over_the_limit_is_a_413_page_that_says_the_limit(client, shipper):
    page = _check(client, b"x" * (MAX_BYTES + 128 * 1024))
    assert page.status_code == 413
    assert "8 MB" in page.get_data(as_text=True)


def test_other_roles_may_not_upload(client, make_user, auth, departure):
    auth.login(make_user(Role.OPERATOR).email)
    assert client.get(URL).status_code == 403
