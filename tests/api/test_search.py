"""Every list of the API takes ``q``: a case-insensitive "contains" search, one rule for all
lists (``services.search``), with % and _ matched as themselves and paging applied to the
rows found."""

import json

import pytest

from dryport.models import BookingStatus, Container, Role, VgmMethod, Waybill

PATH = "/api/v1/bookings"


@pytest.fixture
def shipper(make_user, make_company, api_token):
    user = make_user(Role.SHIPPER, company=make_company("Hengkou Tea Trading 恒口茶业"))
    user.headers = api_token(user.email)
    return user


def _found(client, headers, path):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), json.loads(response.headers["X-Pagination"])


def _references(client, headers, query):
    items, _ = _found(client, headers, f"{PATH}?{query}")
    return sorted(item["reference"] for item in items)


@pytest.fixture
def booking_for(db_session, make_booking):
    """A booking of ``company`` for ``consignee``."""

    def make(company, consignee="Duisburg Intermodal GmbH"):
        booking = make_booking(company)
        booking.consignee_name = consignee
        db_session.commit()
        return booking

    return make


@pytest.fixture
def four(db_session, shipper, booking_for):
    """Four bookings of the shipper, each findable by one field only."""
    plain = booking_for(shipper.company, "Duisburg Intermodal GmbH")
    school = booking_for(shipper.company, "École Centrale de Lyon")
    boxed = booking_for(shipper.company, "Almaty Rail Services")
    boxed.containers = [
        Container(
            number="MSKU1234565", size_type="22G1", seal_no="S1", tare_kg=2200, vgm_kg=14000,
            vgm_method=VgmMethod.METHOD_1, weighed_by="Hengkou yard",
        )
    ]  # fmt: skip
    billed = booking_for(shipper.company, "Malaszewicze Terminal")
    db_session.add(Waybill(number="HKWB-2026-000777", booking=billed, token="t" * 64))
    db_session.commit()
    return plain, school, boxed, billed


def test_q_finds_a_booking_by_each_of_its_fields(client, shipper, four):
    plain, school, boxed, billed = four
    headers = shipper.headers
    assert _references(client, headers, f"q={plain.reference.lower()}") == [plain.reference]
    assert _references(client, headers, "q=duisburg") == [plain.reference]
    assert _references(client, headers, "q=msku1234565") == [boxed.reference]
    assert _references(client, headers, "q=wb-2026-000777") == [billed.reference]
    everyone = sorted(b.reference for b in four)
    assert _references(client, headers, "q=恒口茶业") == everyone
    assert _references(client, headers, "q=hengkou tea") == everyone


def test_an_arrived_booking_is_found_by_the_containers_it_carried(
    client, db_session, shipper, four
):
    boxed = four[2]
    boxed.status = BookingStatus.ARRIVED
    boxed.containers[0].live = False  # as arrival leaves them
    db_session.commit()
    assert _references(client, shipper.headers, "q=MSKU1234565") == [boxed.reference]


def test_q_is_case_insensitive_beyond_ascii(client, shipper, four):
    school = four[1]
    assert _references(client, shipper.headers, "q=ÉCOLE") == [school.reference]
    assert _references(client, shipper.headers, "q=école centrale") == [school.reference]


def test_q_matches_percent_and_underscore_literally(client, shipper, booking_for):
    percent = booking_for(shipper.company, "100% Cotton Ltd")
    underscore = booking_for(shipper.company, "ACME_Export")
    booking_for(shipper.company, "ACME Export 100 Cotton")
    assert _references(client, shipper.headers, "q=%25") == [percent.reference]
    assert _references(client, shipper.headers, "q=0%25 c") == [percent.reference]
    assert _references(client, shipper.headers, "q=e_e") == [underscore.reference]
    assert _references(client, shipper.headers, "q=%5C") == []  # a backslash is text too


def test_blank_q_filters_nothing(client, shipper, four):
    assert len(_references(client, shipper.headers, "q=%20%20")) == 4


def test_q_stays_within_the_users_scope(client, shipper, make_company, booking_for):
    booking_for(make_company("Hengkou Tea Rivals"), "Duisburg Intermodal GmbH")
    assert _references(client, shipper.headers, "q=duisburg") == []
    assert _references(client, shipper.headers, "q=rivals") == []


def test_paging_counts_the_rows_found(client, shipper, booking_for):
    for n in range(5):
        booking_for(shipper.company, f"Lodz Terminal {n}")
    booking_for(shipper.company, "Duisburg Intermodal GmbH")
    items, pagination = _found(client, shipper.headers, f"{PATH}?q=lodz&page_size=2&page=3")
    assert pagination["total"] == 5 and pagination["total_pages"] == 3
    assert [item["consignee"]["name"] for item in items] == ["Lodz Terminal 0"]


def test_staff_find_a_booking_by_the_shippers_name(
    client, make_user, api_token, make_company, booking_for
):
    wanted = booking_for(make_company("Ankang Silk Co"))
    booking_for(make_company("Xi'an Machinery"))
    headers = api_token(make_user(Role.OPERATOR).email)
    assert _references(client, headers, "q=ANKANG") == [wanted.reference]


def test_a_too_long_q_is_422_in_the_users_language(client, shipper):
    headers = {**shipper.headers, "Accept-Language": "zh"}
    response = client.get(f"{PATH}?q={'x' * 101}", headers=headers)
    assert response.status_code == 422
    assert "100" in json.dumps(response.get_json(), ensure_ascii=False)
    assert "字" in json.dumps(response.get_json(), ensure_ascii=False)


def test_departures_are_found_by_service_number_or_route(client, shipper, make_departure):
    east = make_departure("EAST", days=2, service_no="X8001")
    make_departure("XAEU", days=3, service_no="X9002")
    found, _ = _found(client, shipper.headers, "/api/v1/departures?q=x80")
    assert [d["id"] for d in found] == [east.id]
    found, _ = _found(client, shipper.headers, "/api/v1/departures?q=east")
    assert [d["id"] for d in found] == [east.id]


def test_stations_and_routes_are_found_by_code_or_name(client, shipper, seeded):
    stations, _ = _found(client, shipper.headers, "/api/v1/stations?q=hb")
    assert [s["code"] for s in stations] == ["HB"]
    routes, _ = _found(client, shipper.headers, "/api/v1/routes?q=xaeu")
    assert [r["code"] for r in routes] == ["XAEU"]


def test_webhooks_are_found_by_url(client, shipper, db_session):
    from dryport.models import WebhookEndpoint

    for url in ("https://erp.example.com/hooks", "https://tms.example.org/in"):
        db_session.add(WebhookEndpoint(company=shipper.company, url=url, secret="s" * 40))
    db_session.commit()
    found, _ = _found(client, shipper.headers, "/api/v1/webhooks?q=TMS")
    assert [w["url"] for w in found] == ["https://tms.example.org/in"]


@pytest.mark.parametrize(
    "path", ["/bookings", "/departures", "/stations", "/routes", "/webhooks",
             "/webhooks/{endpoint_id}/deliveries"]
)  # fmt: skip
def test_the_openapi_document_shows_q_on_every_list(client, path):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"]["/api/v1" + path]["get"]["parameters"]
    q = next(p for p in parameters if p["name"] == "q")
    assert q["in"] == "query" and q["schema"]["maxLength"] == 100
    assert "case-insensitive" in q["description"]
