"""Password reset through the API, with the link read from the mail a real SMTP server
receives: the same answer for an unknown address, a one-use link valid for an hour, the
password rules, and every other session and token of the user ended."""

from datetime import timedelta

from sqlalchemy import select, update

from dryport.extensions import db, limiter
from dryport.models import PasswordReset, Role
from dryport.services import mail
from dryport.services.clock import utcnow
from tests.conftest import PASSWORD, csrf_token

NEW_PASSWORD = "a-new-long-passphrase-42"


def ask(client, email, **headers):
    return client.post("/api/v1/password-reset", json={"email": email}, headers=headers)


def token_from_mail(smtp, email) -> str:
    mail.deliver_due(db.session)
    [arrived] = smtp.to(email)[-1:]
    return arrived.link().rsplit("/", 1)[1]


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, smtp, make_user):
    user = make_user(Role.SHIPPER)
    known, unknown = ask(client, user.email), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert "一小时内" in known.get_json()["detail"]  # Chinese unless Accept-Language says
    mail.deliver_due(db.session)
    assert [m.to for m in smtp.messages] == [user.email]


def test_the_mail_is_in_the_users_language_and_the_token_is_stored_hashed(
    client, db_session, smtp, make_user
):
    user = make_user(Role.SHIPPER, locale="zh")
    ask(client, user.email.upper())  # the address in any case
    token = token_from_mail(smtp, user.email)
    [arrived] = smtp.messages
    assert arrived.subject == "重设您的 dryport 密码"
    assert (
        "一小时内" in arrived.text and f"http://dryport.test/password-reset/{token}" in arrived.text
    )
    stored = db_session.scalars(select(PasswordReset.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0]


def test_a_reset_sets_the_password_and_ends_every_session_and_token(
    client, app, db_session, smtp, make_user, api_token
):
    user = make_user(Role.SHIPPER)
    old_token = api_token(user.email)
    signed_in = app.test_client()
    page = signed_in.get("/login")
    signed_in.post("/login", data={"email": user.email, "password": PASSWORD,
                                   "csrf_token": csrf_token(page)})  # fmt: skip
    assert signed_in.get("/bookings/").status_code == 200
    assert client.get("/api/v1/bookings", headers=old_token).status_code == 200

    ask(client, user.email)
    token = token_from_mail(smtp, user.email)
    response = client.post(f"/api/v1/password-reset/{token}", json={"password": NEW_PASSWORD})
    assert response.status_code == 204

    assert client.get("/api/v1/bookings", headers=old_token).status_code == 401
    assert signed_in.get("/bookings/").status_code == 302
    assert (
        client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code
        == 401
    )
    assert api_token(user.email, NEW_PASSWORD)


def test_a_link_works_once(client, smtp, make_user):
    user = make_user(Role.SHIPPER, locale="en")
    ask(client, user.email)
    token = token_from_mail(smtp, user.email)
    assert client.post(f"/api/v1/password-reset/{token}", json={"password": NEW_PASSWORD}
                       ).status_code == 204  # fmt: skip
    again = client.post(
        f"/api/v1/password-reset/{token}",
        json={"password": "yet-another-passphrase-7"},
        headers={"Accept-Language": "en"},
    )
    assert again.status_code == 422
    assert "has been used already" in again.get_json()["detail"]
    assert "token" in again.get_json()["errors"]


def test_a_password_changed_another_way_ends_the_open_links(client, db_session, smtp, make_user):
    from dryport.services import accounts

    user = make_user(Role.SHIPPER, locale="en")
    ask(client, user.email)
    token = token_from_mail(smtp, user.email)
    accounts.set_password(db_session, db_session.merge(user), "changed-on-the-account-page-9")
    db_session.commit()
    used = client.post(f"/api/v1/password-reset/{token}", json={"password": NEW_PASSWORD})
    assert used.status_code == 422 and "token" in used.get_json()["errors"]


def test_an_expired_link_is_refused_in_the_readers_language(client, db_session, smtp, make_user):
    user = make_user(Role.SHIPPER)
    ask(client, user.email)
    token = token_from_mail(smtp, user.email)
    db_session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db_session.commit()
    response = client.post(
        f"/api/v1/password-reset/{token}",
        json={"password": NEW_PASSWORD},
        headers={"Accept-Language": "zh"},
    )
    assert response.status_code == 422
    assert response.get_json()["detail"] == "此重设密码链接已过期，请重新申请。"
    assert (
        client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code
        == 201
    )  # the old password still works


def test_a_link_valid_for_an_hour(client, db_session, smtp, make_user):
    user = make_user(Role.SHIPPER)
    before = utcnow()
    ask(client, user.email)
    [reset] = db_session.scalars(select(PasswordReset)).all()
    assert timedelta(minutes=59) < reset.expires_at - before <= timedelta(hours=1, seconds=5)


def test_an_unknown_token_and_a_weak_password_are_refused(client, smtp, make_user):
    unknown = client.post(
        "/api/v1/password-reset/not-a-token",
        json={"password": NEW_PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert unknown.status_code == 404 and "not valid" in unknown.get_json()["detail"]
    user = make_user(Role.SHIPPER)
    ask(client, user.email)
    token = token_from_mail(smtp, user.email)
    weak = client.post(
        f"/api/v1/password-reset/{token}",
        json={"password": "password123"},
        headers={"Accept-Language": "en"},
    )
    assert weak.status_code == 422 and "password" in weak.get_json()["errors"]
    # the link still works after a refused password
    assert client.post(f"/api/v1/password-reset/{token}", json={"password": NEW_PASSWORD}
                       ).status_code == 204  # fmt: skip


def test_a_newer_reset_uses_up_the_older_links(client, smtp, make_user):
    user = make_user(Role.SHIPPER)
    ask(client, user.email)
    first = token_from_mail(smtp, user.email)
    ask(client, user.email)
    second = token_from_mail(smtp, user.email)
    assert first != second
    assert client.post(f"/api/v1/password-reset/{second}", json={"password": NEW_PASSWORD}
                       ).status_code == 204  # fmt: skip
    assert client.post(f"/api/v1/password-reset/{first}", json={"password": NEW_PASSWORD}
                       ).status_code == 422  # fmt: skip


def test_an_inactive_user_gets_no_link(client, db_session, smtp, make_user):
    user = make_user(Role.SHIPPER)
    user.active = False
    db_session.commit()
    assert ask(client, user.email).status_code == 202
    mail.deliver_due(db.session)
    assert smtp.messages == []


def test_asking_is_rate_limited_like_signing_in(make_app, make_user, monkeypatch):
    user = make_user(Role.SHIPPER)
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # the other apps stay unlimited
    limited = make_app(RATELIMIT_ENABLED=True, SIGN_IN_LIMIT="2 per minute")
    client = limited.test_client()
    statuses = [ask(client, user.email).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
