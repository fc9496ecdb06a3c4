"""The web's password reset and notifications pages: the link on the sign-in page, the same
answer for any address, the new password set once with the mailed link, every other session
ended; each user's choice of mails."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dryport.extensions import db
from dryport.models import MailChoice, PasswordReset, Role
from dryport.services import mail
from dryport.services.clock import utcnow
from tests.conftest import PASSWORD, Auth, csrf_token

NEW_PASSWORD = "a-new-long-passphrase-42"


def english(client):
    page = client.get("/login")
    client.post("/language/en", data={"csrf_token": csrf_token(page), "next": "/login"})


def ask(client, email):
    page = client.get("/password-reset")
    return client.post("/password-reset", data={"email": email, "csrf_token": csrf_token(page)})


def mailed_link(smtp, email) -> str:
    mail.deliver_due(db.session)
    return smtp.to(email)[-1].link().replace("http://dryport.test", "")


def set_password(client, link, password=NEW_PASSWORD, again=None):
    page = client.get(link)
    return client.post(link, data={"password": password, "password_confirm": again or password,
                                   "csrf_token": csrf_token(page)})  # fmt: skip


def test_the_sign_in_page_links_to_the_request_page(client):
    english(client)
    page = client.get("/login")
    assert b'href="/password-reset"' in page.data and b"Forgot password?" in page.data
    assert "忘记密码？" in app_page_in_chinese(client)


def app_page_in_chinese(client) -> str:
    page = client.get("/login")
    client.post("/language/zh", data={"csrf_token": csrf_token(page), "next": "/login"})
    return client.get("/login").get_data(as_text=True)


def test_a_known_and_an_unknown_address_get_the_same_answer(client, smtp, make_user):
    user = make_user(Role.SHIPPER)
    english(client)
    known, unknown = ask(client, user.email), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location == "/login"
    assert b"a link to set a new password is on its way" in client.get("/login").data
    mail.deliver_due(db.session)
    assert [m.to for m in smtp.messages] == [user.email]


def test_the_request_needs_its_csrf_token_and_a_well_formed_address(client, smtp):
    english(client)
    assert client.post("/password-reset", data={"email": "a@example.com"}).status_code == 400
    page = client.get("/password-reset")
    bad = client.post("/password-reset", data={"email": "not-an-address",
                                               "csrf_token": csrf_token(page)})  # fmt: skip
    assert bad.status_code == 422 and b'id="email-error"' in bad.data


def test_the_mailed_link_sets_a_new_password_and_ends_every_other_session(
    app, client, smtp, make_user, api_token
):
    user = make_user(Role.SHIPPER, locale="en")
    elsewhere = app.test_client()
    Auth(elsewhere).login(user.email)
    token = api_token(user.email)
    assert elsewhere.get("/bookings/").status_code == 200

    english(client)
    ask(client, user.email)
    link = mailed_link(smtp, user.email)
    page = client.get(link)
    assert page.status_code == 200 and b"Set a new password" in page.data
    differ = set_password(client, link, again="something-else-entirely")
    assert differ.status_code == 422 and b'id="password_confirm-error"' in differ.data
    done = set_password(client, link)
    assert done.status_code == 302 and done.location == "/login"
    assert b"Your password is set" in client.get("/login").data

    assert elsewhere.get("/bookings/").status_code == 302  # signed out there
    assert client.get("/api/v1/bookings", headers=token).status_code == 401
    assert Auth(client).login(user.email, PASSWORD).status_code == 401
    assert Auth(client).login(user.email, NEW_PASSWORD).status_code == 302


def test_a_used_link_says_so(client, smtp, make_user):
    user = make_user(Role.SHIPPER)
    english(client)
    ask(client, user.email)
    link = mailed_link(smtp, user.email)
    set_password(client, link)
    page = client.get(link)
    assert page.status_code == 404 and b"has been used already" in page.data
    assert b'href="/password-reset"' in page.data  # a way to ask for a new one


def test_an_expired_link_says_so_in_chinese(client, db_session, smtp, make_user):
    user = make_user(Role.SHIPPER)
    ask(client, user.email)
    link = mailed_link(smtp, user.email)
    db_session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "此重设密码链接已过期" in page.get_data(as_text=True)
    refused = set_password(client, link)
    assert refused.status_code == 422
    assert db_session.scalar(select(PasswordReset.used_at)) is None


def test_a_weak_password_is_refused_beside_its_field(client, smtp, make_user):
    user = make_user(Role.SHIPPER)
    english(client)
    ask(client, user.email)
    link = mailed_link(smtp, user.email)
    weak = set_password(client, link, password="password1234")
    assert weak.status_code == 422 and b'id="password-error"' in weak.data
    assert set_password(client, link).status_code == 302  # the link still works


# ---- notifications ------------------------------------------------------------------------


def save(client, kinds):
    page = client.get("/account/notifications")
    return client.post(
        "/account/notifications", data={"kind": kinds, "csrf_token": csrf_token(page)}
    )


def test_a_shipper_turns_a_kind_of_mail_off(client, auth, db_session, make_user):
    user = make_user(Role.SHIPPER, locale="en")
    auth.login(user.email)
    page = client.get("/account/notifications")
    assert page.status_code == 200 and b'value="cancelled" checked' in page.data
    kept = [k for k in mail.EVENT_KINDS if k != "cancelled"]
    assert save(client, kept).status_code == 302
    page = client.get("/account/notifications")
    assert b'value="cancelled">' in page.data and b"Your choice of mails is saved" in page.data
    assert mail.choices(db_session, user)["cancelled"] is False
    assert db_session.scalars(select(MailChoice.kind)).all() == ["cancelled"]


def test_a_clerk_turns_the_digest_on_in_chinese(client, auth, db_session, make_user):
    clerk = make_user(Role.CLERK, station="HB")
    auth.login(clerk.email)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "本站待查验队列晨报" in page and 'value="queue_digest" checked' not in page
    save(client, ["queue_digest", "cancelled"])  # a kind not of its role is ignored
    assert mail.choices(db_session, clerk) == {"queue_digest": True}


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_staff_have_no_mails_to_choose(client, auth, make_user, role):
    english(client)
    auth.login(make_user(role).email)
    page = client.get("/account/notifications")
    assert page.status_code == 200 and b"No mails to choose for your role" in page.data


def test_the_choice_needs_its_csrf_token(client, auth, make_user):
    auth.login(make_user(Role.SHIPPER).email)
    assert client.post("/account/notifications", data={"kind": []}).status_code == 400
