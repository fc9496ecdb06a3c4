"""What a booking says of its shipment, through the API: destination, packages, HS code,
weights against the containers, the dangerous-goods declaration and customs data, each rule
at its edge; the customs data changed alone until the departure leaves."""

import pytest
from sqlalchemy import func, select

from dryport.models import Booking, BookingStatus, DepartureStatus, Role
from tests.conftest import booking_body, cargo

BARIUM = {
    "un_number": "UN1564",
    "class": "6.1",
    "packing_group": "III",
    "proper_shipping_name": "BARIUM COMPOUND, N.O.S. (barium carbonate)",
    "emergency_contact": "+86 915 321 0000 (24 h)",
}
CUSTOMS = {"declaration_no": "223320261000123456", "invoice_value": "48250.00", "currency": "USD"}


def _book(client, shipper, departure, **overrides):
    return client.post(
        "/api/v1/bookings", json=booking_body(departure, **overrides), headers=shipper.headers
    )


def _refused(client, db_session, response, field, en_headers=None):
    """A 422 naming ``field``, that booked nothing."""
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0
    return errors[field]


def test_a_full_booking_is_shown_as_it_was_declared(client, shipper, make_departure):
    departure = make_departure("XAEU")
    response = _book(
        client, shipper, departure,
        destination="plmaa",
        cargo=cargo(hs_code="2836.60", net_weight_kg=18000, dangerous_goods=BARIUM),
        customs={**CUSTOMS, "currency": "usd"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["destination"] == "PLMAA"
    assert body["cargo"]["hs_code"] == "283660"
    assert body["cargo"]["packages"] == {"count": 800, "kind": "CT", "marks": "HK/DUI 1-800"}
    assert body["cargo"]["net_weight_kg"] == 18000
    assert body["cargo"]["has_dangerous_goods"] is True
    assert body["cargo"]["dangerous_goods"] == BARIUM
    assert body["customs"] == {**CUSTOMS, "invoice_value": "48250.00", "released_at": None}


def test_no_dangerous_goods_is_recorded_as_a_declared_no(
    client, db_session, shipper, make_departure
):
    response = _book(client, shipper, make_departure(), cargo=cargo(has_dangerous_goods=False))
    assert response.status_code == 201
    assert response.get_json()["cargo"]["has_dangerous_goods"] is False
    assert response.get_json()["cargo"]["dangerous_goods"] is None
    assert db_session.scalar(select(Booking.has_dangerous_goods)) is False


@pytest.mark.parametrize(
    ("route", "place"), [("EAST", "DEDUI"), ("XAEU", "NLRTM"), ("XAEU", "XXXXX")]
)
def test_a_destination_off_the_route_is_422(
    client, db_session, shipper, make_departure, route, place
):
    response = _book(client, shipper, make_departure(route), destination=place)
    _refused(client, db_session, response, "destination")


def test_a_new_booking_needs_a_destination_and_packages(
    client, db_session, shipper, make_departure
):
    body = booking_body(make_departure())
    del body["destination"], body["cargo"]["packages"]
    response = client.post("/api/v1/bookings", json=body, headers=shipper.headers)
    _refused(client, db_session, response, "destination")
    assert "cargo.packages" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("packages", "field"),
    [
        ({"count": 0, "kind": "CT"}, "cargo.packages.count"),
        ({"count": 10, "kind": "ZZZ"}, "cargo.packages.kind"),
        ({"count": 10}, "cargo.packages.kind"),
        ({"count": 10, "kind": "CT", "marks": "M" * 256}, "cargo.packages.marks"),
    ],
)
def test_packages_are_counted_in_a_recommendation_21_kind(
    client, db_session, shipper, make_departure, packages, field
):
    response = _book(client, shipper, make_departure(), cargo=cargo(packages=packages))
    _refused(client, db_session, response, field)


def test_one_package_of_a_listed_kind_in_lower_case_is_enough(client, shipper, make_departure):
    response = _book(
        client, shipper, make_departure(), cargo=cargo(packages={"count": 1, "kind": "px"})
    )
    assert response.status_code == 201
    assert response.get_json()["cargo"]["packages"] == {"count": 1, "kind": "PX", "marks": None}


@pytest.mark.parametrize(
    ("hs_code", "accepted"),
    [("090210", True), ("0902102", False), ("09021000", True), ("090210000", False),
     ("0902100000", True), ("09021", False), ("09021000001", False)],
)  # fmt: skip
def test_an_hs_code_has_6_8_or_10_digits(
    client, db_session, shipper, make_departure, hs_code, accepted
):
    response = _book(client, shipper, make_departure(), cargo=cargo(hs_code=hs_code))
    if accepted:
        assert response.status_code == 201, response.get_json()
    else:
        _refused(client, db_session, response, "cargo.hs_code")


def test_the_net_weight_may_equal_the_gross_but_not_exceed_it(
    client, db_session, shipper, make_departure
):
    departure = make_departure()
    over = _book(client, shipper, departure, cargo=cargo(net_weight_kg=18500.1))
    _refused(client, db_session, over, "cargo.net_weight_kg")
    assert _book(client, shipper, departure, cargo=cargo(net_weight_kg=18500)).status_code == 201


@pytest.mark.parametrize(
    ("lines", "limit"),
    [
        ([{"size_type": "22G1", "quantity": 1}], 28_280),  # 30,480 - 2,200
        ([{"size_type": "22G1", "quantity": 2}, {"size_type": "42G1", "quantity": 1}], 83_290),
    ],
)
def test_the_gross_weight_fits_the_containers_to_the_kilogram(
    client, db_session, shipper, make_departure, lines, limit
):
    departure = make_departure()
    over = _book(client, shipper, departure, containers=lines,
                 cargo=cargo(gross_weight_kg=limit + 1))  # fmt: skip
    messages = _refused(client, db_session, over, "cargo.gross_weight_kg")
    assert f"{limit:,}" in messages[0]
    english = client.post(
        "/api/v1/bookings",
        json=booking_body(departure, containers=lines, cargo=cargo(gross_weight_kg=limit + 1)),
        headers={**shipper.headers, "Accept-Language": "en"},
    ).get_json()["errors"]["cargo.gross_weight_kg"]
    assert english == [
        f"The containers booked can carry at most {limit:,} kg of cargo"
        " (maximum gross less typical tare of each)."
    ]
    at = _book(client, shipper, departure, containers=lines, cargo=cargo(gross_weight_kg=limit))
    assert at.status_code == 201, at.get_json()


def test_900_tonnes_in_one_box_is_refused(client, db_session, shipper, make_departure):
    one_box = [{"size_type": "22G1", "quantity": 1}]
    response = _book(
        client, shipper, make_departure(), containers=one_box, cargo=cargo(gross_weight_kg=900_000)
    )
    _refused(client, db_session, response, "cargo.gross_weight_kg")


@pytest.mark.parametrize(
    ("un_number", "accepted"),
    [("UN0004", True), ("UN0000", False), ("UN0003", False), ("UN3550", True),
     ("UN3551", False), ("1564", True), ("UN15640", False)],
)  # fmt: skip
def test_un_numbers_run_from_0004_to_3550(
    client, db_session, shipper, make_departure, un_number, accepted
):
    # 6.1 is carried by every route; the class need not match the number for this rule.
    dangerous = {**BARIUM, "un_number": un_number}
    response = _book(client, shipper, make_departure(), cargo=cargo(dangerous_goods=dangerous))
    if accepted:
        assert response.status_code == 201, response.get_json()
    else:
        _refused(client, db_session, response, "cargo.dangerous_goods.un_number")


@pytest.mark.parametrize("dg_class", ["3", "4.1", "4.2", "4.3", "5.1", "6.1", "8", "9"])
def test_each_class_that_takes_a_packing_group_needs_one(
    client, db_session, shipper, make_departure, dg_class
):
    dangerous = {**BARIUM, "class": dg_class, "packing_group": None}
    response = _book(client, shipper, make_departure(), cargo=cargo(dangerous_goods=dangerous))
    messages = _refused(client, db_session, response, "cargo.dangerous_goods.packing_group")
    assert dg_class in messages[0]


@pytest.mark.parametrize("dg_class", ["2.1", "2.2", "2.3", "5.2", "6.2"])
def test_classes_without_packing_groups_take_none(
    client, db_session, shipper, make_departure, dg_class
):
    departure = make_departure()
    with_group = _book(client, shipper, departure,
                       cargo=cargo(dangerous_goods={**BARIUM, "class": dg_class}))  # fmt: skip
    _refused(client, db_session, with_group, "cargo.dangerous_goods.packing_group")
    dangerous = {**BARIUM, "class": dg_class, "packing_group": None}
    response = _book(client, shipper, departure, cargo=cargo(dangerous_goods=dangerous))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("field", ["proper_shipping_name", "emergency_contact"])
def test_a_declaration_names_the_goods_and_a_contact(
    client, db_session, shipper, make_departure, field
):
    dangerous = {key: value for key, value in BARIUM.items() if key != field}
    response = _book(client, shipper, make_departure(), cargo=cargo(dangerous_goods=dangerous))
    _refused(client, db_session, response, f"cargo.dangerous_goods.{field}")


@pytest.mark.parametrize(
    ("route", "dg_class"), [("XAEU", "1.1"), ("XAEU", "7"), ("EAST", "7"), ("WHSEA", "1.4")]
)
def test_a_class_the_route_refuses_is_422_saying_so(
    client, db_session, shipper, make_departure, route, dg_class
):
    dangerous = {**BARIUM, "class": dg_class, "packing_group": None}
    departure = make_departure(route)
    response = client.post(
        "/api/v1/bookings",
        json=booking_body(departure, cargo=cargo(dangerous_goods=dangerous)),
        headers={**shipper.headers, "Accept-Language": "en"},
    )
    messages = _refused(client, db_session, response, "cargo.dangerous_goods.class")
    assert messages == [f"The {route} service does not carry class {dg_class}."]


def test_an_answer_that_contradicts_the_declaration_is_422(
    client, db_session, shipper, make_departure
):
    departure = make_departure()
    no_but = _book(client, shipper, departure,
                   cargo=cargo(has_dangerous_goods=False, dangerous_goods=BARIUM))  # fmt: skip
    _refused(client, db_session, no_but, "cargo.has_dangerous_goods")
    yes_but = _book(client, shipper, departure, cargo=cargo(has_dangerous_goods=True))
    _refused(client, db_session, yes_but, "cargo.dangerous_goods")


@pytest.mark.parametrize(
    ("customs", "field"),
    [
        ({**CUSTOMS, "declaration_no": "22332026100012345"}, "customs.declaration_no"),
        ({**CUSTOMS, "declaration_no": "2233202610001234567"}, "customs.declaration_no"),
        ({**CUSTOMS, "invoice_value": "-0.01"}, "customs.invoice_value"),
        ({**CUSTOMS, "currency": "XYZ"}, "customs.currency"),
        ({**CUSTOMS, "currency": "RMB"}, "customs.currency"),
        ({"declaration_no": CUSTOMS["declaration_no"]}, "customs.currency"),
    ],
)
def test_customs_data_is_checked(client, db_session, shipper, make_departure, customs, field):
    response = _book(client, shipper, make_departure(), customs=customs)
    _refused(client, db_session, response, field)


def test_a_zero_invoice_value_is_accepted(client, shipper, make_departure):
    response = _book(client, shipper, make_departure(), customs={**CUSTOMS, "invoice_value": 0})
    assert response.status_code == 201
    assert response.get_json()["customs"]["invoice_value"] == "0.00"


# ---- amending ---------------------------------------------------------------------------


def test_an_amendment_keeps_every_rule(client, db_session, shipper, make_departure):
    placed = _book(client, shipper, make_departure("XAEU")).get_json()
    path = f"/api/v1/bookings/{placed['reference']}"
    for change, field in (
        ({"destination": "CNNGB"}, "destination"),
        ({"cargo": cargo(hs_code="0902102")}, "cargo.hs_code"),
        ({"cargo": cargo(gross_weight_kg=56_561)}, "cargo.gross_weight_kg"),
        ({"cargo": cargo(dangerous_goods={**BARIUM, "class": "1.1", "packing_group": None})},
         "cargo.dangerous_goods.class"),
    ):  # fmt: skip
        response = client.patch(path, json={"version": 1, **change}, headers=shipper.headers)
        assert response.status_code == 422, (change, response.get_json())
        assert field in response.get_json()["errors"], response.get_json()
    fine = client.patch(
        path,
        json={"version": 1, "destination": "DEHAM", "cargo": cargo(gross_weight_kg=56_560)},
        headers=shipper.headers,
    )
    assert fine.status_code == 200, fine.get_json()
    assert fine.get_json()["destination"] == "DEHAM" and fine.get_json()["version"] == 2
    fewer = client.patch(
        path,
        json={"version": 2, "containers": [{"size_type": "22G1", "quantity": 1}]},
        headers=shipper.headers,
    )
    assert fewer.status_code == 422  # 56,560 kg do not fit one box any more
    assert "28,280" in fewer.get_json()["errors"]["cargo.gross_weight_kg"][0]
    stale = client.patch(path, json={"version": 1, "destination": "PLLOD"}, headers=shipper.headers)
    assert stale.status_code == 409


# ---- customs after confirmation ---------------------------------------------------------


def _customs(client, reference, headers, customs=CUSTOMS, version=None, **extra):
    return client.patch(
        f"/api/v1/bookings/{reference}",
        json={"customs": customs, **({"version": version} if version else {})},
        headers={**headers, **extra},
    )


def test_customs_alone_is_changed_after_confirmation_by_the_shipper_and_an_operator(
    client, db_session, shipper, make_booking, make_user, api_token
):
    booking = make_booking(shipper.company, status=BookingStatus.CONFIRMED)
    response = _customs(client, booking.reference, shipper.headers, version=1)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["customs"]["declaration_no"] == CUSTOMS["declaration_no"]
    operator = api_token(make_user(Role.OPERATOR).email)
    changed = {**CUSTOMS, "invoice_value": "50000.5", "currency": "EUR"}
    response = _customs(client, booking.reference, operator, changed, version=2)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["customs"] == {
        **changed,
        "invoice_value": "50000.50",
        "released_at": None,
    }
    # other amendments stay closed once confirmed
    other = client.patch(
        f"/api/v1/bookings/{booking.reference}",
        json={"version": 3, "customs": CUSTOMS, "destination": "CNNGB"},
        headers=shipper.headers,
    )
    assert other.status_code == 409
    db_session.expire_all()
    events = db_session.get(Booking, booking.id).events
    assert [e.details["changes"]["customs"][1] for e in events][-1].endswith("50000.50 EUR")


def test_customs_with_a_stale_version_is_409(client, shipper, make_booking):
    booking = make_booking(shipper.company)
    assert _customs(client, booking.reference, shipper.headers, version=1).status_code == 200
    assert _customs(client, booking.reference, shipper.headers, version=1).status_code == 409
    assert _customs(client, booking.reference, shipper.headers).status_code == 422  # no version


def test_customs_closes_when_the_departure_leaves(
    client, db_session, shipper, make_booking, make_departure
):
    departure = make_departure(status=DepartureStatus.DEPARTED)
    booking = make_booking(shipper.company, departure=departure, status=BookingStatus.DEPARTED)
    assert _customs(client, booking.reference, shipper.headers, version=1).status_code == 409
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).customs_declaration_no is None


def test_customs_is_refused_with_bad_data_and_writes_nothing(
    client, db_session, shipper, make_booking
):
    booking = make_booking(shipper.company, status=BookingStatus.CONFIRMED)
    bad = {**CUSTOMS, "declaration_no": "1234"}
    response = _customs(client, booking.reference, shipper.headers, bad, version=1)
    assert response.status_code == 422
    assert "customs.declaration_no" in response.get_json()["errors"]
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).version == 1


def test_another_companys_booking_is_404_on_the_customs_route(
    client, shipper, make_booking, make_user, api_token
):
    other = make_user(Role.SHIPPER)
    booking = make_booking(other.company, status=BookingStatus.CONFIRMED)
    response = _customs(client, booking.reference, shipper.headers, version=1)
    assert response.status_code == 404


def test_a_clerk_may_not_change_customs(client, shipper, make_booking, make_user, api_token):
    booking = make_booking(shipper.company)
    clerk = api_token(make_user(Role.CLERK, station="HB").email)
    assert _customs(client, booking.reference, clerk, version=1).status_code == 403


def test_an_operator_may_not_amend_anything_but_customs(
    client, shipper, make_booking, make_user, api_token
):
    booking = make_booking(shipper.company)
    operator = api_token(make_user(Role.OPERATOR).email)
    response = client.patch(
        f"/api/v1/bookings/{booking.reference}",
        json={"version": 1, "destination": "CNNGB"},
        headers=operator,
    )
    assert response.status_code == 403
