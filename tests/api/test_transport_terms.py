"""A booking's transport terms through the API: a negotiable document, the sea continuation
and the declared value round-trip, and each rule of the route's document is a 422."""

import pytest
from sqlalchemy import func, select

from dryport.models import Booking, BookingStatus, DepartureStatus, Place, PlaceKind, Role
from tests.api.test_shipment_detail import _book

SEA_LEG = {
    "ocean_booking_no": "COSU6281234560",
    "vessel": "COSCO SHIPPING UNIVERSE",
    "voyage": "043W",
    "port_of_discharge": "nlrtm",
}
VALUE = {"amount": "125000.5", "currency": "eur"}


def _refused(client, db_session, response, field):
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0
    return errors[field]


def test_east_with_a_sea_continuation_and_a_declared_value_round_trips(
    client, shipper, make_departure
):
    departure = make_departure("EAST")
    response = _book(client, shipper, departure, sea_leg=SEA_LEG, declared_value=VALUE)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sea_leg"] == {**SEA_LEG, "port_of_discharge": "NLRTM"}
    assert body["declared_value"] == {"amount": "125000.50", "currency": "EUR"}
    assert body["negotiable"] is False
    got = client.get(f"/api/v1/bookings/{body['reference']}", headers=shipper.headers)
    assert got.get_json()["sea_leg"] == body["sea_leg"]
    assert got.get_json()["declared_value"] == body["declared_value"]


def test_a_booking_without_them_says_so(client, shipper, make_departure):
    body = _book(client, shipper, make_departure("XAEU")).get_json()
    assert (body["negotiable"], body["sea_leg"], body["declared_value"]) == (False, None, None)


def test_whsea_is_negotiable_to_order_and_its_port_of_discharge_defaults_to_the_destination(
    client, shipper, make_departure
):
    departure = make_departure("WHSEA")
    response = _book(
        client, shipper, departure, negotiable=True, destination="SGSIN",
        consignee={"name": "TO ORDER OF BANK OF CHINA ANKANG BRANCH", "address": "Ankang"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["negotiable"] is True
    assert body["consignee"]["name"] == "TO ORDER OF BANK OF CHINA ANKANG BRANCH"
    assert body["sea_leg"] == {
        "ocean_booking_no": None, "vessel": None, "voyage": None, "port_of_discharge": "SGSIN",
    }  # fmt: skip


@pytest.mark.parametrize("route", ["EAST", "XAEU"])
def test_only_a_multimodal_document_is_negotiable(
    client, db_session, shipper, make_departure, route
):
    response = _book(client, shipper, make_departure(route), negotiable=True)
    assert "不可转让" in _refused(client, db_session, response, "negotiable")[0]


@pytest.mark.parametrize("name", ["TO ORDER", "to order of shipper", "凭指示", "凭中国银行指示"])
def test_a_to_order_consignee_needs_a_negotiable_document(
    client, db_session, shipper, make_departure, name
):
    response = _book(
        client, shipper, make_departure("WHSEA"), consignee={"name": name, "address": "Ankang"}
    )
    _refused(client, db_session, response, "consignee.name")


def test_a_cim_smgs_note_has_no_sea_leg(client, db_session, shipper, make_departure):
    response = _book(client, shipper, make_departure("XAEU"), sea_leg=SEA_LEG)
    _refused(client, db_session, response, "sea_leg")


@pytest.mark.parametrize("code", ["DEDUI", "XXNOP", "CNAKL"])  # a rail station, unknown, border
def test_the_port_of_discharge_is_a_port(client, db_session, shipper, make_departure, code):
    response = _book(client, shipper, make_departure("EAST"), sea_leg={"port_of_discharge": code})
    _refused(client, db_session, response, "sea_leg.port_of_discharge")


def test_a_port_no_longer_in_use_is_refused(client, db_session, shipper, make_departure):
    db_session.scalar(select(Place).where(Place.code == "SGSIN")).active = False
    db_session.commit()
    response = _book(
        client, shipper, make_departure("EAST"), sea_leg={"port_of_discharge": "SGSIN"}
    )
    _refused(client, db_session, response, "sea_leg.port_of_discharge")


def test_a_whsea_destination_that_is_no_port_needs_a_port_of_discharge(
    client, db_session, shipper, make_departure
):
    route_place = db_session.scalar(select(Place).where(Place.code == "NLRTM"))
    route_place.kind = PlaceKind.RAIL_STATION  # as if an administrator had made it inland
    db_session.commit()
    departure = make_departure("WHSEA")
    response = _book(client, shipper, departure, destination="NLRTM")
    _refused(client, db_session, response, "sea_leg.port_of_discharge")
    named = _book(client, shipper, departure, destination="NLRTM",
                  sea_leg={"port_of_discharge": "DEHAM"})  # fmt: skip
    assert named.status_code == 201, named.get_json()
    assert named.get_json()["sea_leg"]["port_of_discharge"] == "DEHAM"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"sea_leg": {}}, "sea_leg._schema"),
        ({"sea_leg": {"voyage": "V" * 21}}, "sea_leg.voyage"),
        ({"sea_leg": {"ocean_booking_no": "B" * 36}}, "sea_leg.ocean_booking_no"),
        ({"sea_leg": {"vessel": ""}}, "sea_leg.vessel"),
        ({"declared_value": {"amount": "-1", "currency": "CNY"}}, "declared_value.amount"),
        ({"declared_value": {"amount": "1e12", "currency": "CNY"}}, "declared_value.amount"),
        ({"declared_value": {"amount": "١٠٠", "currency": "CNY"}}, "declared_value.amount"),
        ({"declared_value": {"amount": "100", "currency": "XXX"}}, "declared_value.currency"),
        ({"declared_value": {"amount": "100"}}, "declared_value.currency"),
        ({"negotiable": "maybe"}, "negotiable"),
    ],
)
def test_bad_terms_are_422_beside_their_field(
    client, db_session, shipper, make_departure, body, field
):
    response = _book(client, shipper, make_departure("EAST"), **body)
    _refused(client, db_session, response, field)


def test_a_zero_declared_value_is_accepted(client, shipper, make_departure):
    response = _book(client, shipper, make_departure("EAST"),
                     declared_value={"amount": "0", "currency": "CNY"})  # fmt: skip
    assert response.status_code == 201
    assert response.get_json()["declared_value"]["amount"] == "0.00"


def test_an_amendment_changes_and_clears_the_terms(client, db_session, shipper, make_departure):
    departure = make_departure("WHSEA")
    ref = _book(client, shipper, departure).get_json()["reference"]
    path = f"/api/v1/bookings/{ref}"
    amended = client.patch(path, headers=shipper.headers, json={
        "version": 1, "negotiable": True, "declared_value": VALUE,
        "consignee": {"name": "凭指示", "address": "Ankang"},
    })  # fmt: skip
    assert amended.status_code == 200, amended.get_json()
    assert amended.get_json()["negotiable"] is True
    # a straight document again: the to-order consignee it keeps is refused
    refused = client.patch(path, headers=shipper.headers, json={"version": 2, "negotiable": False})
    assert refused.status_code == 422 and "consignee.name" in refused.get_json()["errors"]
    cleared = client.patch(path, headers=shipper.headers, json={
        "version": 2, "negotiable": False, "declared_value": None,
        "consignee": {"name": "Rotterdam Rail Feeding BV", "address": "Rotterdam"},
    })  # fmt: skip
    assert cleared.status_code == 200
    assert cleared.get_json()["declared_value"] is None
    db_session.expire_all()
    changes = [e.details.get("changes", {}) for e in db_session.get(Booking, 1).events]
    assert changes[1]["negotiable"] == ["", "✓"]
    assert changes[1]["declared_value"] == ["", "125000.50 EUR"]


def test_the_sea_leg_alone_changes_after_confirmation_until_the_departure_leaves(
    client, db_session, shipper, make_booking, make_departure, make_user, api_token
):
    departure = make_departure("EAST")
    booking = make_booking(shipper.company, departure=departure, status=BookingStatus.CONFIRMED)
    path = f"/api/v1/bookings/{booking.reference}"
    response = client.patch(path, headers=shipper.headers, json={"version": 1, "sea_leg": SEA_LEG})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sea_leg"]["vessel"] == SEA_LEG["vessel"]
    operator = api_token(make_user(Role.OPERATOR).email)
    both = client.patch(path, headers=operator, json={
        "version": 2, "sea_leg": {**SEA_LEG, "voyage": "044W"},
        "customs": {"declaration_no": "223320261000123456", "invoice_value": "1.00",
                    "currency": "USD"},
    })  # fmt: skip
    assert both.status_code == 200, both.get_json()
    db_session.expire_all()
    last = db_session.get(Booking, booking.id).events[-1].details["changes"]
    assert set(last) == {"sea_leg", "customs"} and "044W" in last["sea_leg"][1]
    # the other terms stay closed once confirmed
    other = client.patch(path, headers=shipper.headers,
                         json={"version": 3, "sea_leg": None, "negotiable": False})  # fmt: skip
    assert other.status_code == 409
    departure.status = DepartureStatus.DEPARTED
    db_session.commit()
    late = client.patch(path, headers=shipper.headers, json={"version": 3, "sea_leg": None})
    assert late.status_code == 409


def test_the_sea_leg_alone_is_still_refused_on_a_cim_smgs_route(
    client, shipper, make_booking, make_departure
):
    booking = make_booking(
        shipper.company, departure=make_departure("XAEU"), status=BookingStatus.CONFIRMED
    )
    response = client.patch(f"/api/v1/bookings/{booking.reference}", headers=shipper.headers,
                            json={"version": 1, "sea_leg": SEA_LEG})  # fmt: skip
    assert response.status_code == 422 and "sea_leg" in response.get_json()["errors"]


def test_another_companys_booking_is_404_for_the_sea_leg(
    client, shipper, make_booking, make_user, make_departure
):
    other = make_user(Role.SHIPPER)
    booking = make_booking(other.company, departure=make_departure("EAST"))
    response = client.patch(f"/api/v1/bookings/{booking.reference}", headers=shipper.headers,
                            json={"version": 1, "sea_leg": SEA_LEG})  # fmt: skip
    assert response.status_code == 404


def test_a_load_records_who_sealed_each_container(client, db_session, shipper, make_booking,
                                                  make_user, api_token):  # fmt: skip
    from tests.conftest import container_rows

    booking = make_booking(shipper.company, lines=(("22G1", 2),))
    clerk = api_token(make_user(Role.CLERK, station="HB").email)
    rows = container_rows("CSQU3054383", "TCNU7200794")
    rows[1]["sealed_by"] = "CUSTOMS"
    response = client.post(f"/api/v1/bookings/{booking.reference}/confirm",
                           json={"containers": rows}, headers=clerk)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    equipment = response.get_json()["equipment"]
    assert [(e["sealed_by"], e["wagon_no"]) for e in equipment] == [
        ("SHIPPER", None), ("CUSTOMS", None),
    ]  # fmt: skip
    rows[1]["sealed_by"] = "BANK"
    bad = make_booking(shipper.company, lines=(("22G1", 2),))
    refused = client.post(f"/api/v1/bookings/{bad.reference}/confirm",
                          json={"containers": rows}, headers=clerk)  # fmt: skip
    assert refused.status_code == 422
    assert "containers.1.sealed_by" in refused.get_json()["errors"]
