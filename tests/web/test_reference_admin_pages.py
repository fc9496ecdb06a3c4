"""Reference data administered on the web pages: places, border crossings, stations and whole
routes, each change in the audit log; and the operator's choice of a departure's crossing."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from dryport.models import BorderCrossing, Departure, Role, Route, Station
from dryport.services.clock import to_local, utcnow
from tests.conftest import audit_entries, csrf_token, row_count
from tests.web.test_booking_pages import _form as booking_form


@pytest.fixture
def admin(make_user, auth):
    user = make_user(Role.ADMIN)
    auth.login(user.email)
    return user


def _post(client, path, data, page="/admin/places"):
    token = csrf_token(client.get(page))
    return client.post(path, data={**data, "csrf_token": token})


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


NEW_ROUTE = {
    "code": "wlsc",
    "name_zh": "西部陆海新通道",
    "name_en": "Western Land-Sea Corridor",
    "document_type": "RAIL_WAYBILL",
    "active": "true",
    "legs.0.mode": "RAIL",
    "legs.0.origin_zh": "恒口",
    "legs.0.origin_en": "Hengkou",
    "legs.0.origin_locode": "",
    "legs.0.destination_zh": "重庆(团结村)",
    "legs.0.destination_en": "Chongqing (Tuanjiecun)",
    "legs.0.destination_locode": "cncqi",
    "legs.0.via_zh": "",
    "legs.0.via_en": "",
    "legs.0.carriers.0.name_zh": "中国铁路西安局集团有限公司",
    "legs.0.carriers.0.name_en": "China Railway Xi'an Group",
    "legs.0.carriers.0.section_zh": "",
    "legs.0.carriers.0.section_en": "",
    "legs.0.carriers.0.payer_code": "7001",
    "legs.0.carriers.1.name_zh": "",
    "legs.0.carriers.1.name_en": "",
    "legs.0.carriers.1.section_zh": "",
    "legs.0.carriers.1.section_en": "",
    "legs.0.carriers.1.payer_code": "",
}
SECOND_LEG = {
    "action": "save",
    "mode": "RAIL",
    "origin_zh": "重庆(团结村)",
    "origin_en": "Chongqing (Tuanjiecun)",
    "origin_locode": "CNCQI",
    "destination_zh": "钦州港",
    "destination_en": "Qinzhou port",
    "destination_locode": "CNQZH",
    "via_zh": "",
    "via_en": "",
    "carriers.0.name_zh": "中国铁路成都局集团有限公司",
    "carriers.0.name_en": "China Railway Chengdu Group",
    "carriers.0.section_zh": "",
    "carriers.0.section_en": "",
    "carriers.0.payer_code": "7002",
    "carriers.1.name_zh": "中国铁路南宁局集团有限公司",
    "carriers.1.name_en": "China Railway Nanning Group",
    "carriers.1.section_zh": "贵州省界—钦州港",
    "carriers.1.section_en": "Guizhou border – Qinzhou port",
    "carriers.1.payer_code": "7003",
}


def _post_route(client, data):
    """The new-route form, its checkbox lists sent as a browser sends them."""
    token = csrf_token(client.get("/admin/routes/new"))
    fields = [(k, v) for k, v in data.items() if not isinstance(v, list)]
    fields += [(k, item) for k, v in data.items() if isinstance(v, list) for item in v]
    return client.post("/admin/routes/new", data=MultiDict([*fields, ("csrf_token", token)]))


def test_a_new_corridor_is_added_on_the_pages_and_booked(
    client, db_session, auth, make_user, admin
):
    place = _post(
        client,
        "/admin/places/new",
        {"code": "cncqi", "name_zh": "重庆(团结村)", "name_en": "Chongqing (Tuanjiecun)",
         "kind": "RAIL_STATION", "railway_code": "cuw", "active": "true"},
    )  # fmt: skip
    assert place.status_code == 302
    route = _post_route(
        client, {**NEW_ROUTE, "destinations": ["CNQZH"], "refused_dg_classes": ["1.1", "7"]}
    )
    assert route.status_code == 302, route.get_data(as_text=True)
    assert route.headers["Location"].endswith("/admin/routes/WLSC")
    leg = _post(client, "/admin/routes/WLSC/legs", {**SECOND_LEG, "version": "1"})
    assert leg.status_code == 302
    db_session.expire_all()
    wlsc = db_session.scalar(select(Route).where(Route.code == "WLSC"))
    assert [p.code for p in wlsc.destinations] == ["CNQZH"]
    assert wlsc.refused_dg_classes == ["1.1", "7"]
    assert [(leg.seq, leg.destination_locode) for leg in wlsc.legs] == [(1, "CNCQI"), (2, "CNQZH")]
    assert [c.payer_code for c in wlsc.legs[1].carriers] == ["7002", "7003"]
    listed = client.get("/admin/routes").get_data(as_text=True)
    assert "China Railway Nanning Group" not in listed  # Chinese by default
    assert "中国铁路南宁局集团有限公司" in listed and "7003" in listed and "钦州港" in listed
    assert [e.entity for e in audit_entries(db_session, "route")] == ["route"]
    assert [e.action for e in audit_entries(db_session, "leg")] == ["create"]

    auth.logout()
    auth.login(make_user(Role.OPERATOR).email)
    departs = utcnow() + timedelta(days=9)
    token = csrf_token(client.get("/operations/departures/new"))
    planned = client.post(
        "/operations/departures/new",
        data={
            "csrf_token": token, "route": "WLSC", "service_no": "X9001",
            "departs_at": _local(departs), "cutoff_at": _local(departs - timedelta(days=1)),
            "capacity_teu": "50", "capacity_kg": "", "border_crossing": "",
        },
    )  # fmt: skip
    assert planned.status_code == 302, planned.get_data(as_text=True)
    departure = db_session.scalar(select(Departure).where(Departure.service_no == "X9001"))

    auth.logout()
    auth.login(make_user(Role.SHIPPER).email)
    assert "X9001" in client.get("/departures").get_data(as_text=True)
    token = csrf_token(client.get(f"/bookings/new?departure={departure.id}"))
    booked = client.post(
        "/bookings/new",
        data={**booking_form(departure.id, destination="CNQZH"), "csrf_token": token},
    )
    assert booked.status_code == 302, booked.get_data(as_text=True)
    assert "X9001" in client.get("/bookings/").get_data(as_text=True)


def test_a_bad_route_is_explained_beside_its_fields_and_adds_nothing(client, db_session, admin):
    response = _post_route(
        client,
        {**NEW_ROUTE, "code": "w", "legs.0.destination_locode": "CNQ",
         "legs.0.carriers.0.name_en": "", "refused_dg_classes": ["7"]},
    )  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="code-error"' in page and "2 至 8 个大写字母或数字" in page
    assert 'id="leg-1-destination_locode-error"' in page
    assert 'id="leg-1-carrier-0-name_en-error"' in page
    assert 'value="7" checked' in page  # what was ticked stays ticked
    assert row_count(db_session, Route) == 3 and audit_entries(db_session, "route") == []


def test_places_and_crossings_are_added_and_edited(client, db_session, admin):
    page = client.get("/admin/places").get_data(as_text=True)
    assert "PLMAA" in page and "马拉舍维奇" in page and "AKA-DOS" in page
    bad = _post(client, "/admin/places/new", {"code": "CNQZ", "name_zh": "", "name_en": "x",
                                               "kind": "PORT"})  # fmt: skip
    assert bad.status_code == 422
    assert 'id="code-error"' in bad.get_data(as_text=True)
    assert 'id="name_zh-error"' in bad.get_data(as_text=True)
    taken = _post(client, "/admin/places/new",
                  {"code": "DEDUI", "name_zh": "杜", "name_en": "D", "kind": "PORT"})  # fmt: skip
    assert taken.status_code == 409 and "DEDUI 已存在" in taken.get_data(as_text=True)
    edited = _post(
        client, "/admin/places/PLMAA",
        {"version": "1", "name_zh": "马拉舍维奇", "name_en": "Małaszewicze", "kind": "BORDER",
         "railway_code": "", "active": "true"},
    )  # fmt: skip
    assert edited.status_code == 302
    stale = _post(
        client, "/admin/places/PLMAA",
        {"version": "1", "name_zh": "马", "name_en": "M", "kind": "BORDER"},
    )  # fmt: skip
    assert stale.status_code == 409
    crossing = _post(
        client, "/admin/crossings/new",
        {"code": "bqt-maa", "exit_place": "BYBQT", "entry_place": "PLMAA", "gauge_change": "true"},
    )  # fmt: skip
    assert crossing.status_code == 302
    db_session.expire_all()
    made = db_session.scalar(select(BorderCrossing).where(BorderCrossing.code == "BQT-MAA"))
    assert made.gauge_change and made.entry_place.code == "PLMAA"
    same = _post(
        client, "/admin/crossings/BQT-MAA",
        {"version": "1", "exit_place": "BYBQT", "entry_place": "BYBQT"},
    )  # fmt: skip
    assert same.status_code == 422 and 'id="entry_place-error"' in same.get_data(as_text=True)
    assert [e.action for e in audit_entries(db_session, "place")] == ["update"]
    assert [e.action for e in audit_entries(db_session, "border_crossing")] == ["create"]
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "出境站" in audit and "BYBQT" in audit


def test_a_station_is_added(client, db_session, admin):
    page = client.get("/admin/stations/new")
    assert page.status_code == 200
    added = _post(
        client, "/admin/stations/new",
        {"code": "hs", "name_zh": "汉滨新区", "name_en": "Hanbin New Area", "feeder_hours": "2",
         "active": "true"},
    )  # fmt: skip
    assert added.status_code == 302
    assert row_count(db_session, Station) == 12
    assert "汉滨新区" in client.get("/admin/stations").get_data(as_text=True)


def test_the_route_page_edits_destinations_crossings_classes_and_carriers(
    client, db_session, admin
):
    page = client.get("/admin/routes/XAEU").get_data(as_text=True)
    assert 'value="AKA-DOS" checked' in page and 'value="PLMAA" checked' in page
    assert "哈萨克斯坦国家铁路" in page
    token = csrf_token(client.get("/admin/routes/XAEU"))
    saved = client.post(
        "/admin/routes/XAEU",
        data=MultiDict([
            ("csrf_token", token), ("version", "1"), ("name_zh", "安西欧班列"),
            ("name_en", "Ankang–Xi'an–Europe train"), ("document_type", "CIM_SMGS"),
            ("active", "true"), ("destinations", "DEDUI"), ("destinations", "DEHAM"),
            ("border_crossings", "KHG-AKL"), ("refused_dg_classes", "7"),
        ]),
    )  # fmt: skip
    assert saved.status_code == 302
    db_session.expire_all()
    xaeu = db_session.scalar(select(Route).where(Route.code == "XAEU"))
    assert [p.code for p in xaeu.destinations] == ["DEDUI", "DEHAM"]
    assert [c.code for c in xaeu.border_crossings] == ["KHG-AKL"]
    assert xaeu.refused_dg_classes == ["7"] and xaeu.version == 2
    leg = _post(
        client, "/admin/routes/XAEU/legs/1",
        {**SECOND_LEG, "version": "2", "carriers.1.name_en": "", "carriers.1.name_zh": "",
         "carriers.1.section_zh": "", "carriers.1.section_en": "", "carriers.1.payer_code": ""},
        page="/admin/routes/XAEU",
    )  # fmt: skip
    assert leg.status_code == 302
    db_session.expire_all()
    first = db_session.scalar(select(Route).where(Route.code == "XAEU")).legs[0]
    assert [(c.name_en, c.payer_code) for c in first.carriers] == [
        ("China Railway Chengdu Group", "7002")
    ]
    entry = audit_entries(db_session, "leg")[-1]
    assert entry.changes["carriers"][1] == "China Railway Chengdu Group (7002)"


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.CLERK, Role.OPERATOR])
def test_only_admins_open_the_new_pages(client, auth, make_user, role):
    auth.login(make_user(role).email)
    for path in ("/admin/places", "/admin/places/new", "/admin/places/DEDUI",
                 "/admin/crossings/new", "/admin/crossings/AKA-DOS", "/admin/routes/new",
                 "/admin/stations/new"):  # fmt: skip
        assert client.get(path).status_code == 403, path


def test_an_unknown_place_or_crossing_is_404(client, admin):
    assert client.get("/admin/places/XXNOP").status_code == 404
    assert client.get("/admin/crossings/NOPE").status_code == 404


def test_the_operator_names_the_crossing_and_sees_it(
    client, db_session, auth, make_user, make_departure
):
    auth.login(make_user(Role.OPERATOR).email)
    departure = make_departure("XAEU", departs_at=utcnow() - timedelta(hours=1))
    detail = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    assert "国境口岸" in detail and "尚未指定" in detail
    confirm = client.get(f"/operations/departures/{departure.id}/depart").get_data(as_text=True)
    assert "请先（在编辑班次中）指定本班列经由的国境口岸" in confirm
    path = f"/operations/departures/{departure.id}/edit"
    form = client.get(path).get_data(as_text=True)
    assert 'value="KHG-AKL"' in form and 'value="ERL-ZMU"' in form
    fields = {
        "csrf_token": csrf_token(client.get(path)), "version": "1",
        "service_no": departure.service_no, "departs_at": _local(departure.departs_at),
        "cutoff_at": _local(departure.cutoff_at), "capacity_teu": "100", "capacity_kg": "",
    }  # fmt: skip
    wrong = client.post(path, data={**fields, "border_crossing": "NOPE"})
    assert wrong.status_code == 422 and 'id="border_crossing-error"' in wrong.get_data(as_text=True)
    saved = client.post(path, data={**fields, "border_crossing": "KHG-AKL"})
    assert saved.status_code == 302
    detail = client.get(f"/operations/departures/{departure.id}").get_data(as_text=True)
    assert "霍尔果斯–阿腾科里" in detail
    assert "霍尔果斯–阿腾科里" in client.get("/operations/").get_data(as_text=True)
    token = csrf_token(client.get(f"/operations/departures/{departure.id}/depart"))
    departed = client.post(
        f"/operations/departures/{departure.id}/depart",
        data={"csrf_token": token, "confirmed": "yes"},
    )
    assert departed.status_code == 302
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).departed_at is not None


def test_a_leg_moves_up_and_a_payer_code_belongs_to_rail(client, db_session, admin):
    page = "/admin/routes/WHSEA"
    assert "上移" in client.get(page).get_data(as_text=True)
    moved = _post(client, "/admin/routes/WHSEA/legs/3/up", {"version": "1"}, page=page)
    assert moved.status_code == 302
    db_session.expire_all()
    whsea = db_session.scalar(select(Route).where(Route.code == "WHSEA"))
    assert [leg.mode.name for leg in whsea.legs] == ["ROAD", "WATER", "RAIL", "SEA"]
    stale = _post(client, "/admin/routes/WHSEA/legs/3/up", {"version": "1"}, page=page)
    assert stale.status_code == 409
    first = _post(client, "/admin/routes/WHSEA/legs/1/up", {"version": "2"}, page=page)
    assert first.status_code == 422
    sea = {
        **SECOND_LEG, "version": "2", "mode": "SEA", "destination_locode": "SGSIN",
        "carriers.0.payer_code": "", "carriers.1.name_en": "COSCO Shipping Lines",
    }  # fmt: skip
    refused = _post(client, "/admin/routes/WHSEA/legs/4", sea, page=page)
    assert refused.status_code == 422
    shown = refused.get_data(as_text=True)
    assert 'id="leg-4-carrier-1-payer_code-error"' in shown
    assert 'value="COSCO Shipping Lines"' in shown  # what was typed is kept
    saved = _post(
        client, "/admin/routes/WHSEA/legs/4", {**sea, "carriers.1.payer_code": ""}, page=page
    )
    assert saved.status_code == 302
    assert [e.changes.get("seq") for e in audit_entries(db_session, "leg")][0] == [3, 2]
