"""Customs release on the pages: the operator's departure page (each booking's state, the
release form, the release list upload), the depart confirmation, and the booking's page."""

import io
import re

import pytest

from dryport.models import Role
from dryport.services.clock import utcnow
from tests.conftest import csrf_token, declaration_for
from tests.pdf import conftest as pdf_fixtures

confirmed = pdf_fixtures.confirmed  # the fixture

NUMBER = "610120260000000123"


@pytest.fixture
def operator(make_user, auth):
    user = make_user(Role.OPERATOR, locale="en")
    auth.login(user.email)
    return user


def _train(make_departure, confirmed, route="XAEU"):
    departure = make_departure(
        route, border_crossing="KHG-AKL" if route == "XAEU" else None, departs_at=utcnow()
    )
    return departure, [confirmed(route, departure=departure) for _ in range(2)]


def _post(client, path, data, **kw):
    page = client.get("/operations/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)}, **kw)


def test_the_departure_page_shows_each_booking_s_release_and_records_one(
    client, db_session, operator, make_departure, confirmed
):
    departure, (named, other) = _train(make_departure, confirmed)
    named.customs_declaration_no = NUMBER
    db_session.commit()
    path = f"/operations/departures/{departure.id}"
    page = client.get(path).get_data(as_text=True)
    assert 'id="customs"' in page and page.count("Awaiting customs release") == 2
    assert f'value="{NUMBER}"' in page  # prefilled from the booking
    assert re.search(
        r'name="released_at" type="datetime-local" value="\d{4}-\d\d-\d\dT\d\d:\d\d"', page
    )

    done = _post(
        client,
        f"/operations/bookings/{named.reference}/customs-release",
        {"declaration_no": NUMBER, "released_at": "2026-01-05T14:30"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{path}#customs")
    page = client.get(path).get_data(as_text=True)
    assert f"Released by customs at 2026-01-05 14:30 (declaration {NUMBER})" in page
    assert page.count("Awaiting customs release") == 1


def test_a_refused_release_shows_its_error_beside_the_field(
    client, db_session, operator, make_departure, confirmed
):
    departure, (named, other) = _train(make_departure, confirmed)
    named.customs_declaration_no = NUMBER
    db_session.commit()
    refused = _post(
        client,
        f"/operations/bookings/{named.reference}/customs-release",
        {"declaration_no": "610120260000000999", "released_at": "2026-01-05T14:30"},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    field = f"release-{named.reference}-declaration_no"
    assert f'id="{field}-error"' in page
    error = page[page.index(f'id="{field}-error"') :]
    assert error[: error.index("</span>")].endswith(f"The booking names declaration {NUMBER}.")
    assert 'value="610120260000000999"' in page  # what was typed stays
    assert f'id="release-{other.reference}-declaration_no-error"' not in page

    short = _post(
        client,
        f"/operations/bookings/{other.reference}/customs-release",
        {"declaration_no": "123", "released_at": ""},
    )
    assert short.status_code == 422
    assert f'id="release-{other.reference}-declaration_no-error"' in short.get_data(as_text=True)


def test_the_release_list_upload_lists_errors_by_line_then_records(
    client, db_session, operator, make_departure, confirmed
):
    departure, bookings = _train(make_departure, confirmed)
    for booking in bookings:
        booking.customs_declaration_no = declaration_for(booking)
    db_session.commit()
    path = f"/operations/departures/{departure.id}/customs-releases"
    bad = "报关单号,放行时间\r\n" + f"{bookings[0].customs_declaration_no},2026-01-05 14:30\r\n"
    bad += "610120260000000777,2026-01-05 14:30\r\n"
    refused = _post(
        client,
        path,
        {"file": (io.BytesIO(bad.encode("gb18030")), "list.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Nothing was recorded: correct the lines listed." in page
    assert "Line 3: No booking on this departure names declaration 610120260000000777." in page

    good = "".join(f"{b.customs_declaration_no},2026-01-05 14:30\r\n" for b in bookings)
    done = _post(
        client,
        path,
        {"file": (io.BytesIO(good.encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Release list recorded: 2 bookings released." in page
    assert "Awaiting customs release" not in page

    empty = _post(client, path, {}, content_type="multipart/form-data")
    assert empty.status_code == 422
    assert 'id="release-list-file-error"' in empty.get_data(as_text=True)


def test_the_section_is_not_shown_on_a_domestic_route(client, operator, make_departure, confirmed):
    departure, _bookings = _train(make_departure, confirmed, "EAST")
    page = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    assert 'id="customs"' not in page and "Awaiting customs release" not in page


def test_depart_names_the_unreleased_bookings(
    client, db_session, operator, make_departure, confirmed
):
    departure, bookings = _train(make_departure, confirmed)
    path = f"/operations/departures/{departure.id}/depart"
    page = client.get(path).get_data(as_text=True)
    assert "Not yet possible: customs has not released" in page
    assert all(b.reference in page for b in bookings)
    refused = _post(client, path, {"confirmed": "yes"})
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Customs has not released these bookings yet" in shown
    assert all(b.reference in shown for b in bookings)


def test_the_booking_page_shows_its_release(
    client, auth, db_session, make_user, operator, make_departure, confirmed, release_customs
):
    departure, (booking, _other) = _train(make_departure, confirmed)
    confirmed.shipper.locale = "en"
    db_session.commit()
    auth.logout()
    auth.login(confirmed.shipper.email)
    path = f"/bookings/{booking.reference}"
    assert "Awaiting customs release" in client.get(path).get_data(as_text=True)
    release_customs(departure)
    page = client.get(path).get_data(as_text=True)
    assert "Released by customs at" in page and declaration_for(booking) in page
