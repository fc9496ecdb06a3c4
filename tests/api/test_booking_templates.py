"""Booking again through the API: a copy of a booking on another departure, named booking
templates and the company's address book, each within the shipper's company."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dryport.models import AddressBookEntry, Booking, BookingTemplate, Role
from dryport.services import booking_templates
from dryport.services.clock import utcnow
from tests.conftest import booking_body, cargo

PROBLEM = "application/problem+json"
PAINT = {
    "un_number": "UN1263",
    "class": "3",
    "packing_group": "III",
    "proper_shipping_name": "PAINT",
    "emergency_contact": "+86 915 321 0000 (24 h)",
}


@pytest.fixture
def other(make_user, api_token):
    """A shipper of another company."""
    user = make_user(Role.SHIPPER)
    user.headers = api_token(user.email)
    return user


def _placed(client, shipper, departure, **overrides):
    response = client.post(
        "/api/v1/bookings", json=booking_body(departure.id, **overrides), headers=shipper.headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _copy(client, user, reference, departure_id, **extra):
    return client.post(
        f"/api/v1/bookings/{reference}/copy",
        json={"departure_id": departure_id, **extra},
        headers={**user.headers, **extra.pop("headers", {})},
    )


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


# ---- copy ----------------------------------------------------------------------------------


def test_a_copy_has_the_same_parties_cargo_and_lines_on_the_new_departure(
    client, shipper, make_departure
):
    first, second = make_departure("XAEU", days=7), make_departure("XAEU", days=14)
    original = _placed(
        client, shipper, first,
        notify_party={"name": "Rhenus Logistics", "address": "Duisburg"},
        cargo=cargo(dangerous_goods=PAINT, net_weight_kg=17000),
        containers=[{"size_type": "45G1", "quantity": 2}, {"size_type": "22G1", "quantity": 1}],
        customs={"declaration_no": "223320261000123456", "invoice_value": "1000.00",
                 "currency": "USD"},
        declared_value={"amount": "50000.00", "currency": "USD"},
    )  # fmt: skip
    response = _copy(client, shipper, original["reference"], second.id)
    assert response.status_code == 201, response.get_json()
    copy = response.get_json()
    assert copy["reference"] != original["reference"]
    assert copy["departure_id"] == second.id and copy["status"] == "RECEIVED"
    for kept in ("origin_station", "destination", "consignee", "notify_party", "cargo",
                 "containers", "teu", "negotiable", "payment_term", "declared_value"):  # fmt: skip
        assert copy[kept] == original[kept], kept
    assert copy["cargo"]["dangerous_goods"]["un_number"] == "UN1263"
    assert copy["customs"] is None and copy["equipment"] == [] and copy["waybill_no"] is None


def test_a_copy_of_another_companys_booking_is_404(client, db_session, shipper, other,
                                                   make_departure):  # fmt: skip
    departure = make_departure()
    original = _placed(client, shipper, departure)
    response = _copy(client, other, original["reference"], departure.id)
    assert response.status_code == 404 and response.mimetype == PROBLEM
    assert _count(db_session, Booking) == 1


def test_a_copy_on_a_full_departure_is_refused_as_a_new_booking_is(
    client, db_session, shipper, make_departure
):
    roomy, full = make_departure(days=7), make_departure(days=9, capacity=3)
    original = _placed(client, shipper, roomy)
    _placed(client, shipper, full)  # 2 of 3 TEU held
    refused_new = client.post(
        "/api/v1/bookings", json=booking_body(full.id), headers=shipper.headers
    )
    refused_copy = _copy(client, shipper, original["reference"], full.id)
    assert refused_copy.status_code == refused_new.status_code == 409
    assert refused_copy.get_json()["detail"] == refused_new.get_json()["detail"]
    assert refused_copy.get_json()["available_teu"] == 1
    waiting = _copy(client, shipper, original["reference"], full.id, waitlist=True)
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "WAITLISTED"
    assert _count(db_session, Booking) == 3


def test_a_copy_after_the_cutoff_is_refused_as_a_new_booking_is(
    client, db_session, shipper, make_departure
):
    open_one = make_departure(days=7)
    closing = make_departure(departs_at=utcnow() + timedelta(hours=20))
    original = _placed(client, shipper, open_one)
    refused_new = client.post(
        "/api/v1/bookings", json=booking_body(closing.id), headers=shipper.headers
    )
    refused_copy = _copy(client, shipper, original["reference"], closing.id)
    assert refused_copy.status_code == refused_new.status_code == 409
    assert refused_copy.get_json()["detail"] == refused_new.get_json()["detail"]
    assert _count(db_session, Booking) == 1


def test_a_copy_to_a_route_without_the_destination_is_422(client, shipper, make_departure):
    original = _placed(client, shipper, make_departure("XAEU"))
    response = _copy(client, shipper, original["reference"], make_departure("EAST").id)
    assert response.status_code == 422
    assert "destination" in response.get_json()["errors"]


def test_a_copy_honours_the_idempotency_key(client, db_session, shipper, make_departure):
    first, second = make_departure(days=7), make_departure(days=14)
    original = _placed(client, shipper, first)
    headers = {**shipper.headers, "Idempotency-Key": "copy-1"}
    url = f"/api/v1/bookings/{original['reference']}/copy"
    one = client.post(url, json={"departure_id": second.id}, headers=headers)
    two = client.post(url, json={"departure_id": second.id}, headers=headers)
    assert one.status_code == two.status_code == 201
    assert two.headers["Idempotent-Replayed"] == "true"
    assert one.get_json()["reference"] == two.get_json()["reference"]
    assert _count(db_session, Booking) == 2


def test_a_copy_needs_a_departure(client, shipper, make_departure):
    original = _placed(client, shipper, make_departure())
    response = client.post(
        f"/api/v1/bookings/{original['reference']}/copy", json={}, headers=shipper.headers
    )
    assert response.status_code == 422 and "departure_id" in response.get_json()["errors"]


def test_only_a_shipper_copies(client, people, make_departure, make_booking):
    booking = make_booking(people[Role.SHIPPER].company)
    response = _copy(client, people[Role.OPERATOR], booking.reference, booking.departure_id)
    assert response.status_code == 403


# ---- templates -----------------------------------------------------------------------------


def _template_body(departure, **overrides):
    body = booking_body(departure)
    del body["departure_id"]
    return {**body, **overrides}


def _create_template(client, user, **body):
    return client.post("/api/v1/booking-templates", json=body, headers=user.headers)


def test_a_template_from_a_body_books_with_a_departure_added(client, shipper, make_departure):
    departure = make_departure("XAEU")
    made = _create_template(client, shipper, name=" Weekly tea ", booking=_template_body(departure))
    assert made.status_code == 201, made.get_json()
    template = made.get_json()
    assert template["name"] == "Weekly tea" and template["version"] == 1
    assert made.headers["ETag"] == 'W/"1"'
    assert "departure_id" not in template["booking"]
    body = {**template["booking"], "departure_id": departure.id}
    booked = client.post("/api/v1/bookings", json=body, headers=shipper.headers)
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["cargo"]["description"] == "Selenium-rich green tea"


def test_a_template_from_a_booking_keeps_what_a_copy_keeps(client, shipper, make_departure):
    departure = make_departure("XAEU")
    original = _placed(
        client, shipper, departure, cargo=cargo(dangerous_goods=PAINT),
        customs={"declaration_no": "223320261000123456", "invoice_value": "10.00",
                 "currency": "USD"},
    )  # fmt: skip
    made = _create_template(client, shipper, name="Paint", from_booking=original["reference"])
    assert made.status_code == 201, made.get_json()
    kept = made.get_json()["booking"]
    assert "customs" not in kept and "sea_leg" not in kept
    assert kept["cargo"]["dangerous_goods"]["class"] == "3"
    assert kept["containers"] == original["containers"]
    booked = client.post(
        "/api/v1/bookings", json={**kept, "departure_id": departure.id}, headers=shipper.headers
    )
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["cargo"] == original["cargo"]


def test_a_template_needs_one_source_and_a_valid_booking(client, db_session, shipper,
                                                         make_departure):  # fmt: skip
    departure = make_departure()
    neither = _create_template(client, shipper, name="x")
    assert neither.status_code == 422 and "booking" in neither.get_json()["errors"]
    bad = _create_template(
        client, shipper, name="x", booking=_template_body(departure, cargo=cargo(hs_code="12"))
    )
    assert bad.status_code == 422
    assert "booking.cargo.hs_code" in bad.get_json()["errors"], bad.get_json()
    blank = _create_template(client, shipper, name="  ", booking=_template_body(departure))
    assert blank.status_code == 422 and "name" in blank.get_json()["errors"]
    assert _count(db_session, BookingTemplate) == 0


def test_template_names_are_unique_per_company(client, shipper, other, make_departure):
    body = _template_body(make_departure())
    assert _create_template(client, shipper, name="Tea", booking=body).status_code == 201
    again = _create_template(client, shipper, name="Tea", booking=body)
    assert again.status_code == 409 and "name" in again.get_json()["errors"]
    assert _create_template(client, other, name="Tea", booking=body).status_code == 201


def test_templates_are_scoped_to_the_company(client, shipper, other, make_departure):
    made = _create_template(client, shipper, name="Tea", booking=_template_body(make_departure()))
    url = f"/api/v1/booking-templates/{made.get_json()['id']}"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.patch(url, json={"version": 1, "name": "Mine"},
                        headers=other.headers).status_code == 404  # fmt: skip
    assert client.delete(url, headers=other.headers).status_code == 404
    assert client.get("/api/v1/booking-templates", headers=other.headers).get_json() == []
    assert client.get(url, headers=shipper.headers).status_code == 200


def test_a_template_from_another_companys_booking_is_404(client, shipper, other,
                                                         make_departure):  # fmt: skip
    original = _placed(client, shipper, make_departure())
    made = _create_template(client, other, name="Theirs", from_booking=original["reference"])
    assert made.status_code == 404


def test_a_stale_rename_is_409_and_changes_nothing(client, db_session, shipper, make_departure):
    made = _create_template(client, shipper, name="Tea", booking=_template_body(make_departure()))
    url = f"/api/v1/booking-templates/{made.get_json()['id']}"
    renamed = client.patch(url, json={"version": 1, "name": "Green tea"}, headers=shipper.headers)
    assert renamed.status_code == 200 and renamed.get_json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "name": "Black tea"}, headers=shipper.headers)
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    by_etag = client.patch(url, json={"name": "Black tea"},
                           headers={**shipper.headers, "If-Match": 'W/"1"'})  # fmt: skip
    assert by_etag.status_code == 409
    unversioned = client.patch(url, json={"name": "Black tea"}, headers=shipper.headers)
    assert unversioned.status_code == 422
    assert client.get(url, headers=shipper.headers).get_json()["name"] == "Green tea"


def test_an_update_replaces_the_booking(client, shipper, make_departure):
    departure = make_departure()
    made = _create_template(client, shipper, name="Tea", booking=_template_body(departure))
    url = f"/api/v1/booking-templates/{made.get_json()['id']}"
    new = _template_body(departure, containers=[{"size_type": "42G1", "quantity": 3}])
    changed = client.patch(url, json={"version": 1, "booking": new}, headers=shipper.headers)
    assert changed.status_code == 200
    assert changed.get_json()["booking"]["containers"] == [{"size_type": "42G1", "quantity": 3}]


def test_delete_a_template(client, db_session, shipper, make_departure):
    made = _create_template(client, shipper, name="Tea", booking=_template_body(make_departure()))
    url = f"/api/v1/booking-templates/{made.get_json()['id']}"
    stale = client.delete(url, headers={**shipper.headers, "If-Match": 'W/"7"'})
    assert stale.status_code == 409
    assert client.delete(url, headers=shipper.headers).status_code == 204
    assert client.get(url, headers=shipper.headers).status_code == 404


def test_a_company_has_at_most_so_many_templates(client, db_session, shipper, make_departure,
                                                 monkeypatch):  # fmt: skip
    monkeypatch.setattr(booking_templates, "MAX_TEMPLATES", 2)
    body = _template_body(make_departure())
    for name in ("a", "b"):
        assert _create_template(client, shipper, name=name, booking=body).status_code == 201
    refused = _create_template(client, shipper, name="c", booking=body)
    assert refused.status_code == 409 and "2" in refused.get_json()["detail"]
    assert _count(db_session, BookingTemplate) == 2


def test_templates_are_searched_and_sorted(client, shipper, make_departure):
    body = _template_body(make_departure())
    for name in ("Tea weekly", "Paint", "tea monthly"):
        _create_template(client, shipper, name=name, booking=body)

    def names(query):
        response = client.get(f"/api/v1/booking-templates?{query}", headers=shipper.headers)
        assert response.status_code == 200, response.get_json()
        return [t["name"] for t in response.get_json()]

    assert names("") == ["Paint", "Tea weekly", "tea monthly"]
    assert names("q=TEA&sort=-name") == ["tea monthly", "Tea weekly"]
    assert client.get("/api/v1/booking-templates?sort=body",
                      headers=shipper.headers).status_code == 422  # fmt: skip


# ---- address book --------------------------------------------------------------------------


def _add(client, user, name="Rhenus Logistics", address="Duisburg, DE"):
    return client.post(
        "/api/v1/address-book", json={"name": name, "address": address}, headers=user.headers
    )


def test_an_entry_is_checked_as_a_party_is(client, db_session, shipper):
    made = _add(client, shipper, name=" Rhenus ", address=" Duisburg ")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["name"] == "Rhenus" and made.get_json()["address"] == "Duisburg"
    too_long = _add(client, shipper, name="x" * 129)
    assert too_long.status_code == 422 and "name" in too_long.get_json()["errors"]
    no_address = client.post("/api/v1/address-book", json={"name": "x"}, headers=shipper.headers)
    assert no_address.status_code == 422 and "address" in no_address.get_json()["errors"]
    assert _count(db_session, AddressBookEntry) == 1


def test_the_same_party_is_in_a_book_once(client, shipper, other):
    assert _add(client, shipper).status_code == 201
    assert _add(client, shipper).status_code == 409
    assert _add(client, shipper, address="Hamburg, DE").status_code == 201
    assert _add(client, other).status_code == 201


def test_entries_are_scoped_to_the_company(client, shipper, other):
    entry = _add(client, shipper).get_json()
    url = f"/api/v1/address-book/{entry['id']}"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.patch(url, json={"version": 1, "name": "x"},
                        headers=other.headers).status_code == 404  # fmt: skip
    assert client.delete(url, headers=other.headers).status_code == 404
    assert client.get("/api/v1/address-book", headers=other.headers).get_json() == []


def test_a_stale_entry_update_is_409(client, shipper):
    entry = _add(client, shipper).get_json()
    url = f"/api/v1/address-book/{entry['id']}"
    moved = client.patch(url, json={"version": 1, "address": "Hamburg, DE"},
                         headers=shipper.headers)  # fmt: skip
    assert moved.status_code == 200 and moved.get_json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "address": "Bremen, DE"}, headers=shipper.headers)
    assert stale.status_code == 409
    assert client.get(url, headers=shipper.headers).get_json()["address"] == "Hamburg, DE"
    assert client.delete(url, headers=shipper.headers).status_code == 204


def test_the_address_book_has_a_limit(client, db_session, shipper, monkeypatch):
    from dryport.services import address_book

    monkeypatch.setattr(address_book, "MAX_ENTRIES", 1)
    assert _add(client, shipper).status_code == 201
    assert _add(client, shipper, name="Other").status_code == 409
    assert _count(db_session, AddressBookEntry) == 1


def test_the_address_book_is_searched_and_sorted(client, shipper):
    _add(client, shipper, name="Rhenus", address="Duisburg")
    _add(client, shipper, name="Kühne", address="Hamburg")
    _add(client, shipper, name="DB Cargo", address="Mainz")

    def names(query):
        response = client.get(f"/api/v1/address-book?{query}", headers=shipper.headers)
        return [e["name"] for e in response.get_json()]

    assert names("") == ["DB Cargo", "Kühne", "Rhenus"]
    assert names("q=hamburg") == ["Kühne"]
    assert names("q=KÜH") == ["Kühne"]
    assert names("sort=address") == ["Rhenus", "Kühne", "DB Cargo"]
    assert names("sort=-address") == ["DB Cargo", "Kühne", "Rhenus"]
