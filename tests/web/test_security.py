"""Security by default: headers on every response, cookie flags, and sign-in rate limits."""

from config import Config
from dryport import create_app
from dryport.models import Role
from tests.conftest import Auth


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "max-age" in response.headers["Strict-Transport-Security"]
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
