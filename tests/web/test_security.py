"""Security by default: headers on every response, cookie flags, and sign-in rate limits."""

from config import Config
from dryport import create_app
from dryport.models import Role
from tests.conftest import PASSWORD, Auth, csrf_token


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers and "X-Powered-By" not in response.headers
    assert client.get("/api/v1/stations").headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_needs_inline_script_or_style(client, auth, make_user, make_departure):
    make_departure()
    auth.login(make_user(Role.SHIPPER).email)
    for path in ("/departures", "/bookings/new", "/bookings/"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page, path


def test_production_cookies_are_secure_and_http_only():
    config = type(
        "Prod",
        (Config,),
        {
            "SECRET_KEY": "a-long-random-production-secret",
            "PUBLIC_URL": "https://dryport.example",
            "DEBUG": False,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        },
    )
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_sign_in_and_tokens_are_rate_limited(make_app, make_user, monkeypatch):
    from dryport.extensions import limiter

    # The limiter keeps its on/off switch on itself, not per app: put it back afterwards.
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = make_app(RATELIMIT_ENABLED=True, SIGN_IN_LIMIT="3 per minute")
    user = make_user(Role.OPERATOR)
    web = limited.test_client()
    statuses = [Auth(web).login(user.email, "wrong-password-here").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    page = Auth(web).login(user.email).get_data(as_text=True)
    assert "请求过于频繁" in page  # even the right password waits
    api = limited.test_client()
    replies = [
        api.post("/api/v1/tokens", json={"email": user.email, "password": "nope-nope"})
        for _ in range(4)
    ]
    assert [r.status_code for r in replies] == [401, 401, 401, 429]
    assert replies[-1].mimetype == "application/problem+json"


def test_sign_ins_are_counted_per_account_too_on_the_page_and_the_api(
    make_app, make_user, monkeypatch
):
    from dryport.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = make_app(
        RATELIMIT_ENABLED=True, SIGN_IN_LIMIT="100 per minute", SIGN_IN_ACCOUNT_LIMIT="3 per minute"
    )
    user, other = make_user(Role.OPERATOR), make_user(Role.OPERATOR)
    web, api = limited.test_client(), limited.test_client()
    wrong = {"email": user.email.upper(), "password": "wrong-password-here"}
    statuses = [Auth(web).login(user.email, "wrong-password-here").status_code for _ in range(2)]
    statuses += [api.post("/api/v1/tokens", json=wrong).status_code for _ in range(2)]
    assert statuses == [401, 401, 401, 429]  # one count for the account, however it is named
    assert Auth(web).login(user.email).status_code == 429  # even the right password waits
    assert Auth(web).login(other.email).status_code == 302  # another account is not held up


def test_pages_and_answers_are_not_kept_in_caches(client, auth, make_user, api_token):
    user = make_user(Role.SHIPPER)
    auth.login(user.email)
    assert client.get("/account/tokens").headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/stations", headers=api_token(user.email))
    assert api.headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/dryport.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_webhook_test_events_are_rate_limited(make_app, make_user, monkeypatch, db_session):
    from dryport.extensions import limiter
    from dryport.services import webhooks

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = make_app(RATELIMIT_ENABLED=True, WEBHOOK_SEND_LIMIT="2 per minute")
    shipper = make_user(Role.SHIPPER)
    endpoint, _secret = webhooks.create_endpoint(db_session, shipper, "https://erp.example.com/")
    db_session.commit()
    web = limited.test_client()
    Auth(web).login(shipper.email)
    page = f"/account/webhooks/{endpoint.id}"
    statuses = [
        web.post(f"{page}/ping", data={"csrf_token": csrf_token(web.get(page))}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    token = web.post("/api/v1/tokens", json={"email": shipper.email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    api = web.post(f"/api/v1/webhooks/{endpoint.id}/ping", headers=headers)
    assert api.status_code == 429 and api.mimetype == "application/problem+json"


def test_sign_in_starts_a_new_session_keeping_only_the_language(client, auth, make_user):
    with client.session_transaction() as session:
        session["planted"] = "by someone before sign-in"
        session["lang"] = "en"
    before = client.get_cookie("session").value
    auth.login(make_user(Role.SHIPPER).email)
    with client.session_transaction() as session:
        assert "planted" not in session and session["lang"] == "en"
    assert client.get_cookie("session").value != before


def test_a_token_in_the_address_is_not_accepted(client, make_user, api_token):
    token = api_token(make_user(Role.SHIPPER).email)["Authorization"].split()[1]
    for query in (f"access_token={token}", f"token={token}"):
        assert client.get(f"/api/v1/stations?{query}").status_code == 401


def test_what_people_type_is_shown_as_text_never_as_markup(client, auth, make_user, make_booking):
    shipper = make_user(Role.SHIPPER)
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{7*7}}'
    booking = make_booking(shipper.company, notify_name=hostile, notify_address="Duisburg")
    auth.login(shipper.email)
    page = client.get(f"/bookings/{booking.reference}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "{{7*7}}" in page


def test_secrets_never_reach_the_audit_log(client, auth, db_session, make_user, api_token):
    from sqlalchemy import select

    from dryport.models import AuditEntry

    shipper = make_user(Role.SHIPPER)
    auth.login(shipper.email, "wrong-password-here")
    auth.login(shipper.email)
    token = api_token(shipper.email)["Authorization"]
    secret = client.post("/api/v1/webhooks", json={"url": "https://erp.example.com/"},
                         headers={"Authorization": token}).get_json()["secret"]  # fmt: skip
    entries = db_session.scalars(select(AuditEntry)).all()
    assert {e.action for e in entries} >= {"sign_in_failed", "webhook_created"}
    logged = " ".join(f"{e.summary} {e.changes}" for e in entries)
    for value in ("wrong-password-here", PASSWORD, token.split()[1], secret):
        assert value not in logged
