"""The bookings page's pager goes on by cursor: "Next" carries the cursor with the filters
and search, a page reached by it links back to the first, the count stops at its limit, and
a search that found nothing in the bookings it looked through offers to search on."""

import html
import re
from datetime import UTC, datetime

import pytest

from dryport.models import Role
from dryport.services import pagination


def _link(page: str, text: str) -> str | None:
    found = re.findall(rf'<a href="([^"]+)">[^<]*{text}', page)
    return html.unescape(found[0]) if found else None


def _references(page: str) -> list[str]:
    return re.findall(r">(HKTEST-\d+)</a>", page)


@pytest.fixture
def listing(make_app, make_user, make_company, make_booking, db_session):
    """An app with two bookings to a page, and a shipper with five bookings made at the
    same moment; another company's two besides."""
    app = make_app(PAGE_SIZE=2)
    shipper = make_user(Role.SHIPPER, company=make_company("Hengkou Tea Trading"), locale="en")
    mine = [make_booking(shipper.company) for _ in range(5)]
    theirs = [make_booking(make_company("Ankang Silk")) for _ in range(2)]
    for booking in mine + theirs:
        booking.created_at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    db_session.commit()
    client = app.test_client()
    from tests.conftest import Auth

    Auth(client).login(shipper.email)
    return client, mine, theirs


def test_next_goes_on_by_cursor_and_keeps_the_search(listing, db_session):
    client, mine, theirs = listing
    url, seen, pages = "/bookings/?q=duisburg&status=RECEIVED", [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        seen += _references(page)
        pages.append(page)
        url = _link(page, "›")
        if url:
            assert "cursor=" in url and "q=duisburg" in url and "status=RECEIVED" in url
            assert "page=" not in url
    assert seen == [b.reference for b in sorted(mine, key=lambda b: -b.id)]
    assert not set(seen) & {b.reference for b in theirs}
    first = _link(pages[1], "«")
    assert first is not None and "cursor=" not in first and "q=duisburg" in first


def test_the_count_stops_at_its_limit(listing, monkeypatch):
    client, _, _ = listing
    page = client.get("/bookings/").get_data(as_text=True)
    assert "Page 1 of 3" in page
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
    page = client.get("/bookings/").get_data(as_text=True)
    assert "Page 1 of more than 2" in page


def test_a_search_with_nothing_in_its_window_offers_to_search_on(listing, monkeypatch, db_session):
    client, mine, _ = listing
    oldest = min(mine, key=lambda b: b.id)
    oldest.consignee_name = "Małaszewicze Terminal"
    db_session.commit()
    monkeypatch.setattr(pagination, "SEARCH_WINDOW", 3)
    page = client.get("/bookings/?q=terminal").get_data(as_text=True)
    assert _references(page) == []
    following = _link(page, "›")
    assert following is not None and "q=terminal" in following
    assert _references(client.get(following).get_data(as_text=True)) == [oldest.reference]


def test_a_garbled_cursor_is_a_422_page(listing):
    client, _, _ = listing
    response = client.get("/bookings/?cursor=garbled")
    assert response.status_code == 422
