"""The bookings list goes on by cursor: ``next_cursor`` in ``X-Pagination`` and a
``Link: rel="next"`` that keeps the filters, search and order; counts stop at
``COUNT_LIMIT``; a search looks through a bounded window of the list per page."""

import base64
import json
import re
from datetime import UTC, datetime

import pytest

from dryport.models import BookingStatus, Role
from dryport.services import pagination

PATH = "/api/v1/bookings"
SAME_TIME = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _get(client, headers, url):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response, json.loads(response.headers["X-Pagination"])


def _walk(client, headers, url) -> list[list[str]]:
    """Every page of the list from ``url`` on, following ``Link: rel="next"``."""
    pages = []
    while url:
        response, meta = _get(client, headers, url)
        pages.append([b["reference"] for b in response.get_json()])
        link = response.headers.get("Link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link)[1] if link else None
        assert (url is None) == ("next_cursor" not in meta)
        assert len(pages) < 50, "the cursor does not move on"
    return pages


@pytest.fixture
def shipper(make_user, make_company, api_token):
    user = make_user(Role.SHIPPER, company=make_company("Hengkou Tea Trading"))
    user.headers = api_token(user.email)
    return user


@pytest.fixture
def tied(db_session, shipper, make_booking, make_company):
    """Seven bookings of the shipper all made at the same moment (only the tiebreak orders
    them), three of them CONFIRMED; and three of another company at that moment too."""
    other = make_company("Ankang Silk")
    confirmed = {"status": BookingStatus.CONFIRMED}
    mine = [make_booking(shipper.company, **(confirmed if n % 2 else {})) for n in range(7)]
    theirs = [make_booking(other) for _ in range(3)]
    for booking in mine + theirs:
        booking.created_at = SAME_TIME
    db_session.commit()
    return mine, theirs


def test_a_walk_by_cursor_shows_every_booking_once_in_order_with_equal_keys(client, shipper, tied):
    mine, theirs = tied
    pages = _walk(client, shipper.headers, f"{PATH}?page_size=2")
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    walked = [ref for page in pages for ref in page]
    # newest first, equal times by id, descending as the first key runs
    assert walked == [b.reference for b in sorted(mine, key=lambda b: -b.id)]


def test_the_cursor_keeps_the_filter_search_and_order(client, shipper, tied, db_session):
    mine, _ = tied
    for n, booking in enumerate(mine):
        booking.consignee_name = "Duisburg Intermodal" if n < 5 else "Hamburg Rail"
    db_session.commit()
    url = f"{PATH}?page_size=1&status=CONFIRMED&q=duisburg&sort=reference"
    pages = _walk(client, shipper.headers, url)
    expected = sorted(b.reference for b in mine[:5] if b.status is BookingStatus.CONFIRMED)
    assert [ref for page in pages for ref in page] == expected
    response, meta = _get(client, shipper.headers, url)
    link = response.headers["Link"]
    assert "status=CONFIRMED" in link and "q=duisburg" in link and "sort=reference" in link
    assert meta["next_link"] in link


@pytest.mark.parametrize("sort", ["-departs_at", "teu,-created_at"])
def test_a_search_walks_in_any_order_and_with_the_route_filter(
    client, shipper, tied, sort, monkeypatch
):
    mine, _ = tied
    monkeypatch.setattr(pagination, "SEARCH_WINDOW", 2)
    url = f"{PATH}?page_size=2&q=duisburg&route=EAST&sort={sort}"
    walked = [ref for page in _walk(client, shipper.headers, url) for ref in page]
    assert sorted(walked) == sorted(b.reference for b in mine)
    assert len(walked) == len(set(walked))


def test_a_walk_in_mixed_directions_pages_by_every_key(client, shipper, tied):
    mine, _ = tied
    pages = _walk(client, shipper.headers, f"{PATH}?page_size=3&sort=status,-reference")
    walked = [ref for page in pages for ref in page]
    by_status = sorted(mine, key=lambda b: b.reference, reverse=True)
    by_status.sort(key=lambda b: b.status.name)
    assert walked == [b.reference for b in by_status]


def test_a_shippers_cursor_never_shows_another_companys_booking(
    client, shipper, tied, make_user, api_token
):
    mine, theirs = tied
    operator = api_token(make_user(Role.OPERATOR).email)
    # The operator's list, one to a page: cursors that stop on the other company's rows too.
    everything = _walk(client, operator, f"{PATH}?page_size=1")
    assert len(everything) == 10
    for n in range(10):
        _, meta = _get(client, operator, f"{PATH}?page_size=1&page={n + 1}")
        cursor = meta["next_cursor"] if n < 9 else None
        if cursor is None:
            continue
        pages = _walk(client, shipper.headers, f"{PATH}?page_size=5&cursor={cursor}")
        seen = {ref for page in pages for ref in page}
        assert seen <= {b.reference for b in mine}
        assert not seen & {b.reference for b in theirs}


def _cursor(payload) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%%",
        "x" * 600,
        _cursor(["-created_at", ["yesterday", 3]]),
        _cursor(["-created_at", ["2026-11-02T08:00:00", 3]]),  # no offset
        _cursor(["-created_at", ["2026-11-02T08:00:00+00:00"]]),  # a value short
        _cursor(["-created_at", ["2026-11-02T08:00:00+00:00", "3"]]),
        _cursor(["-created_at", ["2026-11-02T08:00:00+00:00", 2**70]]),
        _cursor(["-created_at", ["2026-11-02T08:00:00+00:00", True]]),
        _cursor(["reference", ["HK-1", 3]]),  # another order than the request's
        _cursor({"keys": "-created_at"}),
        _cursor(None),
    ],
)
def test_a_forged_or_garbled_cursor_is_a_422_problem(client, shipper, tied, cursor):
    response = client.get(f"{PATH}?cursor={cursor}", headers=shipper.headers)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "cursor" in response.get_json()["errors"]


def test_a_cursor_of_another_order_is_refused(client, shipper, tied):
    _, meta = _get(client, shipper.headers, f"{PATH}?page_size=2&sort=reference")
    response = client.get(f"{PATH}?cursor={meta['next_cursor']}", headers=shipper.headers)
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


def test_the_count_stops_at_its_limit_and_says_so(client, shipper, tied, monkeypatch):
    _, meta = _get(client, shipper.headers, f"{PATH}?page_size=2")
    assert meta["total"] == 7 and meta["total_capped"] is False
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    _, meta = _get(client, shipper.headers, f"{PATH}?page_size=2")
    assert meta["total"] == 5 and meta["total_capped"] is True
    assert meta["total_pages"] == 3 and meta["next_cursor"]


def test_a_search_looks_through_a_window_and_its_cursor_searches_on(
    client, shipper, tied, db_session, monkeypatch
):
    mine, _ = tied
    oldest = min(mine, key=lambda b: b.id)  # last in the list
    oldest.consignee_name = "Małaszewicze Terminal"
    db_session.commit()
    monkeypatch.setattr(pagination, "SEARCH_WINDOW", 3)
    response, meta = _get(client, shipper.headers, f"{PATH}?q=terminal")
    assert response.get_json() == [] and meta["total"] == 0 and meta["total_capped"] is True
    pages = _walk(client, shipper.headers, f"{PATH}?q=terminal")
    assert [ref for page in pages for ref in page] == [oldest.reference]
    assert [len(p) for p in pages] == [0, 0, 1]


def test_page_numbers_still_page_and_a_cursor_starts_its_own_first_page(client, shipper, tied):
    mine, _ = tied
    ordered = [b.reference for b in sorted(mine, key=lambda b: -b.id)]
    response, meta = _get(client, shipper.headers, f"{PATH}?page_size=2&page=2")
    assert [b["reference"] for b in response.get_json()] == ordered[2:4]
    assert meta["page"] == 2 and meta["total"] == 7
    response, meta = _get(
        client, shipper.headers, f"{PATH}?page_size=2&page=3&cursor={meta['next_cursor']}"
    )
    assert [b["reference"] for b in response.get_json()] == ordered[4:6]
    assert meta["page"] == 1


def test_the_openapi_document_names_the_cursor(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    (listing,) = (p for path, p in spec["paths"].items() if path.endswith("/bookings"))
    parameters = listing["get"]["parameters"]
    assert "cursor" in {p["name"] for p in parameters}
