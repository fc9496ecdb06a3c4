"""The shipper's webhook pages: add an endpoint (secret shown once), see the delivery log,
send a test event, pause, resume, rotate, send again, remove; only the company's own."""

import re

from sqlalchemy import select

from dryport.extensions import db
from dryport.models import DeliveryStatus, Role, WebhookDelivery, WebhookEndpoint
from dryport.services import webhooks
from tests.conftest import csrf_token

URL = "https://erp.example.com/dryport/events"


def _add(client, url=URL, description="ERP"):
    page = client.get("/account/webhooks")
    return client.post(
        "/account/webhooks",
        data={"url": url, "description": description, "csrf_token": csrf_token(page)},
    )


def _post(client, path, page="/account/webhooks"):
    return client.post(path, data={"csrf_token": csrf_token(client.get(page))})


def test_an_endpoint_is_added_with_its_secret_shown_once(client, auth, db_session, make_user):
    auth.login(make_user(Role.SHIPPER).email)
    response = _add(client)
    assert response.status_code == 200
    secret = re.search(r'<code class="token">(whsec_[^<]+)</code>', response.get_data(True))[1]
    stored = db_session.scalar(select(WebhookEndpoint))
    assert (stored.url, stored.description, stored.secret) == (URL, "ERP", secret)
    listing = client.get("/account/webhooks").get_data(as_text=True)
    assert URL in listing and secret not in listing


def test_a_bad_address_is_explained_in_the_users_language_and_stores_nothing(
    client, auth, db_session, make_user
):
    auth.login(make_user(Role.SHIPPER).email)
    response = _add(client, url="http://erp.example.com/x")
    assert response.status_code == 422
    assert "地址必须以 https:// 开头" in response.get_data(as_text=True)
    page = client.get("/account/webhooks")
    client.post("/language/en", data={"csrf_token": csrf_token(page), "next": "/"})
    response = _add(client, url="http://erp.example.com/x")
    assert "must begin with https://" in response.get_data(as_text=True)
    assert db_session.scalar(select(WebhookEndpoint)) is None


def test_the_log_shows_each_delivery_and_the_actions_work(client, auth, db_session, make_user):
    shipper = make_user(Role.SHIPPER)
    auth.login(shipper.email)
    _add(client)
    endpoint = db_session.scalar(select(WebhookEndpoint))
    page = f"/account/webhooks/{endpoint.id}"
    assert "尚未发送" in client.get(page).get_data(as_text=True)

    _post(client, f"{page}/ping", page)
    delivery = db_session.scalar(select(WebhookDelivery))
    assert delivery.event_type == "ping" and delivery.status is DeliveryStatus.PENDING
    shown = client.get(page).get_data(as_text=True)
    assert "ping" in shown and "等待中" in shown

    _post(client, f"{page}/pause", page)
    db_session.expire_all()
    assert not db_session.get(WebhookEndpoint, endpoint.id).active
    _post(client, f"{page}/resume", page)
    db_session.expire_all()
    assert db_session.get(WebhookEndpoint, endpoint.id).active

    delivery.status, delivery.last_error = DeliveryStatus.FAILED, "connect: refused"
    db_session.commit()
    shown = client.get(page).get_data(as_text=True)
    assert "失败" in shown and "连接被拒绝或中断" in shown
    _post(client, f"/account/webhooks/deliveries/{delivery.id}/retry", page)
    db_session.expire_all()
    assert db_session.get(WebhookDelivery, delivery.id).status is DeliveryStatus.PENDING

    old = endpoint.secret
    rotated = _post(client, f"{page}/secret", page).get_data(as_text=True)
    db_session.expire_all()
    new = db_session.get(WebhookEndpoint, endpoint.id).secret
    assert new != old and new in rotated

    client.post(
        f"{page}/delete", data={"csrf_token": csrf_token(client.get(page)), "confirmed": "yes"}
    )
    assert db_session.scalar(select(WebhookEndpoint)) is None


def test_another_companys_endpoint_is_not_found(client, auth, db_session, make_user):
    owner = make_user(Role.SHIPPER)
    endpoint, _secret = webhooks.create_endpoint(db_session, owner, URL)
    webhooks.send_ping(db_session, owner, endpoint.id)
    db_session.commit()
    delivery = db_session.scalar(select(WebhookDelivery))
    auth.login(make_user(Role.SHIPPER).email)
    for path in (
        f"/account/webhooks/{endpoint.id}/ping",
        f"/account/webhooks/{endpoint.id}/pause",
        f"/account/webhooks/{endpoint.id}/secret",
        f"/account/webhooks/{endpoint.id}/delete",
        f"/account/webhooks/deliveries/{delivery.id}/retry",
    ):
        assert _post(client, path).status_code == 404, path
    db.session.expire_all()
    assert db_session.get(WebhookEndpoint, endpoint.id).secret == endpoint.secret


def test_staff_have_no_webhooks_and_forms_need_their_token(client, auth, make_user):
    auth.login(make_user(Role.OPERATOR).email)
    assert client.get("/account/webhooks").status_code == 403
    assert "/account/webhooks" not in client.get("/departures").get_data(as_text=True)
    auth.logout()
    auth.login(make_user(Role.SHIPPER).email)
    response = client.post("/account/webhooks", data={"url": URL})
    assert response.status_code == 400
