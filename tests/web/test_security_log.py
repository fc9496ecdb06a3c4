"""Security events land in the audit log, also when the request itself is refused."""

from sqlalchemy import select

from dryport.models import AuditEntry, Role
from tests.conftest import csrf_token


def _events(db_session):
    db_session.expire_all()
    return [
        (e.action, e.actor_id, e.summary)
        for e in db_session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "security").order_by(AuditEntry.id)
        )
    ]


def test_sign_ins_failures_refusals_and_tokens_are_logged(
    client, auth, db_session, make_user, api_token
):
    user = make_user(Role.SHIPPER)
    auth.login(user.email, "not-the-password")
    auth.login(user.email)
    client.get("/operations/")  # a shipper may not: 403
    page = client.get("/account/tokens")
    client.post(
        "/account/tokens", data={"name": "ERP", "days": "30", "csrf_token": csrf_token(page)}
    )
    record_id = db_session.scalar(select(AuditEntry.id))  # something was written
    assert record_id is not None
    api_token(user.email)
    actions = [(action, actor) for action, actor, _ in _events(db_session)]
    assert actions == [
        ("sign_in_failed", None),
        ("sign_in", user.id),
        ("denied", user.id),
        ("token_created", user.id),
        ("token_created", user.id),
    ]
    assert _events(db_session)[0][2] == user.email


def test_the_audit_page_shows_security_events_in_the_readers_language(client, auth, make_user):
    admin = make_user(Role.ADMIN)
    auth.login(admin.email, "wrong-password-here")
    auth.login(admin.email)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "登录失败" in page and "安全" in page
