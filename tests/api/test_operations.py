"""The clerk's load check and the operator's departures, through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import Booking, BookingStatus, Container, Departure, DepartureStatus, Role
from dryport.services.clock import utcnow
from tests.conftest import container_rows

PROBLEM = "application/problem+json"


@pytest.fixture
def people(make_user, api_token):
    shipper = make_user(Role.SHIPPER)
    clerk = make_user(Role.CLERK, station="HB")
    other_clerk = make_user(Role.CLERK, station="BH")
    operator = make_user(Role.OPERATOR)
    return {
        "shipper": (shipper, api_token(shipper.email)),
        "clerk": (clerk, api_token(clerk.email)),
        "other_clerk": (other_clerk, api_token(other_clerk.email)),
        "operator": (operator, api_token(operator.email)),
    }


rows = container_rows


def _confirm(client, headers, booking, containers, **extra):
    return client.post(
        f"/api/v1/bookings/{booking.reference}/confirm",
        json={"containers": containers, **extra},
        headers=headers,
    )


def _reload(db_session, model, id_):
    db_session.expire_all()
    return db_session.get(model, id_)


# ---- confirm ------------------------------------------------------------------------------


def test_the_clerk_confirms_a_load(client, db_session, people, make_booking):
    shipper, clerk = people["shipper"][0], people["clerk"]
    booking = make_booking(shipper.company, lines=(("22G1", 2),))
    response = _confirm(client, clerk[1], booking, rows(" csqu 305438 3", "TCNU7200794"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "CONFIRMED"
    assert [e["number"] for e in body["equipment"]] == ["CSQU3054383", "TCNU7200794"]
    assert body["equipment"][0]["vgm_method"] == "METHOD_1"
    events = client.get(
        f"/api/v1/bookings/{booking.reference}/events", headers=people["shipper"][1]
    ).get_json()
    assert [e["type"] for e in events[-2:]] == ["CONFIRMED", "WAYBILL_ISSUED"]
    assert events[-2]["actor"] == clerk[0].name
    assert body["waybill_no"].startswith("WB-EAST-") and len(body["waybill_no"]) == 17


@pytest.mark.parametrize(
    ("containers", "field", "message"),
    [
        (rows("CSQU3054384", "TCNU7200794"), "containers.0.number", "check digit should be 3"),
        (rows("CSQX3054383", "TCNU7200794"), "containers.0.number", "category letter"),
        (rows("CSQU3054383", "CSQU3054383"), "containers.1.number", "twice"),
        (rows("CSQU3054383", "TCNU7200794", vgm_kg=31000), "containers.0.vgm_kg", "30,480"),
        (rows("CSQU3054383", "TCNU7200794", vgm_kg=2000), "containers.0.vgm_kg", "tare"),
        (
            rows("CSQU3054383", "TCNU7200794", vgm_method="METHOD_2"),
            "containers.0.cargo_kg",
            "cargo",
        ),
        (
            rows(
                "CSQU3054383",
                "TCNU7200794",
                vgm_method="METHOD_2",
                cargo_kg=18000,
                packing_kg=200,
                vgm_kg=21000,
            ),
            "containers.0.vgm_kg",
            "20,500",
        ),
        (rows("CSQU3054383", size_type="22G1"), "containers", "2 × 22G1"),
        (rows("CSQU3054383", "TCNU7200794", size_type="45G1"), "containers", "2 × 22G1"),
        (rows("CSQU3054383", "TCNU7200794", tare_kg=100), "containers.0.tare_kg", ""),
    ],
)
def test_a_wrong_row_is_named_and_nothing_changes(
    client, db_session, people, make_booking, containers, field, message
):
    booking = make_booking(people["shipper"][0].company, lines=(("22G1", 2),))
    response = _confirm(
        client, {**people["clerk"][1], "Accept-Language": "en"}, booking, containers
    )
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert _reload(db_session, Booking, booking.id).status is BookingStatus.RECEIVED
    assert db_session.scalar(select(Container.id)) is None


def test_method_2_adds_up_the_gross_mass(client, people, make_booking):
    booking = make_booking(
        people["shipper"][0].company, lines=(("22G1", 1),), gross_weight_kg=Decimal(18200)
    )
    response = _confirm(
        client,
        people["clerk"][1],
        booking,
        rows("CSQU3054383", vgm_kg=None, vgm_method="METHOD_2", cargo_kg=18000, packing_kg=200),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["equipment"][0]["vgm_kg"] == 20500


def test_a_container_on_a_live_booking_cannot_be_confirmed_again(client, people, make_booking):
    company = people["shipper"][0].company
    first = make_booking(company, lines=(("22G1", 1),))
    second = make_booking(company, lines=(("22G1", 1),))
    assert _confirm(client, people["clerk"][1], first, rows("GYOU4047990")).status_code == 200
    refused = _confirm(client, people["clerk"][1], second, rows("GYOU4047990"))
    assert refused.status_code == 422
    assert "containers.0.number" in refused.get_json()["errors"]


def test_reject_releases_the_teu_and_tells_the_shipper_why(
    client, db_session, people, make_booking
):
    booking = make_booking(people["shipper"][0].company, lines=(("42G1", 1),))
    response = client.post(
        f"/api/v1/bookings/{booking.reference}/reject",
        json={"reason": "Container damaged, please replace"},
        headers=people["clerk"][1],
    )
    assert response.status_code == 200 and response.get_json()["status"] == "REJECTED"
    assert _reload(db_session, Departure, booking.departure_id).held_teu == 0
    events = client.get(
        f"/api/v1/bookings/{booking.reference}/events", headers=people["shipper"][1]
    ).get_json()
    assert events[-1]["details"]["reason"] == "Container damaged, please replace"


def test_a_clerk_of_another_station_gets_404_on_every_booking_route(
    client, db_session, people, make_booking
):
    booking = make_booking(people["shipper"][0].company, origin="HB")
    headers = people["other_clerk"][1]
    ref = booking.reference
    for method, path, body in (
        ("get", f"/api/v1/bookings/{ref}", None),
        ("get", f"/api/v1/bookings/{ref}/events", None),
        ("post", f"/api/v1/bookings/{ref}/confirm", {"containers": rows("CSQU3054383")}),
        ("post", f"/api/v1/bookings/{ref}/reject", {"reason": "not mine"}),
    ):
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.get_json())
    assert ref not in client.get("/api/v1/bookings", headers=headers).get_data(as_text=True)
    assert _reload(db_session, Booking, booking.id).status is BookingStatus.RECEIVED


# ---- roll, depart, arrive -----------------------------------------------------------------


def test_roll_moves_the_teu(client, db_session, people, make_departure, make_booking):
    source, target = make_departure("EAST", days=7), make_departure("EAST", days=14)
    booking = make_booking(people["shipper"][0].company, departure=source, lines=(("42G1", 1),))
    response = client.post(
        f"/api/v1/bookings/{booking.reference}/roll",
        json={"departure_id": target.id},
        headers=people["operator"][1],
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["departure_id"] == target.id
    assert _reload(db_session, Departure, source.id).held_teu == 0
    assert _reload(db_session, Departure, target.id).held_teu == Decimal(2)
    events = client.get(
        f"/api/v1/bookings/{booking.reference}/events", headers=people["operator"][1]
    ).get_json()
    assert events[-1]["type"] == "ROLLED"


def test_roll_into_a_full_departure_is_409_and_nothing_moves(
    client, db_session, people, make_departure, make_booking
):
    source, full = make_departure("EAST", days=7), make_departure("EAST", days=14, capacity=1)
    booking = make_booking(people["shipper"][0].company, departure=source, lines=(("42G1", 1),))
    response = client.post(
        f"/api/v1/bookings/{booking.reference}/roll",
        json={"departure_id": full.id},
        headers=people["operator"][1],
    )
    assert response.status_code == 409
    assert response.get_json()["available_teu"] == 1
    assert _reload(db_session, Booking, booking.id).departure_id == source.id
    assert _reload(db_session, Departure, source.id).held_teu == Decimal(2)
    assert _reload(db_session, Departure, full.id).held_teu == 0


def test_roll_stays_on_the_route(client, people, make_departure, make_booking):
    booking = make_booking(people["shipper"][0].company, departure=make_departure("EAST"))
    other = make_departure("XAEU")
    response = client.post(
        f"/api/v1/bookings/{booking.reference}/roll",
        json={"departure_id": other.id},
        headers=people["operator"][1],
    )
    assert response.status_code == 422 and "departure_id" in response.get_json()["errors"]


def test_depart_is_refused_while_bookings_wait_then_departs_and_arrives(
    client, db_session, people, make_departure, make_booking
):
    departure = make_departure()
    company = people["shipper"][0].company
    waiting = make_booking(company, departure=departure, lines=(("22G1", 1),))
    ready = make_booking(company, departure=departure, lines=(("22G1", 1),))
    gone = make_booking(company, departure=departure, status=BookingStatus.CANCELLED)
    assert _confirm(client, people["clerk"][1], ready, rows("CSQU3054383")).status_code == 200
    operator = people["operator"][1]

    refused = client.post(f"/api/v1/departures/{departure.id}/depart", headers=operator)
    assert refused.status_code == 409
    assert refused.get_json()["bookings"] == [waiting.reference]
    assert waiting.reference in refused.get_json()["detail"]

    client.post(
        f"/api/v1/bookings/{waiting.reference}/reject",
        json={"reason": "No show"},
        headers=people["clerk"][1],
    )
    left = client.post(f"/api/v1/departures/{departure.id}/depart", headers=operator)
    assert left.status_code == 200 and left.get_json()["status"] == "DEPARTED"
    assert left.get_json()["departed_at"] is not None
    assert _reload(db_session, Booking, ready.id).status is BookingStatus.DEPARTED

    arrived = client.post(f"/api/v1/departures/{departure.id}/arrive", headers=operator)
    assert arrived.status_code == 200
    assert _reload(db_session, Booking, ready.id).status is BookingStatus.ARRIVED
    assert _reload(db_session, Booking, gone.id).status is BookingStatus.CANCELLED
    assert _reload(db_session, Booking, waiting.id).status is BookingStatus.REJECTED
    # The container is free again for a new booking.
    again = make_booking(company, lines=(("22G1", 1),))
    assert _confirm(client, people["clerk"][1], again, rows("CSQU3054383")).status_code == 200


def test_plan_and_replan_a_departure(client, people):
    operator = people["operator"][1]
    departs = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    body = {
        "route": "XAEU",
        "service_no": "X8157",
        "departs_at": departs.isoformat(),
        "cutoff_at": (departs - timedelta(hours=24)).isoformat(),
        "capacity_teu": 82,
    }
    created = client.post("/api/v1/departures", json=body, headers=operator)
    assert created.status_code == 201, created.get_json()
    departure = created.get_json()
    assert departure["available_teu"] == 82 and departure["route"] == "XAEU"
    duplicate = client.post("/api/v1/departures", json=body, headers=operator)
    assert duplicate.status_code == 409
    late_cutoff = client.post(
        "/api/v1/departures",
        headers=operator,
        json={**body, "service_no": "X1", "cutoff_at": body["departs_at"]},
    )
    assert late_cutoff.status_code == 422 and "cutoff_at" in late_cutoff.get_json()["errors"]
    assert (
        client.post("/api/v1/departures", json=body, headers=people["shipper"][1]).status_code
        == 403
    )


def test_capacity_may_not_drop_below_what_is_held(
    client, db_session, people, make_departure, make_booking
):
    departure = make_departure(capacity=10)
    make_booking(people["shipper"][0].company, departure=departure, lines=(("42G1", 2),))
    version = departure.version
    response = client.patch(
        f"/api/v1/departures/{departure.id}",
        json={"version": version, "capacity_teu": 3},
        headers=people["operator"][1],
    )
    assert response.status_code == 422 and "capacity_teu" in response.get_json()["errors"]
    ok = client.patch(
        f"/api/v1/departures/{departure.id}",
        json={"version": version, "capacity_teu": 4},
        headers=people["operator"][1],
    )
    assert ok.status_code == 200 and ok.get_json()["available_teu"] == 0
    stale = client.patch(
        f"/api/v1/departures/{departure.id}",
        json={"version": version, "capacity_teu": 6},
        headers=people["operator"][1],
    )
    assert stale.status_code == 409


def test_a_departure_shows_its_version_and_takes_if_match_as_a_booking_does(
    client, db_session, people, make_departure
):
    departure = make_departure(capacity=10)
    path, operator = f"/api/v1/departures/{departure.id}", people["operator"][1]
    first = client.get(path, headers=operator)
    tag = first.headers["ETag"]
    assert tag == 'W/"1"' and first.get_json()["version"] == 1
    listed = client.get("/api/v1/departures", headers=operator).get_json()
    assert [d["version"] for d in listed] == [1]
    unchanged = client.get(path, headers={**operator, "If-None-Match": tag})
    assert unchanged.status_code == 304 and not unchanged.data
    replanned = client.patch(path, headers={**operator, "If-Match": tag}, json={"capacity_teu": 12})
    assert replanned.status_code == 200 and replanned.headers["ETag"] == 'W/"2"'
    assert replanned.get_json()["version"] == 2
    stale = client.patch(path, headers={**operator, "If-Match": tag}, json={"capacity_teu": 5})
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    bad = client.patch(path, headers={**operator, "If-Match": 'W/"²"'}, json={"capacity_teu": 5})
    assert bad.status_code == 422 and "If-Match" in bad.get_json()["errors"]
    neither = client.patch(path, headers=operator, json={"capacity_teu": 5})
    assert neither.status_code == 422 and "version" in neither.get_json()["errors"]
    cancel = client.post(f"{path}/cancel", headers={**operator, "If-Match": tag})
    assert cancel.status_code == 409
    assert _reload(db_session, Departure, departure.id).capacity_teu == 12
    cancelled = client.post(f"{path}/cancel", headers={**operator, "If-Match": 'W/"2"'})
    assert cancelled.status_code == 200 and cancelled.headers["ETag"] == 'W/"3"'


def test_the_openapi_document_shows_the_departure_version_and_etag(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "version" in spec["components"]["schemas"]["Departure"]["properties"]
    departure = spec["paths"]["/api/v1/departures/{departure_id}"]
    assert "ETag" in departure["get"]["responses"]["200"]["headers"]
    assert "ETag" in departure["patch"]["responses"]["200"]["headers"]
    assert "If-Match" in [p["name"] for p in departure["patch"]["parameters"]]


def test_a_departure_with_bookings_cannot_be_cancelled(
    client, db_session, people, make_departure, make_booking
):
    departure = make_departure()
    booking = make_booking(people["shipper"][0].company, departure=departure)
    operator = people["operator"][1]
    refused = client.post(f"/api/v1/departures/{departure.id}/cancel", headers=operator)
    assert refused.status_code == 409 and refused.get_json()["bookings"] == [booking.reference]
    client.post(
        f"/api/v1/bookings/{booking.reference}/reject",
        json={"reason": "Rolled off"},
        headers=people["clerk"][1],
    )
    cancelled = client.post(f"/api/v1/departures/{departure.id}/cancel", headers=operator)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "CANCELLED"
    assert _reload(db_session, Departure, departure.id).status is DepartureStatus.CANCELLED


def test_a_deactivated_user_loses_its_token(client, db_session, people):
    user, headers = people["clerk"]
    user.active = False
    db_session.commit()
    assert client.get("/api/v1/stations", headers=headers).status_code == 401


def test_impossible_departure_times_are_refused(client, db_session, people, make_departure):
    departure = make_departure()
    operator = people["operator"][1]
    future = (utcnow() + timedelta(days=1)).isoformat()
    refused = client.post(
        f"/api/v1/departures/{departure.id}/depart", json={"at": future}, headers=operator
    )
    assert refused.status_code == 422 and "at" in refused.get_json()["errors"]
    left = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    assert (
        client.post(
            f"/api/v1/departures/{departure.id}/depart",
            json={"at": left.isoformat()},
            headers=operator,
        ).status_code
        == 200
    )
    early = (left - timedelta(hours=1)).isoformat()
    refused = client.post(
        f"/api/v1/departures/{departure.id}/arrive", json={"at": early}, headers=operator
    )
    assert refused.status_code == 422
    assert _reload(db_session, Departure, departure.id).status is DepartureStatus.DEPARTED


def test_replanning_onto_a_taken_slot_is_409(client, people, make_departure):
    first = make_departure(service_no="X9021", days=7)
    second = make_departure(service_no="X9022", days=8)
    response = client.patch(
        f"/api/v1/departures/{second.id}",
        headers=people["operator"][1],
        json={
            "version": second.version,
            "service_no": "X9021",
            "departs_at": first.departs_at.isoformat(),
            "cutoff_at": first.cutoff_at.isoformat(),
        },
    )
    assert response.status_code == 409 and "service_no" in response.get_json()["errors"]


def test_a_plate_maximum_is_kept_with_the_container(client, db_session, people, make_booking):
    booking = make_booking(
        people["shipper"][0].company, lines=(("22G1", 1),), gross_weight_kg=Decimal(29200)
    )
    response = _confirm(
        client, people["clerk"][1], booking, rows("CSQU3054383", vgm_kg=31500, max_gross_kg=32500)
    )
    assert response.status_code == 200, response.get_json()
    assert db_session.scalar(select(Container.max_gross_kg)) == 32500
