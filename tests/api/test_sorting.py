"""Every list of the API sorts one way: ``sort=key,-key``, checked against the list's keys,
with a fixed tiebreak so that pages neither repeat nor skip a row."""

import json
from datetime import timedelta

import pytest

from dryport.models import BookingEvent, BookingStatus, EventType, Role
from dryport.services.clock import utcnow

PROBLEM = "application/problem+json"


def _list(client, headers, path):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _all_pages(client, headers, path, page_size):
    """Every page of ``path`` in turn, joined; checks the totals on the way."""
    items, page = [], 1
    while True:
        response = client.get(f"{path}&page={page}&page_size={page_size}", headers=headers)
        assert response.status_code == 200, response.get_json()
        items += response.get_json()
        pagination = json.loads(response.headers["X-Pagination"])
        if page == pagination["total_pages"]:
            return items
        page += 1


# ---- departures ---------------------------------------------------------------------------


def test_departures_sort_by_capacity_both_ways(client, shipper, make_departure):
    for days, capacity in ((1, 60), (2, 20), (3, 90), (4, 40)):
        make_departure("EAST", days=days, capacity=capacity)
    up = _list(client, shipper.headers, "/api/v1/departures?sort=capacity_teu")
    assert [d["capacity_teu"] for d in up] == [20, 40, 60, 90]
    down = _list(client, shipper.headers, "/api/v1/departures?sort=-capacity_teu")
    assert [d["capacity_teu"] for d in down] == [90, 60, 40, 20]


def test_departures_sort_latest_first(client, shipper, make_departure):
    for days in (3, 1, 2):
        make_departure("EAST", days=days)
    departures = _list(client, shipper.headers, "/api/v1/departures?sort=-departs_at")
    times = [d["departs_at"] for d in departures]
    assert times == sorted(times, reverse=True) and len(times) == 3


def test_departures_sort_by_available_teu(client, shipper, make_departure, make_booking):
    roomy = make_departure("EAST", days=1, capacity=10)
    tight = make_departure("EAST", days=2, capacity=10)
    make_booking(shipper.company, departure=tight, lines=(("22G1", 8),))
    make_booking(shipper.company, departure=roomy, lines=(("22G1", 2),))
    departures = _list(client, shipper.headers, "/api/v1/departures?sort=available_teu")
    assert [d["id"] for d in departures] == [tight.id, roomy.id]
    assert [d["available_teu"] for d in departures] == [2, 8]
    by_booked = _list(client, shipper.headers, "/api/v1/departures?sort=-booked_teu")
    assert [d["id"] for d in by_booked] == [tight.id, roomy.id]


def test_departures_sort_by_several_keys(client, shipper, make_departure):
    a1 = make_departure("EAST", days=1, service_no="A")
    b2 = make_departure("EAST", days=2, service_no="B")
    a3 = make_departure("EAST", days=3, service_no="A")
    b4 = make_departure("XAEU", days=4, service_no="B")
    departures = _list(client, shipper.headers, "/api/v1/departures?sort=-service_no,departs_at")
    assert [d["id"] for d in departures] == [b2.id, b4.id, a1.id, a3.id]
    departures = _list(client, shipper.headers, "/api/v1/departures?sort=service_no,-departs_at")
    assert [d["id"] for d in departures] == [a3.id, a1.id, b4.id, b2.id]


def test_ties_are_settled_by_the_same_order_on_every_page(client, shipper, make_departure):
    # Twelve departures of the same capacity: only the tiebreak orders them.
    ids = [make_departure("EAST", days=day, capacity=50).id for day in range(1, 13)]
    up = _all_pages(client, shipper.headers, "/api/v1/departures?sort=capacity_teu", 5)
    assert [d["id"] for d in up] == ids
    down = _all_pages(client, shipper.headers, "/api/v1/departures?sort=-capacity_teu", 5)
    assert [d["id"] for d in down] == ids[::-1]


# ---- bookings -----------------------------------------------------------------------------


def test_bookings_are_newest_first_by_default_and_sort_either_way(
    client, shipper, make_departure, make_booking
):
    start = utcnow() - timedelta(days=3)
    made = [
        make_booking(shipper.company, created_at=start + timedelta(hours=hour))
        for hour in (5, 1, 3)
    ]
    newest_first = [made[0].reference, made[2].reference, made[1].reference]
    default = _list(client, shipper.headers, "/api/v1/bookings")
    assert [b["reference"] for b in default] == newest_first
    oldest = _list(client, shipper.headers, "/api/v1/bookings?sort=created_at")
    assert [b["reference"] for b in oldest] == newest_first[::-1]


def test_bookings_sort_by_departure_with_or_without_a_route(
    client, shipper, make_departure, make_booking
):
    late, early = make_departure("EAST", days=9), make_departure("EAST", days=2)
    other = make_departure("XAEU", days=5)
    on_late = make_booking(shipper.company, departure=late)
    on_early = make_booking(shipper.company, departure=early)
    on_other = make_booking(shipper.company, departure=other)
    refs = [
        b["reference"] for b in _list(client, shipper.headers, "/api/v1/bookings?sort=departs_at")
    ]
    assert refs == [on_early.reference, on_other.reference, on_late.reference]
    east = _list(client, shipper.headers, "/api/v1/bookings?route=EAST&sort=-departs_at")
    assert [b["reference"] for b in east] == [on_late.reference, on_early.reference]


def test_bookings_sort_by_several_keys(client, shipper, make_departure, make_booking):
    departure = make_departure("EAST")
    small = make_booking(shipper.company, departure=departure, lines=(("22G1", 1),))
    big_1 = make_booking(shipper.company, departure=departure, lines=(("22G1", 3),))
    cancelled = make_booking(
        shipper.company, departure=departure, lines=(("22G1", 2),), status=BookingStatus.CANCELLED
    )
    big_2 = make_booking(shipper.company, departure=departure, lines=(("22G1", 3),))
    bookings = _list(client, shipper.headers, "/api/v1/bookings?sort=-teu,-reference")
    assert [b["reference"] for b in bookings] == [
        big_2.reference,
        big_1.reference,
        cancelled.reference,
        small.reference,
    ]
    by_status = _list(client, shipper.headers, "/api/v1/bookings?sort=status,teu")
    assert [b["status"] for b in by_status] == ["CANCELLED", "RECEIVED", "RECEIVED", "RECEIVED"]
    assert [b["teu"] for b in by_status] == [2, 1, 3, 3]


# ---- reference data and the timeline ------------------------------------------------------


def test_stations_keep_their_order_and_sort_by_code(client, shipper):
    default = _list(client, shipper.headers, "/api/v1/stations")
    assert len(default) == 11 and default[0]["code"] == "HK"
    assert [s["code"] for s in default[1:4]] == ["HB", "HY", "SQ"]  # their seed order
    codes = [s["code"] for s in _list(client, shipper.headers, "/api/v1/stations?sort=code")]
    assert codes == sorted(codes) and len(codes) == 11
    down = [s["code"] for s in _list(client, shipper.headers, "/api/v1/stations?sort=-code")]
    assert down == codes[::-1]


def test_stations_sort_by_feeder_hours_then_code(client, shipper):
    stations = _list(client, shipper.headers, "/api/v1/stations?sort=-feeder_hours,code")
    pairs = [(s["feeder_hours"], s["code"]) for s in stations]
    assert pairs == sorted(pairs, key=lambda pair: (-pair[0], pair[1]))
    assert pairs[0] == (4, "ZP") and pairs[-1] == (0, "HK")


def test_stations_page_like_the_other_lists(client, shipper):
    response = client.get("/api/v1/stations?sort=code&page=2&page_size=4", headers=shipper.headers)
    assert [s["code"] for s in response.get_json()] == ["LG", "NS", "PL", "SQ"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 11


def test_routes_keep_their_order_and_sort_by_code(client, shipper):
    default = [r["code"] for r in _list(client, shipper.headers, "/api/v1/routes")]
    assert default == ["EAST", "XAEU", "WHSEA"]
    by_code = [r["code"] for r in _list(client, shipper.headers, "/api/v1/routes?sort=code")]
    assert by_code == ["EAST", "WHSEA", "XAEU"]
    down = [r["code"] for r in _list(client, shipper.headers, "/api/v1/routes?sort=-code")]
    assert down == ["XAEU", "WHSEA", "EAST"]


def test_the_timeline_is_oldest_first_and_sorts_and_pages(
    client, shipper, make_booking, db_session
):
    booking = make_booking(shipper.company)
    start = utcnow() - timedelta(hours=5)
    for hours, type_ in ((0, EventType.CREATED), (2, EventType.CONFIRMED), (1, EventType.AMENDED)):
        db_session.add(BookingEvent(booking=booking, at=start + timedelta(hours=hours), type=type_))
    db_session.commit()
    path = f"/api/v1/bookings/{booking.reference}/events"
    assert [e["type"] for e in _list(client, shipper.headers, path)] == [
        "CREATED",
        "AMENDED",
        "CONFIRMED",
    ]
    newest = _list(client, shipper.headers, f"{path}?sort=-at")
    assert [e["type"] for e in newest] == ["CONFIRMED", "AMENDED", "CREATED"]
    second = client.get(f"{path}?sort=-at&page=2&page_size=2", headers=shipper.headers)
    assert [e["type"] for e in second.get_json()] == ["CREATED"]
    assert json.loads(second.headers["X-Pagination"])["total"] == 3


def test_another_companys_timeline_is_still_404(client, shipper, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    path = f"/api/v1/bookings/{booking.reference}/events?sort=-at"
    assert client.get(path, headers=shipper.headers).status_code == 404


# ---- refusals -----------------------------------------------------------------------------


def _problem_422(response) -> dict:
    body = response.get_json()
    assert response.status_code == 422, body
    assert response.mimetype == PROBLEM
    return body


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/api/v1/departures", "departs_at, cutoff_at, service_no"),
        ("/api/v1/bookings", "created_at, updated_at, reference, status, teu, departs_at"),
        ("/api/v1/stations", "code, name_zh, name_en, kind, feeder_hours"),
        ("/api/v1/routes", "code"),
    ],
)
def test_an_unknown_key_is_422_naming_sort_and_the_keys(client, shipper, path, keys):
    body = _problem_422(client.get(f"{path}?sort=colour", headers=shipper.headers))
    assert list(body["errors"]) == ["sort"]
    [message] = body["errors"]["sort"]
    assert "colour" in message and keys in message
    assert "排序" in message  # Chinese by default


def test_the_message_follows_accept_language(client, shipper):
    english = client.get(
        "/api/v1/departures?sort=-colour",
        headers={**shipper.headers, "Accept-Language": "en"},
    )
    assert _problem_422(english)["errors"]["sort"] == [
        "Cannot sort by '-colour'. Sort by departs_at, cutoff_at, service_no, capacity_teu, "
        "booked_teu, available_teu, comma-separated, a leading - for descending."
    ]
    chinese = client.get("/api/v1/departures?sort=-colour", headers=shipper.headers)
    assert _problem_422(chinese)["errors"]["sort"] == [
        "不能按“-colour”排序。可用的排序键：departs_at, cutoff_at, service_no, capacity_teu, "
        "booked_teu, available_teu，用逗号分隔，前加 - 为降序。"
    ]


@pytest.mark.parametrize("sort", ["departs_at,-departs_at", "service_no,service_no"])
def test_a_key_named_twice_is_422(client, shipper, sort):
    response = client.get(
        f"/api/v1/departures?sort={sort}", headers={**shipper.headers, "Accept-Language": "en"}
    )
    [message] = _problem_422(response)["errors"]["sort"]
    assert "named twice" in message


@pytest.mark.parametrize("sort", ["", ",", "departs_at,", "--departs_at", "departs_at;cutoff_at"])
def test_malformed_sorts_are_422(client, shipper, sort):
    response = client.get(f"/api/v1/departures?sort={sort}", headers=shipper.headers)
    assert "sort" in _problem_422(response)["errors"]


def test_the_timeline_refuses_an_unknown_key(client, shipper, make_booking):
    booking = make_booking(shipper.company)
    path = f"/api/v1/bookings/{booking.reference}/events?sort=type"
    [message] = _problem_422(client.get(path, headers=shipper.headers))["errors"]["sort"]
    assert "type" in message and "at" in message


def test_the_openapi_document_shows_the_keys_and_the_default(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"]["/api/v1/bookings"]["get"]["parameters"]
    [sort] = [p for p in parameters if p["name"] == "sort"]
    assert sort["schema"]["default"] == "-created_at"
    assert "created_at, updated_at, reference, status, teu, departs_at" in sort["description"]
    for path in ("/api/v1/stations", "/api/v1/routes", "/api/v1/bookings/{reference}/events"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"sort", "page", "page_size"} <= names, path
