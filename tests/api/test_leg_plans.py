"""A departure's legs through the API: GET shows the plan, operators PATCH one leg."""

from datetime import UTC, datetime, timedelta

import pytest

from dryport.models import AuditEntry, DepartureStatus, Role, VgmMethod
from dryport.services import loading, waybills
from dryport.services.containers import make_number

DEPARTS = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
PROBLEM = "application/problem+json"


@pytest.fixture
def people(make_user, api_token):
    shipper = make_user(Role.SHIPPER)
    return {
        "shipper": api_token(shipper.email),
        "clerk": api_token(make_user(Role.CLERK, station="HB").email),
        "operator": api_token(make_user(Role.OPERATOR).email),
        "user": shipper,
    }


def _path(departure, seq=2):
    return f"/api/v1/departures/{departure.id}/legs/{seq}"


def test_get_departure_shows_its_legs(client, people, make_departure):
    departure = make_departure("XAEU", departs_at=DEPARTS, service_no="X8024")
    body = client.get(f"/api/v1/departures/{departure.id}", headers=people["shipper"]).get_json()
    feeder, main = body["legs"]
    assert feeder == {
        "seq": 1,
        "mode": "RAIL",
        "from": {"name_zh": "恒口", "name_en": "Hengkou"},
        "to": {"name_zh": "西安国际港站", "name_en": "Xi'an International Port"},
        "carrier": "中国铁路西安局集团有限公司 China Railway Xi'an Group",
        "service_no": None,
        "planned_departure": "2027-02-28T16:00:00+00:00",
        "planned_arrival": "2027-03-01T02:00:00+00:00",
        "own": False,
        # nothing recorded yet: the plan is what is expected
        "estimated_departure": "2027-02-28T16:00:00+00:00",
        "estimated_arrival": "2027-03-01T02:00:00+00:00",
        "actual_departure": None,
        "actual_arrival": None,
        "status": "PLANNED",
    }
    assert (main["service_no"], main["own"]) == ("X8024", True)
    assert main["planned_arrival"] == "2027-03-17T02:00:00+00:00"


def test_an_operator_plans_a_leg_and_the_departure_version_moves(
    client, db_session, people, make_departure
):
    departure = make_departure("WHSEA", departs_at=DEPARTS)
    leaves = DEPARTS + timedelta(days=5)
    response = client.patch(
        _path(departure, 3),
        headers={**people["operator"], "If-Match": 'W/"1"'},
        json={
            "carrier": " 长江航运 Changjiang Shipping ",
            "service_no": "CJ2611E",
            "planned_departure": leaves.isoformat(),
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == 'W/"2"'
    water = response.get_json()["legs"][2]
    assert water["carrier"] == "长江航运 Changjiang Shipping"
    assert water["service_no"] == "CJ2611E"
    assert water["planned_departure"] == leaves.isoformat()
    assert water["planned_arrival"] == (leaves + timedelta(hours=96)).isoformat()
    assert response.get_json()["legs"][3]["planned_departure"] == water["planned_arrival"]
    entry = db_session.query(AuditEntry).filter_by(entity="departure").one()
    assert entry.changes["legs.3.service_no"] == [None, "CJ2611E"]

    # null puts a field back to the route's default
    back = client.patch(
        _path(departure, 3),
        headers=people["operator"],
        json={"version": 2, "carrier": None, "planned_departure": None},
    )
    water = back.get_json()["legs"][2]
    assert (water["carrier"], water["service_no"]) == (None, "CJ2611E")
    assert water["planned_departure"] == (DEPARTS + timedelta(hours=96)).isoformat()


def test_a_stale_version_is_a_409_and_writes_nothing(client, people, make_departure):
    departure = make_departure("XAEU", departs_at=DEPARTS)
    first = client.patch(_path(departure, 1), headers=people["operator"],
                         json={"version": 1, "service_no": "X1"})  # fmt: skip
    assert first.status_code == 200
    stale = client.patch(_path(departure, 1), headers=people["operator"],
                         json={"version": 1, "service_no": "X2"})  # fmt: skip
    assert stale.status_code == 409 and stale.content_type == PROBLEM
    got = client.get(f"/api/v1/departures/{departure.id}", headers=people["operator"])
    assert got.get_json()["legs"][0]["service_no"] == "X1"


def test_the_version_is_required(client, people, make_departure):
    departure = make_departure("XAEU")
    response = client.patch(_path(departure), headers=people["operator"], json={"carrier": "A"})
    assert response.status_code == 422 and "version" in response.get_json()["errors"]


def test_an_unknown_leg_or_departure_is_a_404(client, people, make_departure):
    departure = make_departure("EAST")
    for path in (_path(departure, 2), f"/api/v1/departures/{departure.id + 99}/legs/1"):
        response = client.patch(path, headers=people["operator"], json={"version": 1})
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "body, field",
    [
        ({"planned_arrival": DEPARTS.isoformat()}, "planned_arrival"),
        (
            {
                "planned_departure": (DEPARTS + timedelta(days=2)).isoformat(),
                "planned_arrival": (DEPARTS + timedelta(days=1)).isoformat(),
            },
            "planned_arrival",
        ),
        ({"planned_arrival": "2027-03-02T10:00:00"}, "planned_arrival"),  # no offset
        ({"service_no": ""}, "service_no"),
        ({"service_no": "X" * 21}, "service_no"),
        ({"carrier": "C" * 129}, "carrier"),
        ({"planned_departure": "9999-12-31T23:59:59+00:00"}, "planned_departure"),
    ],
)
def test_bad_input_is_a_422_beside_its_field(client, people, make_departure, body, field):
    departure = make_departure("XAEU", departs_at=DEPARTS)
    response = client.patch(
        _path(departure), headers=people["operator"], json={"version": 1, **body}
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    after = client.get(f"/api/v1/departures/{departure.id}", headers=people["operator"])
    assert after.headers["ETag"] == 'W/"1"'


@pytest.mark.parametrize("status", [DepartureStatus.DEPARTED, DepartureStatus.CANCELLED])
def test_a_departure_that_left_or_was_cancelled_is_a_409(client, people, make_departure, status):
    departure = make_departure("XAEU", status=status)
    response = client.patch(
        _path(departure), headers=people["operator"], json={"version": 1, "service_no": "X9"}
    )
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["shipper", "clerk"])
def test_only_operators_plan_legs(client, people, make_departure, role):
    departure = make_departure("XAEU")
    response = client.patch(
        _path(departure), headers=people[role], json={"version": 1, "service_no": "X9"}
    )
    assert response.status_code == 403


def test_a_changed_leg_reissues_the_confirmed_waybills(
    client, db_session, people, make_departure, make_booking, make_user
):
    departure = make_departure("XAEU")
    booking = make_booking(people["user"].company, departure=departure, origin="HB")
    clerk = make_user(Role.CLERK, station="HB")
    loading.confirm_load(db_session, clerk, booking.reference, [{
        "number": make_number("TGH", 1), "size_type": "22G1", "seal": "S1", "tare_kg": 2300,
        "vgm_kg": 14300, "vgm_method": VgmMethod.METHOD_1, "vgm_certified_by": "Wang Fang",
    }])  # fmt: skip
    db_session.commit()
    tag = client.get(f"/api/v1/departures/{departure.id}", headers=people["operator"]).headers
    response = client.patch(
        _path(departure, 1),
        headers={**people["operator"], "If-Match": tag["ETag"]},
        json={"service_no": "F1"},
    )
    assert response.status_code == 200
    db_session.expire_all()
    assert waybills.latest(db_session, booking.id).revision == 2


def test_routes_show_transit_hours_and_an_administrator_sets_them(client, make_user, api_token):
    admin = api_token(make_user(Role.ADMIN).email)
    routes = {r["code"]: r for r in client.get("/api/v1/routes", headers=admin).get_json()}
    assert [leg["transit_hours"] for leg in routes["WHSEA"]["legs"]] == [4, 96, 96, None]
    legs = [
        {k: v for k, v in leg.items() if k not in ("seq",)} | {"transit_hours": 300}
        for leg in routes["EAST"]["legs"]
    ]
    for leg in legs:
        leg["carriers"] = [{k: v for k, v in c.items() if k != "seq"} for c in leg["carriers"]]
    response = client.patch("/api/v1/routes/EAST", json={"version": 1, "legs": legs},
                            headers=admin)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["legs"][0]["transit_hours"] == 300
    legs[0]["transit_hours"] = 0
    bad = client.patch("/api/v1/routes/EAST", json={"version": 2, "legs": legs}, headers=admin)
    assert bad.status_code == 422 and "transit_hours" in str(bad.get_json()["errors"])
