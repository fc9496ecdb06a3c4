"""Mail through a real SMTP server: a mail per booking event to the users of the shipper's
company, each in its own language, unless turned off; sent after the commit by the outbox,
retried while the server is down and sent once when it is back; the clerks' morning digest
once a day."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from dryport.extensions import db
from dryport.models import DeliveryStatus, DigestSent, EventType, MailDelivery, Role, User
from dryport.services import loading, mail
from dryport.services.bookings import cancel_booking
from dryport.services.clock import to_local, utcnow
from tests.conftest import booking_body


@pytest.fixture
def company_users(make_company, make_user):
    company = make_company()
    chinese = make_user(Role.SHIPPER, company=company, locale="zh", name="王芳")
    english = make_user(Role.SHIPPER, company=company, locale="en", name="Anna")
    return company, chinese, english


def mails(db_session) -> list[MailDelivery]:
    db_session.expire_all()
    return list(db_session.scalars(select(MailDelivery).order_by(MailDelivery.id)))


def test_each_user_of_the_company_gets_the_event_in_its_own_language(
    db_session, smtp, company_users, make_user, make_booking
):
    company, chinese, english = company_users
    outsider = make_user(Role.SHIPPER)  # another company's user hears nothing
    clerk = make_user(Role.CLERK, station="HB")
    booking = make_booking(company)
    loading.reject_load(db_session, clerk, booking.reference, "Seal missing")
    db_session.commit()

    assert mail.deliver_due(db.session)["delivered"] == 2
    [zh] = smtp.to(chinese.email)
    [en] = smtp.to(english.email)
    assert smtp.to(outsider.email) == []
    assert en.subject == f"Booking {booking.reference} rejected"
    assert "The station has rejected your booking. Reason: Seal missing" in en.text
    assert "Hello Anna," in en.text and "Seal missing" in en.html
    assert zh.subject == f"订舱 {booking.reference} 已被拒绝"
    assert "您好，王芳：" in zh.text
    assert "车站已拒绝您的订舱。" in zh.text and "原因：Seal missing" in zh.text
    assert "车站已拒绝您的订舱。" in zh.html
    assert f"http://dryport.test/bookings/{booking.reference}" in zh.text


def test_a_kind_turned_off_is_not_mailed_to_that_user(
    db_session, smtp, company_users, make_booking
):
    company, chinese, english = company_users
    mail.set_choices(db_session, english, set(mail.EVENT_KINDS) - {"cancelled"})
    db_session.commit()
    assert mail.choices(db_session, english)["cancelled"] is False
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    mail.deliver_due(db.session)
    assert [m.to for m in smtp.messages] == [chinese.email]
    assert smtp.messages[0].subject == f"订舱 {booking.reference} 已取消"


def test_a_booking_placed_through_the_api_is_mailed_after_its_commit(
    client, db_session, smtp, company_users, api_token, make_departure
):
    company, chinese, english = company_users
    response = client.post(
        "/api/v1/bookings",
        json=booking_body(make_departure()),
        headers=api_token(english.email),
    )
    assert response.status_code == 201
    reference = response.get_json()["reference"]
    assert smtp.messages == []  # written by the commit, sent by the outbox afterwards
    assert {m.booking_reference for m in mails(db_session)} == {reference}
    mail.deliver_due(db.session)
    assert {m.subject for m in smtp.messages} == {
        f"Booking {reference} received",
        f"订舱 {reference} 已收到",
    }


@pytest.fixture
def renders(monkeypatch):
    """The kinds of the mails rendered, in order (``mail.render`` still does the work)."""
    done = []
    real = mail.render

    def counted(kind, locale, **context):
        done.append(kind)
        return real(kind, locale, **context)

    monkeypatch.setattr(mail, "render", counted)
    return done


def test_an_event_mail_is_written_unrendered_and_rendered_once_when_sent(
    db_session, smtp, renders, company_users, make_user, make_booking
):
    company, chinese, english = company_users
    booking = make_booking(company)
    loading.reject_load(db_session, make_user(Role.CLERK, station="HB"), booking.reference,
                        "Seal missing")  # fmt: skip
    db_session.commit()
    assert renders == []  # the commit wrote the rows only
    [rejected] = [e for e in booking.events if e.type is EventType.REJECTED]
    written = mails(db_session)
    assert {(m.to_address, m.kind, m.locale) for m in written} == {
        (chinese.email, "rejected", "zh"),
        (english.email, "rejected", "en"),
    }
    assert all(
        (m.booking_event_id, m.booking_reference, m.subject, m.text_body, m.html_body)
        == (rejected.id, booking.reference, "", "", "")
        for m in written
    )

    assert mail.deliver_due(db.session)["delivered"] == 2
    assert renders == ["rejected", "rejected"]  # once per mail, when it is sent
    [zh], [en] = smtp.to(chinese.email), smtp.to(english.email)
    assert zh.subject == f"订舱 {booking.reference} 已被拒绝" and "原因：Seal missing" in zh.text
    assert en.subject == f"Booking {booking.reference} rejected" and "Seal missing" in en.html
    assert {(m.to_address, m.subject, m.text_body, m.html_body) for m in mails(db_session)} == {
        (chinese.email, zh.subject, "", ""),  # the subject sent stays for the record
        (english.email, en.subject, "", ""),
    }
    assert mail.deliver_due(db.session)["delivered"] == 0 and renders == ["rejected"] * 2


def test_an_event_mail_is_rendered_for_the_user_as_the_account_is_when_sent(
    db_session, smtp, company_users, make_booking
):
    """Written in Chinese for 王芳, who switches to English before the worker runs: the mail
    is in English, with the event's own time and reason."""
    company, chinese, english = company_users
    mail.set_choices(db_session, english, [])
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    [written] = mails(db_session)
    assert written.locale == "zh"
    chinese.locale = "en"
    db_session.commit()

    assert mail.deliver_due(db.session)["delivered"] == 1
    [sent] = smtp.to(chinese.email)
    assert sent.subject == f"Booking {booking.reference} cancelled"
    assert "Hello 王芳," in sent.text
    [cancelled] = [e for e in booking.events if e.type is EventType.CANCELLED]
    assert to_local(cancelled.at).strftime("%Y-%m-%d %H:%M") in sent.text
    [row] = mails(db_session)
    assert (row.locale, row.status) == ("en", DeliveryStatus.DELIVERED)


def test_a_user_deactivated_or_removed_before_sending_gets_no_mail(
    db_session, smtp, company_users, make_user, make_booking
):
    company, chinese, english = company_users
    removed = make_user(Role.SHIPPER, company=company)
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    assert len(mails(db_session)) == 3
    english.active = False
    db_session.execute(delete(User).where(User.id == removed.id))  # its mail goes with it
    db_session.commit()

    assert mail.deliver_due(db.session) == {"delivered": 1, "retrying": 0, "failed": 1}
    assert [m.to for m in smtp.messages] == [chinese.email]
    assert {(m.to_address, m.status, m.last_error) for m in mails(db_session)} == {
        (chinese.email, DeliveryStatus.DELIVERED, None),
        (english.email, DeliveryStatus.FAILED, "Not sent: the user was deactivated."),
    }


def test_a_kind_turned_off_before_sending_is_not_sent(
    db_session, smtp, company_users, make_booking
):
    """The mails were written when the booking was cancelled; the English user then turned
    cancellations off, before the sender came to them."""
    company, chinese, english = company_users
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    mail.set_choices(db_session, english, [k for k in mail.EVENT_KINDS if k != "cancelled"])
    db_session.commit()

    assert mail.deliver_due(db.session) == {"delivered": 1, "retrying": 0, "failed": 1}
    assert [m.to for m in smtp.messages] == [chinese.email]
    assert {(m.to_address, m.status, m.last_error) for m in mails(db_session)} == {
        (chinese.email, DeliveryStatus.DELIVERED, None),
        (english.email, DeliveryStatus.FAILED, "Not sent: the user turned this kind of mail off."),
    }


def test_a_mail_that_cannot_be_rendered_fails_once_saying_why(
    app, db_session, smtp, company_users, make_booking
):
    """A template edited to use a value the event does not have: each of its mails fails at
    its first attempt with the template's error and is not tried again; once the template is
    mended, the next mails go out."""
    from jinja2 import ChoiceLoader, DictLoader

    company, chinese, english = company_users
    first, second = make_booking(company), make_booking(company)
    cancel_booking(db_session, chinese, first.reference)
    db_session.commit()
    loader = app.jinja_env.loader
    broken = (
        "{% extends 'mail/_booking.txt' %}{% block subject %}{{ details.no.such }}{% endblock %}"
    )
    app.jinja_env.loader = ChoiceLoader([DictLoader({"mail/cancelled.txt": broken}), loader])
    try:
        assert mail.deliver_due(db.session) == {"delivered": 0, "retrying": 0, "failed": 2}
        assert mail.deliver_due(db.session) == {"delivered": 0, "retrying": 0, "failed": 0}
    finally:
        app.jinja_env.loader = loader
    failed = mails(db_session)
    assert [(m.status, m.attempts) for m in failed] == [(DeliveryStatus.FAILED, 1)] * 2
    assert all(
        m.last_error.startswith("Rendering failed: UndefinedError:")
        and "has no attribute 'no'" in m.last_error
        for m in failed
    )
    assert smtp.messages == []

    cancel_booking(db_session, chinese, second.reference)
    db_session.commit()
    assert mail.deliver_due(db.session)["delivered"] == 2
    assert {m.subject for m in smtp.messages} == {
        f"Booking {second.reference} cancelled",
        f"订舱 {second.reference} 已取消",
    }


def test_a_bulk_upload_writes_its_mails_without_rendering_them(
    client, db_session, smtp, renders, company_users, api_token, make_departure
):
    from tests.api.test_booking_import import as_csv, row, upload

    company, chinese, english = company_users
    english.headers = api_token(english.email)
    departure = make_departure("EAST", capacity=10)
    response = upload(client, english, as_csv([row(departure)] * 3), dry_run="false")
    assert response.status_code == 200 and response.get_json()["created"] == 3
    assert renders == []
    written = mails(db_session)
    assert len(written) == 6  # three bookings, two users
    assert all(m.booking_event_id and m.subject == m.text_body == "" for m in written)

    assert mail.deliver_due(db.session)["delivered"] == 6
    assert renders == ["created"] * 6
    references = {r["reference"] for r in response.get_json()["rows"]}
    assert {m.subject for m in smtp.to(chinese.email)} == {f"订舱 {r} 已收到" for r in references}


def test_a_rolled_back_event_is_never_mailed(db_session, smtp, company_users, make_booking):
    company, chinese, _english = company_users
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.rollback()
    assert mails(db_session) == []


def test_without_a_mail_server_nothing_is_written_and_nothing_fails(
    db_session, company_users, make_booking
):
    company, chinese, _english = company_users
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    assert mails(db_session) == []
    assert mail.deliver_due(db.session) == {"delivered": 0, "retrying": 0, "failed": 0}


def test_mail_waits_while_the_server_is_down_and_is_sent_once_when_it_is_back(
    db_session, smtp, company_users, make_booking
):
    company, chinese, english = company_users
    mail.set_choices(db_session, english, [])  # one recipient: one mail to follow
    booking = make_booking(company)
    smtp.stop()
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()

    assert mail.deliver_due(db.session) == {"delivered": 0, "retrying": 1, "failed": 0}
    [waiting] = mails(db_session)
    assert waiting.status is DeliveryStatus.PENDING and waiting.attempts == 1
    assert waiting.next_attempt_at > utcnow() and waiting.last_error
    assert mail.deliver_due(db.session)["retrying"] == 0  # not due again yet (back-off)

    smtp.start()
    db_session.execute(update(MailDelivery).values(next_attempt_at=utcnow()))  # its time comes
    db_session.commit()
    assert mail.deliver_due(db.session)["delivered"] == 1
    assert mail.deliver_due(db.session) == {"delivered": 0, "retrying": 0, "failed": 0}
    assert len(smtp.messages) == 1
    [sent] = mails(db_session)
    assert sent.status is DeliveryStatus.DELIVERED and sent.attempts == 2
    assert sent.text_body == "" and sent.html_body == ""  # the body is not kept once sent


def test_a_mail_accepted_before_a_lost_goodbye_is_not_sent_again(
    app, db_session, smtp, company_users, make_booking
):
    """The server took the mail, then never answered QUIT: the mail is delivered, once."""
    company, chinese, english = company_users
    mail.set_choices(db_session, english, [])
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    app.config["MAIL_TIMEOUT_SECONDS"] = 0.5
    smtp.quit_delay = 2
    assert mail.deliver_due(db.session)["delivered"] == 1
    db_session.execute(update(MailDelivery).values(next_attempt_at=utcnow()))
    db_session.commit()
    assert mail.deliver_due(db.session) == {"delivered": 0, "retrying": 0, "failed": 0}
    assert len(smtp.messages) == 1
    [sent] = mails(db_session)
    assert sent.status is DeliveryStatus.DELIVERED and sent.attempts == 1


def test_the_connection_checks_the_servers_certificate(app, tmp_path):
    """STARTTLS to a server whose certificate nobody vouches for (self-signed) fails: the
    login and the reset links never travel over an unchecked connection."""
    import ssl
    import subprocess

    from aiosmtpd.controller import Controller

    from tests.mail_server import MailServer, free_port

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)  # fmt: skip
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    port = free_port()
    controller = Controller(MailServer(port), hostname="127.0.0.1", port=port, tls_context=tls)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=True)
    try:
        with app.app_context(), pytest.raises(ssl.SSLCertVerificationError):
            mail._Connection(app.extensions["mail"]).configure_host()
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25, MAIL_USE_TLS=False)
        controller.stop()


def test_two_workers_never_send_one_mail_twice(db_session, smtp, company_users, make_booking):
    company, chinese, _english = company_users
    booking = make_booking(company)
    cancel_booking(db_session, chinese, booking.reference)
    db_session.commit()
    first, second = (db.session.session_factory() for _ in range(2))
    try:
        due = [
            list(db_session.execute(select(MailDelivery.id, MailDelivery.next_attempt_at)))
            for _ in (first, second)
        ]
        results = [mail.attempt(s, i, at) for s, rows in zip((first, second), due, strict=True)
                   for i, at in rows]  # fmt: skip
    finally:
        first.close()
        second.close()
    assert results.count("delivered") == 2 and results.count(None) == 2
    assert len(smtp.messages) == 2


def test_the_app_process_sends_the_mail_after_the_commit(
    make_app, db_session, smtp, company_users, api_token, make_departure
):
    """With the in-process dispatcher the commit wakes it: nobody runs a worker."""
    company, chinese, english = company_users
    live = make_app(WEBHOOKS_IN_PROCESS=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    headers = api_token(english.email)
    try:
        response = live.test_client().post(
            "/api/v1/bookings", json=booking_body(make_departure()), headers=headers
        )
        assert response.status_code == 201
        assert smtp.arrived.wait(timeout=15), "nothing sent"
    finally:
        live.extensions["dryport_outbox"].stop()
    assert smtp.messages[0].subject.endswith("received") or "已收到" in smtp.messages[0].subject


# ---- the clerks' morning digest ------------------------------------------------------------


@pytest.fixture
def clerk(db_session, make_user):
    clerk = make_user(Role.CLERK, station="HB", locale="en", name="Li")
    assert mail.choices(db_session, clerk) == {mail.DIGEST: False}  # off unless asked for
    mail.set_choices(db_session, clerk, [mail.DIGEST])
    db_session.commit()
    return clerk


def test_the_digest_lists_the_queue_once_a_day(
    app, db_session, smtp, clerk, make_user, make_company, make_booking, runner
):
    company = make_company()
    waiting = [make_booking(company, origin="HB") for _ in range(2)]
    assert mail.send_digests(db_session) == 1
    db_session.commit()
    assert mail.send_digests(db_session) == 0  # the same day: nothing more
    db_session.commit()
    result = runner.invoke(args=["dryport", "digest"])
    assert result.exit_code == 0 and "Digests written: 0." in result.output
    mail.deliver_due(db.session)
    [digest] = smtp.to(clerk.email)
    assert digest.subject.startswith("2 bookings wait for your check at")
    assert all(b.reference in digest.text for b in waiting)
    assert db_session.scalar(select(func.count()).select_from(DigestSent)) == 1


def test_the_digest_is_sent_by_the_command_and_not_to_clerks_who_did_not_ask(
    db_session, smtp, clerk, make_user, make_company, make_booking, runner
):
    other = make_user(Role.CLERK, station="HB")
    make_booking(make_company(), origin="HB")
    result = runner.invoke(args=["dryport", "digest"])
    assert result.exit_code == 0 and "Digests written: 1." in result.output
    assert runner.invoke(args=["dryport", "mail"]).exit_code == 0
    assert [m.to for m in smtp.messages] == [clerk.email]
    assert smtp.to(other.email) == []


def test_the_mail_worker_writes_the_digest_too(
    app, db_session, smtp, clerk, make_company, make_booking, runner
):
    """Where no app process sends mail (WEBHOOKS_IN_PROCESS=0), `flask dryport mail` does the
    morning digest as well."""
    make_booking(make_company(), origin="HB")
    app.config["MAIL_DIGEST_HOUR"] = 0
    app.extensions.pop("dryport_digest", None)
    try:
        result = runner.invoke(args=["dryport", "mail"])
    finally:
        app.config["MAIL_DIGEST_HOUR"] = 7
        app.extensions.pop("dryport_digest", None)
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(func.count()).select_from(DigestSent)) == 1
    assert [m.to for m in smtp.messages] == [clerk.email]


def test_two_processes_write_one_digest(db_session, smtp, clerk, make_company, make_booking):
    make_booking(make_company(), origin="HB")
    first, second = (db.session.session_factory() for _ in range(2))
    try:
        written = mail.send_digests(first)
        first.commit()
        written += mail.send_digests(second)
        second.commit()
    finally:
        first.close()
        second.close()
    assert written == 1


def test_the_dispatcher_writes_the_digest_from_the_configured_hour(
    app, db_session, smtp, clerk, make_company, make_booking
):
    make_booking(make_company(), origin="HB")
    app.config["MAIL_DIGEST_HOUR"] = 24  # never reached today
    try:
        mail.digest_due(db_session)
        assert mails(db_session) == []
        app.config["MAIL_DIGEST_HOUR"] = 0  # reached
        mail.digest_due(db_session)
        mail.digest_due(db_session)
    finally:
        app.config["MAIL_DIGEST_HOUR"] = 7
        app.extensions.pop("dryport_digest", None)
    assert [m.kind for m in mails(db_session)] == [mail.DIGEST]
    assert mails(db_session)[0].next_attempt_at <= utcnow() + timedelta(seconds=1)
