"""Mail to users: a mail per booking event to the users of the shipper's company, the
clerks' morning digest of their queue, and password reset links.

Each mail is a ``MailDelivery`` row of the outbox (``services.outbox``), written by the
commit that makes its reason: sent after the commit by the app process's dispatcher thread or
the ``flask dryport mail --loop`` worker, retried with back-off while the SMTP server is away,
sent once. Without ``MAIL_SERVER`` no row is written: nothing is sent and nothing fails.

A mail is rendered (``render``) in the recipient's own language (``User.locale``) from
``templates/mail/<kind>.txt`` and ``.html`` (the subject is the ``subject`` block of the
``.txt``). A booking event's mail is rendered by the worker just before it is sent, from the
event and its booking as they are then: the commit that writes the event (a bulk upload's
thousands of them) writes only the rows. A password reset (its link's token exists only
while it is written) and a digest are rendered when written (``queue_mail``).

A user turns kinds of mail off (or the digest on) on the account's notifications page;
``MailChoice`` keeps only the choices that differ from the default.
"""

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Connection, Message
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from dryport.extensions import mail as flask_mail
from dryport.labels import label
from dryport.models import (
    BookingEvent,
    DeliveryStatus,
    DigestSent,
    EventType,
    MailChoice,
    MailDelivery,
    Role,
    User,
)
from dryport.services import outbox
from dryport.services.clock import local_today, to_local, utcnow

log = logging.getLogger(__name__)

DIGEST = "queue_digest"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of mail
#: A kind of mail per kind of booking event, all sent unless turned off.
EVENT_KINDS = tuple(t.name.lower() for t in EventType)


def enabled() -> bool:
    """Whether mail is configured at all (``MAIL_SERVER``)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def kind_of(booking_event: BookingEvent) -> str:
    return booking_event.type.name.lower()


def kind_label(kind: str) -> str:
    """What a kind of mail is called on the notifications page."""
    if kind == DIGEST:
        return str(_l("Morning digest of my station's queue"))
    return label(EventType[kind.upper()])


# ---- choices -----------------------------------------------------------------------------


def kinds_for(user: User) -> tuple[str, ...]:
    """The kinds of mail a user may choose: shippers their bookings' events, clerks the
    morning digest."""
    if user.role is Role.SHIPPER:
        return EVENT_KINDS
    if user.role is Role.CLERK:
        return (DIGEST,)
    return ()


def _default(kind: str) -> bool:
    return kind != DIGEST


def choices(session: Session, user: User) -> dict[str, bool]:
    """Each kind the user may choose, and whether it is sent to the user."""
    chosen = dict(
        session.execute(
            select(MailChoice.kind, MailChoice.wanted).where(MailChoice.user_id == user.id)
        ).all()
    )
    return {kind: chosen.get(kind, _default(kind)) for kind in kinds_for(user)}


def set_choices(session: Session, user: User, wanted: Iterable[str]) -> dict[str, bool]:
    """Keep the user's choice: the kinds in ``wanted`` are sent, the others not (kinds the
    user's role does not have are ignored). Returns the choices now in force."""
    wanted = set(wanted)
    existing = {
        c.kind: c for c in session.scalars(select(MailChoice).where(MailChoice.user_id == user.id))
    }
    for kind in kinds_for(user):
        want = kind in wanted
        row = existing.get(kind)
        if want == _default(kind):
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(MailChoice(user_id=user.id, kind=kind, wanted=want))
        else:
            row.wanted = want
    session.flush()
    return choices(session, user)


# ---- writing mails -----------------------------------------------------------------------


def render(kind: str, locale: str, **context) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail of ``kind`` in ``locale``."""
    with force_locale(locale):
        context.setdefault("public_url", current_app.config["PUBLIC_URL"].rstrip("/"))
        text = render_template(f"mail/{kind}.txt", **context)
        html = render_template(f"mail/{kind}.html", **context)
        template = current_app.jinja_env.get_template(f"mail/{kind}.txt")
        subject_block = template.blocks["subject"]
        jinja_context = template.new_context(
            dict(current_app.jinja_env.globals) | _template_context() | context
        )
        subject = " ".join("".join(subject_block(jinja_context)).split())
    return subject[:250], text, html


def _template_context() -> dict:
    context: dict = {}
    current_app.update_template_context(context)
    return context


def queue_mail(session: Session, user: User, kind: str, **context) -> MailDelivery | None:
    """Write a mail to ``user`` into the outbox, rendered now in the user's language (a
    password reset, a digest); sent after the commit. None when mail is not configured."""
    if not enabled():
        return None
    subject, text, html = render(kind, user.locale, user=user, **context)
    delivery = MailDelivery(
        user_id=user.id,
        kind=kind,
        to_address=user.email,
        locale=user.locale,
        subject=subject,
        text_body=text,
        html_body=html,
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    outbox.mark_written(session)
    return delivery


def _write_event_mails(session: Session, noted: list[BookingEvent]) -> None:
    """The outbox's writer: each noted event mailed to the active users of the booking's
    company, except those who turned its kind off. Only the rows are written, in one
    statement, unrendered (``_render_event`` at send time)."""
    if not enabled():
        return
    companies = {e.booking.company_id for e in noted}
    users = list(
        session.scalars(
            select(User).where(
                User.company_id.in_(companies), User.role == Role.SHIPPER, User.active
            )
        )
    )
    if not users:
        return
    turned_off = set(
        session.execute(
            select(MailChoice.user_id, MailChoice.kind).where(
                MailChoice.user_id.in_([u.id for u in users]), MailChoice.wanted.is_(False)
            )
        ).all()
    )
    session.flush()  # the events' ids
    now = utcnow()
    rows = []
    for booking_event in noted:
        booking, kind = booking_event.booking, kind_of(booking_event)
        for user in users:
            if user.company_id != booking.company_id or (user.id, kind) in turned_off:
                continue
            rows.append(
                {
                    "user_id": user.id,
                    "kind": kind,
                    "to_address": user.email,
                    "locale": user.locale,
                    "subject": "",
                    "text_body": "",
                    "html_body": "",
                    "booking_reference": booking.reference,
                    "booking_event_id": booking_event.id,
                    "next_attempt_at": now,
                }
            )
    if rows:
        session.execute(insert(MailDelivery), rows)
        outbox.mark_written(session)


def _still_wanted(session: Session, user: User, kind: str) -> bool:
    """Whether the user still wants a mail of ``kind`` written earlier: a kind the user may
    choose (``kinds_for``) and has turned off since is not sent; others (a password reset)
    always are."""
    return kind not in kinds_for(user) or choices(session, user)[kind]


def _render_event(delivery: MailDelivery, user: User) -> tuple[str, str, str]:
    """A booking event's mail to ``user``, rendered now in the user's language: the event
    (its ``details`` and ``at`` say what happened) with its booking as it is now."""
    booking_event = delivery.booking_event
    return render(
        delivery.kind,
        user.locale,
        user=user,
        booking=booking_event.booking,
        event=booking_event,
        details=booking_event.details or {},
        event_at=to_local(booking_event.at),
    )


outbox.register_writer(_write_event_mails)


# ---- the clerks' morning digest ----------------------------------------------------------


def send_digests(session: Session, now: datetime | None = None) -> int:
    """Write today's morning digest (Beijing's day) for every active clerk who wants it and
    has bookings waiting: at most one per clerk and day, however many processes try at once
    (a ``DigestSent`` row per clerk and day, unique). Returns how many were written."""
    if not enabled():
        return 0
    from dryport.services.loading import station_queue

    today = local_today() if now is None else to_local(now).date()
    clerks = session.scalars(
        select(User)
        .join(MailChoice, (MailChoice.user_id == User.id) & (MailChoice.kind == DIGEST))
        .where(User.role == Role.CLERK, User.active, MailChoice.wanted.is_(True))
        .where(~select(DigestSent.id).where(DigestSent.user_id == User.id,
                                            DigestSent.day == today).exists())
        .order_by(User.id)
    ).all()  # fmt: skip
    written = 0
    for clerk in clerks:
        try:
            with session.begin_nested():
                session.add(DigestSent(user_id=clerk.id, day=today))
                session.flush()
        except IntegrityError:  # another process wrote this clerk's digest first
            continue
        waiting = station_queue(session, clerk)
        if waiting:
            queue_mail(session, clerk, DIGEST, waiting=waiting, day=today)
            written += 1
    return written


def digest_due(session: Session) -> None:
    """In the dispatcher's rounds: once the hour ``MAIL_DIGEST_HOUR`` (Beijing) has come,
    today's digests (``send_digests``; once a day per clerk whatever the rounds)."""
    if not enabled() or to_local(utcnow()).hour < current_app.config["MAIL_DIGEST_HOUR"]:
        return
    state = current_app.extensions.setdefault("dryport_digest", {})
    today = local_today()
    if state.get("day") == today:
        return
    send_digests(session)
    session.commit()
    state["day"] = today


# ---- sending -----------------------------------------------------------------------------


class _Connection(Connection):
    """Flask-Mail's connection, with a timeout (a silent server must not hold a worker), to
    the server the configuration names now."""

    def configure_host(self):
        config = current_app.config
        server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        timeout = config["MAIL_TIMEOUT_SECONDS"]
        # The server's certificate and name are checked: the login and the reset links
        # travel over this connection.
        context = ssl.create_default_context()
        if config["MAIL_USE_SSL"]:
            host = smtplib.SMTP_SSL(server, port, timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(server, port, timeout=timeout)
        try:
            if config["MAIL_USE_TLS"]:
                host.starttls(context=context)
            if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
                host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            host.close()
            raise
        return host


def send(delivery: MailDelivery) -> str | None:
    """Hand one mail to the SMTP server; why it failed, or None."""
    state = current_app.extensions["mail"]
    message = Message(
        subject=delivery.subject,
        recipients=[delivery.to_address],
        body=delivery.text_body,
        html=delivery.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    sent = False
    try:
        with _Connection(state) as connection:
            connection.send(message)
            sent = True
    except (OSError, smtplib.SMTPException) as error:
        if sent:  # accepted; only the goodbye (QUIT) failed: sending again would send twice
            log.warning("mail %s sent; closing the connection failed: %s", delivery.id, error)
            return None
        return f"{type(error).__name__}: {error}"
    return None


def deliver_due(session: Session, now: datetime | None = None, limit: int = 50) -> dict:
    """Send the mails that are due; how many were delivered, will be retried, have failed."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    if not enabled():
        return counts
    now = now or utcnow()
    config = current_app.config
    outbox.fail_exhausted(session, MailDelivery, now, config["MAIL_MAX_ATTEMPTS"])
    due = session.execute(
        select(MailDelivery.id, MailDelivery.next_attempt_at)
        .where(MailDelivery.status == DeliveryStatus.PENDING, MailDelivery.next_attempt_at <= now)
        .order_by(MailDelivery.next_attempt_at, MailDelivery.id)
        .limit(limit)
    ).all()
    session.commit()
    for delivery_id, due_at in due:
        try:
            result = attempt(session, delivery_id, due_at)
        except Exception:  # one bad mail must not stop the others
            session.rollback()
            log.exception("mail %s failed", delivery_id)
            continue
        if result is not None:
            counts[result] += 1
    return counts


def attempt(session: Session, delivery_id: int, due_at: datetime) -> str | None:
    """One attempt at a due mail: ``delivered``, ``retrying`` or ``failed``; None when
    another worker has it, or its user (and with it the row) was removed meanwhile.

    A booking event's mail is rendered here, before the SMTP server is called, to the user
    as the account is now (address, language); a user deactivated meanwhile, or who has
    turned that kind of mail off since it was written, gets no mail; a mail that cannot be
    rendered fails at once, saying why (rendering again would fail again)."""
    config = current_app.config
    attempts = outbox.claim(
        session, MailDelivery, delivery_id, due_at, utcnow(), config["MAIL_MAX_ATTEMPTS"]
    )
    if attempts is None:
        return None

    def finish(error: str | None, retry: bool = True, **values) -> str:
        return outbox.finish(
            session,
            MailDelivery,
            delivery_id,
            attempts,
            error,
            utcnow(),
            max_attempts=config["MAIL_MAX_ATTEMPTS"],
            retry_base=config["MAIL_RETRY_BASE_SECONDS"],
            retry_cap=config["MAIL_RETRY_CAP_SECONDS"],
            retry=retry,
            **values,
        )

    # A read transaction (the claim committed): rendering holds no write lock on SQLite.
    delivery = session.get(MailDelivery, delivery_id)
    if delivery is None:  # its user was removed meanwhile
        session.commit()
        return None
    user = delivery.user
    if user is not None and not user.active:
        session.commit()
        return finish("Not sent: the user was deactivated.", retry=False)
    if user is not None and not _still_wanted(session, user, delivery.kind):
        session.commit()
        return finish("Not sent: the user turned this kind of mail off.", retry=False)
    rendered = {}
    if delivery.booking_event_id is not None:
        if user is None:  # every row names its user; a row without one has nobody to tell
            session.commit()
            return finish("Not sent: the mail has no user.", retry=False)
        try:
            subject, text, html = _render_event(delivery, user)
        except SQLAlchemyError:  # the database, not the mail: the attempt is tried again
            raise
        except Exception as error:
            log.exception("mail %s could not be rendered", delivery_id)
            session.rollback()
            return finish(f"Rendering failed: {type(error).__name__}: {error}", retry=False)
        rendered = {"to_address": user.email, "locale": user.locale, "subject": subject}
    session.expunge(delivery)
    session.commit()  # no transaction stays open while the SMTP server is called
    if rendered:  # the detached copy is what is sent; the row keeps empty bodies
        delivery.to_address, delivery.subject = rendered["to_address"], rendered["subject"]
        delivery.text_body, delivery.html_body = text, html
    error = send(delivery)
    # A sent mail keeps its subject for the record, not its body (a reset link is in one).
    sent = {"text_body": "", "html_body": ""} if error is None else {}
    return finish(error, **rendered, **sent)


outbox.register_channel("mail", deliver_due)


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(MailDelivery.status == DeliveryStatus.PENDING))


def init_app(app) -> None:
    flask_mail.init_app(app)
    dispatcher = app.extensions.get("dryport_outbox")
    if dispatcher is not None:
        dispatcher.every_round.append(digest_due)
