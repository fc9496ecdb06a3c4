"""Reference data administered through the API: a new corridor needs no code, every change
is in the audit log, and bad or stale input writes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from dryport.models import BorderCrossing, Departure, Place, Role, Route, Station
from dryport.services.clock import utcnow
from tests.conftest import audit_entries, booking_body, row_count

PROBLEM = "application/problem+json"

CHONGQING = {
    "code": "cncqi",  # kept in capitals
    "name_zh": "重庆(团结村)",
    "name_en": "Chongqing (Tuanjiecun)",
    "kind": "RAIL_STATION",
    "railway_code": "CUW",
}
CR_XIAN = {"name_zh": "中国铁路西安局集团有限公司", "name_en": "China Railway Xi'an Group"}
WLSC = {
    "code": "WLSC",
    "name_zh": "西部陆海新通道(安康—重庆—钦州)",
    "name_en": "Western Land-Sea Corridor (Ankang–Chongqing–Qinzhou)",
    "document_type": "RAIL_WAYBILL",
    "destinations": ["CNQZH"],
    "refused_dg_classes": ["1.1", "1.2", "7"],
    "legs": [
        {
            "mode": "RAIL",
            "origin_zh": "恒口",
            "origin_en": "Hengkou",
            "destination_zh": "重庆(团结村)",
            "destination_en": "Chongqing (Tuanjiecun)",
            "destination_locode": "CNCQI",
            "carriers": [{**CR_XIAN, "section_en": "Hengkou – Ankang", "payer_code": "7001"}],
        },
        {
            "mode": "RAIL",
            "origin_zh": "重庆(团结村)",
            "origin_en": "Chongqing (Tuanjiecun)",
            "origin_locode": "CNCQI",
            "destination_zh": "钦州港",
            "destination_en": "Qinzhou port",
            "destination_locode": "CNQZH",
            "carriers": [
                {"name_zh": "中国铁路成都局集团有限公司", "name_en": "China Railway Chengdu Group",
                 "payer_code": "7002"},
                {"name_zh": "中国铁路南宁局集团有限公司", "name_en": "China Railway Nanning Group",
                 "section_en": "Guizhou border – Qinzhou port", "payer_code": "7003"},
            ],
        },
    ],
}  # fmt: skip


@pytest.fixture
def people(make_user, api_token):
    return {role: api_token(make_user(role).email) for role in Role}


def test_a_new_corridor_is_added_and_booked_without_code(client, db_session, people):
    admin = people[Role.ADMIN]
    created = client.post("/api/v1/places", json=CHONGQING, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["code"] == "CNCQI"
    qinzhou = client.get("/api/v1/places?q=CNQZH", headers=admin).get_json()
    assert [p["code"] for p in qinzhou] == ["CNQZH"]  # a seeded port

    response = client.post("/api/v1/routes", json=WLSC, headers=admin)
    assert response.status_code == 201, response.get_json()
    route = response.get_json()
    assert [p["code"] for p in route["destinations"]] == ["CNQZH"]
    assert route["refused_dg_classes"] == ["1.1", "1.2", "7"]
    second = route["legs"][1]
    assert second["seq"] == 2 and second["origin_locode"] == "CNCQI"
    assert [(c["seq"], c["name_en"], c["payer_code"]) for c in second["carriers"]] == [
        (1, "China Railway Chengdu Group", "7002"),
        (2, "China Railway Nanning Group", "7003"),
    ]
    assert [e.action for e in audit_entries(db_session, "route")] == ["create"]

    listed = client.get("/api/v1/routes", headers=people[Role.SHIPPER]).get_json()
    assert "WLSC" in [r["code"] for r in listed]

    departs = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    planned = client.post(
        "/api/v1/departures",
        json={
            "route": "WLSC", "service_no": "X9001", "departs_at": departs.isoformat(),
            "cutoff_at": (departs - timedelta(days=1)).isoformat(), "capacity_teu": 50,
        },
        headers=people[Role.OPERATOR],
    )  # fmt: skip
    assert planned.status_code == 201, planned.get_json()
    shipper = people[Role.SHIPPER]
    offered = client.get("/api/v1/departures?route=WLSC", headers=shipper).get_json()
    assert [d["service_no"] for d in offered] == ["X9001"]
    booked = client.post(
        "/api/v1/bookings",
        json=booking_body(planned.get_json()["id"], destination="CNQZH"),
        headers=shipper,
    )
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["destination"] == "CNQZH"
    mine = client.get("/api/v1/bookings?route=WLSC", headers=shipper).get_json()
    assert [b["reference"] for b in mine] == [booked.get_json()["reference"]]


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.CLERK, Role.OPERATOR])
def test_only_administrators_change_reference_data(client, db_session, people, role):
    headers = people[role]
    for path, body in (
        ("/api/v1/places", CHONGQING),
        ("/api/v1/routes", WLSC),
        ("/api/v1/stations", {"code": "HS", "name_zh": "新", "name_en": "New", "feeder_hours": 1}),
    ):
        assert client.post(path, json=body, headers=headers).status_code == 403, path
    patched = client.patch("/api/v1/places/DEDUI", json={"version": 1}, headers=headers)
    assert patched.status_code == 403
    assert client.post("/api/v1/places", json=CHONGQING).status_code == 401
    assert row_count(db_session, Route) == 3 and audit_entries(db_session, "place") == []


@pytest.mark.parametrize(
    ("code", "ok"),
    [("CNCQI", True), ("KZ-SAR", True), ("US2NY", True), ("CNQZ", False), ("CNQZH1", False),
     ("C1QZH", False), ("CNQ1H", False), ("KZ-DO", False), ("KZDOS-", False)],
)  # fmt: skip
def test_a_place_code_is_a_un_locode_or_the_projects_own(client, db_session, people, code, ok):
    body = {**CHONGQING, "code": code}
    response = client.post(
        "/api/v1/places", json=body, headers={**people[Role.ADMIN], "Accept-Language": "en"}
    )
    assert response.status_code == (201 if ok else 422), response.get_json()
    if not ok:
        assert "UN/LOCODE" in response.get_json()["errors"]["code"][0]


def test_bad_input_names_the_field_in_the_users_language_and_writes_nothing(
    client, db_session, people
):
    before = row_count(db_session, Place)
    zh = client.post(
        "/api/v1/places",
        json={**CHONGQING, "code": "CNQZ", "kind": "AIRPORT", "name_zh": ""},
        headers={**people[Role.ADMIN], "Accept-Language": "zh"},
    )
    assert zh.status_code == 422 and zh.mimetype == PROBLEM
    errors = zh.get_json()["errors"]
    assert set(errors) == {"code", "kind", "name_zh"}
    assert "联合国贸易与运输地点代码" in errors["code"][0]
    en = client.post(
        "/api/v1/routes",
        json={**WLSC, "destinations": ["CNQZH", "XXNOP"], "refused_dg_classes": ["10"]},
        headers={**people[Role.ADMIN], "Accept-Language": "en"},
    )
    assert en.status_code == 422
    assert set(en.get_json()["errors"]) == {"refused_dg_classes.0"}
    unknown = client.post(
        "/api/v1/routes",
        json={**WLSC, "destinations": ["CNQZH", "XXNOP"]},
        headers={**people[Role.ADMIN], "Accept-Language": "en"},
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {"destinations": ["No such place: XXNOP."]}
    no_legs = client.post("/api/v1/routes", json={**WLSC, "legs": []}, headers=people[Role.ADMIN])
    assert no_legs.status_code == 422 and "legs" in no_legs.get_json()["errors"]
    assert row_count(db_session, Place) == before and row_count(db_session, Route) == 3
    assert audit_entries(db_session, "route") == [] and audit_entries(db_session, "place") == []


def test_a_code_taken_is_a_conflict(client, db_session, people):
    response = client.post(
        "/api/v1/places", json={**CHONGQING, "code": "DEDUI"}, headers=people[Role.ADMIN]
    )
    assert response.status_code == 409 and "code" in response.get_json()["errors"]
    route = client.post("/api/v1/routes", json={**WLSC, "code": "XAEU"}, headers=people[Role.ADMIN])
    assert route.status_code == 409
    station = client.post(
        "/api/v1/stations",
        json={"code": "HB", "name_zh": "汉滨", "name_en": "Hanbin", "feeder_hours": 1},
        headers=people[Role.ADMIN],
    )
    assert station.status_code == 409
    assert row_count(db_session, Route) == 3 and row_count(db_session, Station) == 11


def test_a_stale_edit_is_a_conflict_and_an_edit_is_logged(client, db_session, people):
    admin = people[Role.ADMIN]
    first = client.patch(
        "/api/v1/places/DEHAM", json={"version": 1, "railway_code": "ahm"}, headers=admin
    )
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["railway_code"] == "AHM" and first.headers["ETag"] == 'W/"2"'
    stale = client.patch("/api/v1/places/DEHAM", json={"version": 1, "active": False},
                         headers=admin)  # fmt: skip
    assert stale.status_code == 409
    by_header = client.patch(
        "/api/v1/places/DEHAM", json={"active": False}, headers={**admin, "If-Match": 'W/"1"'}
    )
    assert by_header.status_code == 409
    unversioned = client.patch("/api/v1/places/DEHAM", json={"active": False}, headers=admin)
    assert unversioned.status_code == 422 and "version" in unversioned.get_json()["errors"]
    db_session.expire_all()
    place = db_session.scalar(select(Place).where(Place.code == "DEHAM"))
    assert place.active and place.version == 2
    [entry] = audit_entries(db_session, "place")
    assert entry.changes == {"railway_code": [None, "AHM"]}
    assert (
        client.patch("/api/v1/places/XXNOP", json={"version": 1}, headers=admin).status_code == 404
    )


def test_a_station_is_added_and_edited(client, db_session, people):
    admin = people[Role.ADMIN]
    body = {"code": "hs", "name_zh": "汉滨新区", "name_en": "Hanbin New Area", "feeder_hours": 2}
    created = client.post("/api/v1/stations", json=body, headers=admin)
    assert created.status_code == 201 and created.get_json()["kind"] == "SUBSTATION"
    edited = client.patch(
        "/api/v1/stations/HS", json={"version": 1, "feeder_hours": 3}, headers=admin
    )
    assert edited.status_code == 200 and edited.get_json()["feeder_hours"] == 3
    assert [e.action for e in audit_entries(db_session, "station")] == ["create", "update"]


def test_border_crossings_join_two_border_stations(client, db_session, people):
    admin = {**people[Role.ADMIN], "Accept-Language": "en"}
    body = {"code": "BQT-MAA", "exit_place": "BYBQT", "entry_place": "PLMAA", "gauge_change": True}
    wrong_kind = client.post("/api/v1/border-crossings", json=body, headers=admin)
    assert wrong_kind.status_code == 422
    assert list(wrong_kind.get_json()["errors"]) == ["entry_place"]
    same = client.post(
        "/api/v1/border-crossings", json={**body, "entry_place": "BYBQT"}, headers=admin
    )
    assert same.status_code == 422 and list(same.get_json()["errors"]) == ["entry_place"]
    assert row_count(db_session, BorderCrossing) == 3
    client.patch("/api/v1/places/PLMAA", json={"version": 1, "kind": "BORDER"}, headers=admin)
    created = client.post("/api/v1/border-crossings", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name_en"] == "Brest–Małaszewicze"
    edited = client.patch(
        "/api/v1/border-crossings/BQT-MAA", json={"version": 1, "gauge_change": False},
        headers=admin,
    )  # fmt: skip
    assert edited.status_code == 200 and edited.get_json()["gauge_change"] is False
    stale = client.patch(
        "/api/v1/border-crossings/BQT-MAA", json={"version": 1, "gauge_change": True},
        headers=admin,
    )  # fmt: skip
    assert stale.status_code == 409
    listed = client.get("/api/v1/border-crossings", headers=people[Role.SHIPPER]).get_json()
    assert "BQT-MAA" in [c["code"] for c in listed]


def test_editing_a_route_replaces_its_lists_and_matches_legs_by_position(
    client, db_session, people
):
    admin = people[Role.ADMIN]
    assert client.post("/api/v1/places", json=CHONGQING, headers=admin).status_code == 201
    assert client.post("/api/v1/routes", json=WLSC, headers=admin).status_code == 201
    first_leg = {**WLSC["legs"][0], "carriers": [{**CR_XIAN, "payer_code": "7100"}]}
    response = client.patch(
        "/api/v1/routes/WLSC",
        json={"version": 1, "legs": [first_leg], "destinations": ["CNQZH", "SGSIN"],
              "refused_dg_classes": []},
        headers=admin,
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    route = response.get_json()
    assert len(route["legs"]) == 1 and route["legs"][0]["carriers"][0]["payer_code"] == "7100"
    assert [p["code"] for p in route["destinations"]] == ["CNQZH", "SGSIN"]
    assert route["refused_dg_classes"] == [] and route["version"] == 2
    [_, entry] = audit_entries(db_session, "route")
    assert entry.changes["legs.2"][1] is None and "legs.1.carriers" in entry.changes
    assert entry.changes["destinations"] == ["CNQZH", "CNQZH, SGSIN"]
    stale = client.patch("/api/v1/routes/WLSC", json={"version": 1, "name_en": "x"},
                         headers=admin)  # fmt: skip
    assert stale.status_code == 409
    no_legs = client.patch("/api/v1/routes/WLSC", json={"version": 2, "legs": []}, headers=admin)
    assert no_legs.status_code == 422


def test_routes_show_destinations_crossings_carriers_and_refused_classes(client, people):
    routes = {
        r["code"]: r for r in client.get("/api/v1/routes", headers=people[Role.CLERK]).get_json()
    }
    xaeu = routes["XAEU"]
    assert {c["code"] for c in xaeu["border_crossings"]} == {"AKA-DOS", "KHG-AKL", "ERL-ZMU"}
    alashankou = next(c for c in xaeu["border_crossings"] if c["code"] == "AKA-DOS")
    assert (alashankou["exit_place"], alashankou["entry_place"]) == ("CNAKL", "KZ-DOS")
    assert "PLMAA" in [p["code"] for p in xaeu["destinations"]]
    assert "7" in xaeu["refused_dg_classes"]
    assert xaeu["legs"][1]["carriers"][1]["name_en"] == "Kazakhstan Temir Zholy (KTZ)"
    assert routes["EAST"]["border_crossings"] == []
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"destinations", "border_crossings", "refused_dg_classes", "legs"} <= set(
        spec["Route"]["properties"]
    )
    assert "payer_code" in spec["LegCarrier"]["properties"]
    assert "border_crossing" in spec["Departure"]["properties"]


# ---- a departure's border crossing ----------------------------------------------------------


def _departure_body(route, days=10, **extra):
    departs = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    return {
        "route": route, "service_no": f"X{days}", "departs_at": departs.isoformat(),
        "cutoff_at": (departs - timedelta(days=1)).isoformat(), "capacity_teu": 40, **extra,
    }  # fmt: skip


def test_a_departure_names_one_of_its_routes_crossings(client, db_session, people):
    operator = {**people[Role.OPERATOR], "Accept-Language": "en"}
    wrong = client.post(
        "/api/v1/departures",
        json=_departure_body("EAST", border_crossing="AKA-DOS"),
        headers=operator,
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"] == {"border_crossing": ["Route EAST crosses no border."]}
    unknown = client.post(
        "/api/v1/departures", json=_departure_body("XAEU", border_crossing="NOPE"), headers=operator
    )
    assert unknown.status_code == 422 and "AKA-DOS" in unknown.get_json()["errors"][
        "border_crossing"][0]  # fmt: skip
    assert row_count(db_session, Departure) == 0
    made = client.post(
        "/api/v1/departures",
        json=_departure_body("XAEU", border_crossing="KHG-AKL"),
        headers=operator,
    )
    assert made.status_code == 201 and made.get_json()["border_crossing"] == "KHG-AKL"
    changed = client.patch(
        f"/api/v1/departures/{made.get_json()['id']}",
        json={"version": 1, "border_crossing": "ERL-ZMU"},
        headers=operator,
    )
    assert changed.status_code == 200 and changed.get_json()["border_crossing"] == "ERL-ZMU"
    entry = audit_entries(db_session, "departure")[-1]
    assert entry.changes == {"border_crossing": ["KHG-AKL", "ERL-ZMU"]}


def test_a_train_of_a_route_with_crossings_departs_only_once_it_names_one(
    client, db_session, people, make_departure
):
    operator = {**people[Role.OPERATOR], "Accept-Language": "en"}
    past = utcnow() - timedelta(hours=2)
    xaeu = make_departure("XAEU", departs_at=past)
    east = make_departure("EAST", departs_at=past)
    refused = client.post(f"/api/v1/departures/{xaeu.id}/depart", headers=operator)
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    body = refused.get_json()
    assert "border crossing" in body["detail"] and "border_crossing" in body["errors"]
    db_session.expire_all()
    assert db_session.get(Departure, xaeu.id).departed_at is None
    assert client.post(f"/api/v1/departures/{east.id}/depart", headers=operator).status_code == 200
    named = client.patch(
        f"/api/v1/departures/{xaeu.id}", json={"version": 1, "border_crossing": "AKA-DOS"},
        headers=operator,
    )  # fmt: skip
    assert named.status_code == 200, named.get_json()
    departed = client.post(f"/api/v1/departures/{xaeu.id}/depart", headers=operator)
    assert departed.status_code == 200 and departed.get_json()["status"] == "DEPARTED"


def test_a_leg_given_in_an_edit_is_whole(client, db_session, people):
    """A PATCH may leave out the route's own fields, never a leg's: a leg added half-given
    would be a leg with no places."""
    response = client.patch(
        "/api/v1/routes/EAST",
        json={"version": 1, "legs": [WLSC["legs"][0], {"mode": "RAIL"}]},
        headers={**people[Role.ADMIN], "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "legs.1.origin_zh" in response.get_json()["errors"]
    db_session.expire_all()
    assert len(db_session.scalar(select(Route).where(Route.code == "EAST")).legs) == 1


def test_distances_are_reference_data(client, db_session, people):
    """What a shipment's CO2e is reckoned from: each leg's kilometres and each station's road
    kilometres to the hub, seeded, shown and edited by administrators."""
    admin, clerk = people[Role.ADMIN], people[Role.CLERK]
    routes = {r["code"]: r for r in client.get("/api/v1/routes", headers=clerk).get_json()}
    assert [leg["distance_km"] for leg in routes["XAEU"]["legs"]] == [280, 9_908]
    assert routes["WHSEA"]["legs"][0]["distance_km"] is None  # the road feeder: the station's
    stations = {s["code"]: s for s in client.get("/api/v1/stations", headers=clerk).get_json()}
    assert stations["HK"]["feeder_km"] == 0 and stations["ZP"]["feeder_km"] > 0

    edited = client.patch(
        "/api/v1/stations/ZP",
        json={"version": 1, "feeder_hours": 4, "feeder_km": 190},
        headers=admin,
    )
    assert edited.status_code == 200 and edited.get_json()["feeder_km"] == 190
    kept = client.patch("/api/v1/stations/ZP", json={"version": 2, "feeder_hours": 5},
                        headers=admin)  # fmt: skip
    assert kept.get_json()["feeder_km"] == 190  # left out: unchanged
    far = client.patch(
        "/api/v1/stations/ZP",
        json={"version": 3, "feeder_hours": 5, "feeder_km": -1},
        headers=admin,
    )
    assert far.status_code == 422 and "feeder_km" in far.get_json()["errors"]

    leg = {key: value for key, value in routes["EAST"]["legs"][0].items()
           if key not in ("seq", "carriers")} | {"distance_km": 1_950}  # fmt: skip
    response = client.patch("/api/v1/routes/EAST", json={"version": 1, "legs": [leg]},
                            headers=admin)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["legs"][0]["distance_km"] == 1_950
    entry = audit_entries(db_session, "route")[-1]
    assert entry.changes["legs.1.distance_km"] == [1900, 1950]


def test_the_last_legs_figures_per_destination(client, db_session, people):
    """Where the Europe train's stop or the sea leg's port changes the last leg's kilometres
    and hours: seeded, shown, replaced by administrators, logged."""
    admin, clerk = people[Role.ADMIN], people[Role.CLERK]
    routes = {r["code"]: r for r in client.get("/api/v1/routes", headers=clerk).get_json()}
    seeded = {row["place"]: row for row in routes["XAEU"]["destination_legs"]}
    assert seeded["KZALA"] == {"place": "KZALA", "distance_km": 3_900, "transit_hours": 144}
    assert routes["EAST"]["destination_legs"] == []

    response = client.patch(
        "/api/v1/routes/XAEU",
        json={"version": 1, "destination_legs": [
            {"place": "kzala", "distance_km": 3_950, "transit_hours": 150},
            {"place": "UZTAS", "distance_km": 4_700},
        ]},
        headers=admin,
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["destination_legs"] == [
        {"place": "KZALA", "distance_km": 3_950, "transit_hours": 150},
        {"place": "UZTAS", "distance_km": 4_700, "transit_hours": None},
    ]  # the others take the leg's own figures now
    entry = audit_entries(db_session, "route")[-1]
    assert entry.changes["destination_legs"][1] == "KZALA 3950 km 150 h; UZTAS 4700 km — h"

    refused = client.patch(
        "/api/v1/routes/XAEU",
        json={"version": 2, "destination_legs": [{"place": "NLRTM", "distance_km": 1}]},
        headers=admin,
    )
    assert refused.status_code == 422 and "destination_legs" in refused.get_json()["errors"]
    again = client.get("/api/v1/routes", headers=clerk).get_json()
    assert next(r for r in again if r["code"] == "XAEU")["version"] == 2  # nothing written


def test_a_station_of_unknown_distance_has_no_co2e_rather_than_a_low_one(
    client, make_departure, people
):
    admin, shipper = people[Role.ADMIN], people[Role.SHIPPER]
    body = {"code": "HS", "name_zh": "汉滨新区", "name_en": "Hanbin New Area", "feeder_hours": 2}
    created = client.post("/api/v1/stations", json=body, headers=admin)
    assert created.status_code == 201 and created.get_json()["feeder_km"] is None
    make_departure("EAST", days=5)
    query = "size_type=22G1&quantity=1&destination=CNNGB"
    new = client.get(f"/api/v1/corridors?origin_station=HS&{query}", headers=shipper)
    known = client.get(f"/api/v1/corridors?origin_station=HB&{query}", headers=shipper)
    east = {"new": None, "known": None}
    for key, response in (("new", new), ("known", known)):
        assert response.status_code == 200, response.get_json()
        east[key] = next(e for e in response.get_json() if e["route"] == "EAST")
    assert east["known"]["co2e_kg"] is not None and east["new"]["co2e_kg"] is None
    assert east["new"]["departure_id"] == east["known"]["departure_id"]
