"""The administrator's pages; every change lands in the audit log."""

import pytest
from sqlalchemy import select

from dryport.models import AuditEntry, Leg, Role, Route, Station, TransportMode, User
from tests.conftest import PASSWORD, VALID_USCC, csrf_token


@pytest.fixture
def admin(make_user, auth):
    user = make_user(Role.ADMIN)
    auth.login(user.email)
    return user


def _post(client, path, data):
    page = client.get("/admin/stations")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def _audit(db_session):
    db_session.expire_all()
    return db_session.scalars(
        select(AuditEntry).where(AuditEntry.entity != "security").order_by(AuditEntry.id)
    ).all()


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.CLERK, Role.OPERATOR])
def test_only_admins_administer(client, auth, make_user, role):
    auth.login(make_user(role).email)
    for path in ("/admin/stations", "/admin/routes", "/admin/users", "/admin/audit"):
        assert client.get(path).status_code == 403, path


def test_edit_a_station_and_see_it_in_the_audit_log(client, db_session, admin):
    response = _post(
        client,
        "/admin/stations/ZP",
        {"name_zh": "镇坪县", "name_en": "Zhenping", "feeder_hours": "5", "active": "true"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.scalar(select(Station.feeder_hours).where(Station.code == "ZP")) == 5
    entry = _audit(db_session)[-1]
    assert entry.entity == "station" and entry.changes == {"feeder_hours": [4, 5]}
    assert entry.actor_id == admin.id
    assert "到枢纽汽运时长（小时）: 4 → 5" in client.get("/admin/audit").get_data(as_text=True)


def test_a_bad_station_edit_is_explained_and_changes_nothing(client, db_session, admin):
    response = _post(
        client, "/admin/stations/ZP", {"name_zh": "", "name_en": "Zhenping", "feeder_hours": "99"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "0 至 72" in page
    db_session.expire_all()
    assert db_session.scalar(select(Station.feeder_hours).where(Station.code == "ZP")) == 4
    assert _audit(db_session) == []


def test_edit_add_and_remove_legs(client, db_session, admin):
    response = _post(
        client,
        "/admin/routes/EAST/legs/1",
        {
            "action": "save",
            "mode": "RAIL",
            "origin_zh": "恒口",
            "origin_en": "Hengkou",
            "origin_locode": "",
            "destination_zh": "宁波舟山港",
            "destination_en": "Ningbo-Zhoushan",
            "destination_locode": "CNNGB",
            "via_zh": "",
            "via_en": "",
        },
    )
    assert response.status_code == 302
    bad = _post(
        client,
        "/admin/routes/EAST/legs",
        {
            "mode": "SEA",
            "origin_zh": "宁波",
            "origin_en": "Ningbo",
            "origin_locode": "ningbo",
            "destination_zh": "釜山",
            "destination_en": "Busan",
            "destination_locode": "KRPUS",
        },
    )
    assert bad.status_code == 422 and "UN/LOCODE" in bad.get_data(as_text=True)
    added = _post(
        client,
        "/admin/routes/EAST/legs",
        {
            "mode": "SEA",
            "origin_zh": "宁波",
            "origin_en": "Ningbo",
            "origin_locode": "CNNGB",
            "destination_zh": "釜山",
            "destination_en": "Busan",
            "destination_locode": "KRPUS",
        },
    )
    assert added.status_code == 302
    db_session.expire_all()
    legs = db_session.scalars(
        select(Leg).join(Leg.route).where(Route.code == "EAST").order_by(Leg.seq)
    ).all()
    assert [(leg.seq, leg.mode) for leg in legs] == [
        (1, TransportMode.RAIL),
        (2, TransportMode.SEA),
    ]
    assert legs[0].destination_en == "Ningbo-Zhoushan"
    refused = _post(client, "/admin/routes/EAST/legs/1", {"action": "remove"})
    assert refused.status_code == 400  # not without the confirmation page's answer
    _post(client, "/admin/routes/EAST/legs/1/remove", {"confirmed": "yes"})
    db_session.expire_all()
    legs = db_session.scalars(select(Leg).join(Leg.route).where(Route.code == "EAST")).all()
    assert [(leg.seq, leg.destination_en) for leg in legs] == [(1, "Busan")]
    last = _post(client, "/admin/routes/EAST/legs/1/remove", {"confirmed": "yes"})
    assert last.status_code == 422  # a route keeps one leg
    assert [e.action for e in _audit(db_session)] == ["update", "create", "delete"]


def test_create_a_clerk_then_move_and_deactivate(client, db_session, admin):
    response = _post(
        client,
        "/admin/users/new",
        {
            "email": "new.clerk@example.com",
            "password": PASSWORD,
            "name": "新业务员",
            "role": "CLERK",
            "station": "HY",
            "company_name": "",
            "credit_code": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    user = db_session.scalar(select(User).where(User.email == "new.clerk@example.com"))
    assert user.station.code == "HY"
    _post(
        client,
        f"/admin/users/{user.id}",
        {"action": "save", "name": "新业务员", "role": "CLERK", "station": "SQ", "active": "true"},
    )
    _post(
        client,
        f"/admin/users/{user.id}",
        {"action": "save", "name": "新业务员", "role": "CLERK", "station": "SQ"},
    )
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert user.station.code == "SQ" and user.active is False
    actions = [(e.action, e.changes) for e in _audit(db_session)]
    assert actions[1] == ("update", {"station": ["HY", "SQ"]})
    assert actions[2] == ("deactivate", {"active": [True, False]})


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(
    app, client, db_session, admin, make_user
):
    from tests.conftest import Auth

    victim = make_user(Role.OPERATOR)
    other = app.test_client()
    Auth(other).login(victim.email)
    assert other.get("/operations/").status_code == 200
    _post(
        client,
        f"/admin/users/{victim.id}",
        {"action": "save", "name": victim.name, "role": "OPERATOR"},
    )
    assert other.get("/operations/").status_code == 302  # sent to sign in
    assert Auth(other).login(victim.email).status_code == 401


def test_re_activating_a_user_does_not_revive_its_tokens_or_sessions(
    app, client, db_session, admin, make_user
):
    from tests.conftest import Auth

    victim = make_user(Role.OPERATOR)
    api = app.test_client()
    reply = api.post("/api/v1/tokens", json={"email": victim.email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {reply.get_json()['token']}"}
    browser = app.test_client()
    Auth(browser).login(victim.email)
    assert api.get("/api/v1/stations", headers=headers).status_code == 200
    form = {"name": victim.name, "role": "OPERATOR"}
    _post(client, f"/admin/users/{victim.id}", {"action": "save", **form})
    db_session.expire_all()
    _post(
        client,
        f"/admin/users/{victim.id}",
        {"action": "save", **form, "active": "on", "version": str(victim.version)},
    )
    db_session.expire_all()
    assert victim.active
    assert api.get("/api/v1/stations", headers=headers).status_code == 401
    assert browser.get("/operations/").status_code == 302  # sent to sign in
    assert Auth(browser).login(victim.email).status_code == 302  # the user itself may return


def test_make_a_shipper_of_an_existing_company_and_reset_a_password(
    client, db_session, admin, make_company
):
    company = make_company("Ankang Tea", VALID_USCC)
    db_session.commit()
    response = _post(
        client,
        "/admin/users/new",
        {
            "email": "second@tea.example",
            "password": PASSWORD,
            "name": "Second desk",
            "role": "SHIPPER",
            "station": "",
            "company_name": "Ankang Tea",
            "credit_code": VALID_USCC,
        },
    )
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "second@tea.example"))
    assert user.company_id == company.id
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    reset = _post(
        client,
        f"/admin/users/{user.id}",
        {"action": "password", "password": "a-brand-new-password"},
    )
    assert reset.status_code == 302
    assert client.get("/api/v1/stations", headers=headers).status_code == 401
    assert (
        client.post(
            "/api/v1/tokens", json={"email": user.email, "password": "a-brand-new-password"}
        ).status_code
        == 201
    )


def test_an_admin_cannot_lock_itself_out(client, db_session, admin):
    response = _post(
        client, f"/admin/users/{admin.id}", {"action": "save", "name": admin.name, "role": "ADMIN"}
    )
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(User, admin.id).active is True


def test_a_stale_admin_edit_is_refused(client, db_session, admin):
    response = _post(
        client,
        "/admin/stations/ZP",
        {
            "version": "1",
            "name_zh": "镇坪县",
            "name_en": "Zhenping",
            "feeder_hours": "5",
            "active": "true",
        },
    )
    assert response.status_code == 302
    stale = _post(
        client,
        "/admin/stations/ZP",
        {
            "version": "1",
            "name_zh": "镇坪县",
            "name_en": "Zhenping",
            "feeder_hours": "6",
            "active": "true",
        },
    )
    assert stale.status_code == 409
    db_session.expire_all()
    assert db_session.scalar(select(Station.feeder_hours).where(Station.code == "ZP")) == 5


def test_a_shipper_needs_its_companys_name(client, db_session, admin):
    response = _post(
        client,
        "/admin/users/new",
        {
            "email": "x@tea.example",
            "password": PASSWORD,
            "name": "X",
            "role": "SHIPPER",
            "station": "",
            "company_name": "",
            "credit_code": VALID_USCC,
        },
    )
    assert response.status_code == 422
    assert db_session.scalar(select(User).where(User.email == "x@tea.example")) is None


def test_a_new_password_signs_out_the_old_sessions(app, client, db_session, admin, make_user):
    from tests.conftest import Auth

    victim = make_user(Role.OPERATOR)
    other = app.test_client()
    Auth(other).login(victim.email)
    assert other.get("/operations/").status_code == 200
    _post(
        client,
        f"/admin/users/{victim.id}",
        {"action": "password", "password": "another-long-password"},
    )
    assert other.get("/operations/").status_code == 302
