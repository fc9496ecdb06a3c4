"""The webhook endpoints of the API: a shipper's programs manage what the Webhooks page does."""

import json

from sqlalchemy import func, select

from dryport.models import Role, WebhookEndpoint

URL = "https://erp.example.com/dryport/events"


def test_register_list_ping_and_read_the_log(client, db_session, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    created = client.post("/api/v1/webhooks", json={"url": URL, "description": "ERP"},
                          headers=headers)  # fmt: skip
    assert created.status_code == 201
    body = created.get_json()
    assert body["url"] == URL and body["secret"].startswith("whsec_") and body["active"]
    listed = client.get("/api/v1/webhooks", headers=headers).get_json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]

    ping = client.post(f"/api/v1/webhooks/{body['id']}/ping", headers=headers)
    assert ping.status_code == 202 and ping.get_json()["status"] == "PENDING"
    log = client.get(f"/api/v1/webhooks/{body['id']}/deliveries", headers=headers)
    assert [d["event_type"] for d in log.get_json()] == ["ping"]
    assert json.loads(log.headers["X-Pagination"])["total"] == 1

    assert client.delete(f"/api/v1/webhooks/{body['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{body['id']}", headers=headers).status_code == 404


def test_a_bad_address_is_422_in_the_callers_language(client, db_session, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    zh = client.post("/api/v1/webhooks", json={"url": "http://erp.example.com/"},
                     headers=headers)  # fmt: skip
    assert zh.status_code == 422
    assert zh.get_json()["errors"]["url"] == ["地址必须以 https:// 开头。"]
    en = client.post("/api/v1/webhooks", json={"url": "http://erp.example.com/"},
                     headers={**headers, "Accept-Language": "en"})  # fmt: skip
    assert en.get_json()["errors"]["url"] == ["The address must begin with https://."]
    assert db_session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_the_sixth_endpoint_is_409(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    for n in range(5):
        response = client.post("/api/v1/webhooks", json={"url": f"{URL}/{n}"}, headers=headers)
        assert response.status_code == 201
    sixth = client.post("/api/v1/webhooks", json={"url": f"{URL}/6"}, headers=headers)
    assert sixth.status_code == 409
    assert sixth.headers["Content-Type"] == "application/problem+json"


def test_another_company_and_staff_cannot_reach_an_endpoint(client, make_user, api_token):
    owner = api_token(make_user(Role.SHIPPER).email)
    hook = client.post("/api/v1/webhooks", json={"url": URL}, headers=owner).get_json()
    other = api_token(make_user(Role.SHIPPER).email)
    for method, path in (
        ("get", f"/api/v1/webhooks/{hook['id']}"),
        ("get", f"/api/v1/webhooks/{hook['id']}/deliveries"),
        ("post", f"/api/v1/webhooks/{hook['id']}/ping"),
        ("delete", f"/api/v1/webhooks/{hook['id']}"),
    ):
        assert getattr(client, method)(path, headers=other).status_code == 404, path
    operator = api_token(make_user(Role.OPERATOR).email)
    assert client.get("/api/v1/webhooks", headers=operator).status_code == 403
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=owner).status_code == 200


def test_the_lists_page_and_sort_like_every_list(client, make_user, api_token):
    headers = api_token(make_user(Role.SHIPPER).email)
    ids = [
        client.post("/api/v1/webhooks", json={"url": f"{URL}/{n}"}, headers=headers).get_json()[
            "id"
        ]
        for n in (2, 1, 3)
    ]
    by_url = client.get("/api/v1/webhooks?sort=-url", headers=headers).get_json()
    assert [w["url"][-1] for w in by_url] == ["3", "2", "1"]
    assert [w["id"] for w in client.get("/api/v1/webhooks", headers=headers).get_json()] == ids
    for _ in range(3):
        client.post(f"/api/v1/webhooks/{ids[0]}/ping", headers=headers)
    log = f"/api/v1/webhooks/{ids[0]}/deliveries"
    newest = [d["id"] for d in client.get(log, headers=headers).get_json()]
    assert newest == sorted(newest, reverse=True)
    page = client.get(f"{log}?sort=created_at&page=2&page_size=2", headers=headers)
    assert [d["id"] for d in page.get_json()] == [max(newest)]
    bad = client.get(f"{log}?sort=secret", headers=headers)
    assert bad.status_code == 422 and "sort" in bad.get_json()["errors"]
