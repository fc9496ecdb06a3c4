"""Password reset by mail: a one-use link, valid ``PASSWORD_RESET_TTL`` (an hour).

Only the SHA-256 of the link's token is stored. Asking for a link answers alike whether the
address is known or not (no enumeration): the same work is done in both cases (a token is
made and hashed), and the mail goes out after the commit, outside the request. Setting the
new password follows the password rules of ``accounts.set_password``, which ends the user's
web sessions and revokes its API tokens; the link and every other open link of the user
stop working.
"""

import hashlib
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dryport.models import PasswordReset, User
from dryport.services import accounts, mail
from dryport.services.clock import utcnow
from dryport.services.errors import Invalid, NotFound


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link(token: str) -> str:
    """The page that sets a new password with ``token``."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/password-reset/{token}"


def request_reset(session: Session, email: str) -> None:
    """Mail a reset link to the active user with ``email``; nothing for an unknown or
    inactive address, with the same work done and the same (empty) answer."""
    token = secrets.token_urlsafe(32)
    token_hash = _hash(token)
    user = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None or not user.active:
        # The mail a known address gets is rendered all the same and thrown away, so that
        # the answer takes about as long either way.
        if mail.enabled():
            mail.render(mail.PASSWORD_RESET, "zh", user=User(email=email), link=link(token))
        return
    _store(session, user, token_hash)
    mail.queue_mail(session, user, mail.PASSWORD_RESET, link=link(token))


def issue_token(session: Session, user: User) -> str:
    """A reset token for ``user``, without a mail (the tests' way to a working link)."""
    token = secrets.token_urlsafe(32)
    _store(session, user, _hash(token))
    return token


def _store(session: Session, user: User, token_hash: str) -> None:
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_hash,
            expires_at=utcnow() + current_app.config["PASSWORD_RESET_TTL"],
        )
    )


def _bad(message) -> Invalid:
    return Invalid(message, errors={"token": [message]})


def check_token(session: Session, token: str, *, lock: bool = False) -> PasswordReset:
    """The open reset of ``token``: ``NotFound`` for a link that is unknown (or whose user
    can no longer sign in), ``Invalid`` (on ``token``) for one used or expired."""
    stmt = select(PasswordReset).where(PasswordReset.token_hash == _hash(token or ""))
    reset = session.scalar(stmt.with_for_update() if lock else stmt)
    if reset is None or not reset.user.active:
        message = _l("This password reset link is not valid. Ask for a new one.")
        raise NotFound(message, errors={"token": [message]})
    if reset.used_at is not None:
        raise _bad(_l("This password reset link has been used already. Ask for a new one."))
    if reset.expires_at <= utcnow():
        raise _bad(_l("This password reset link has expired. Ask for a new one."))
    return reset


def reset_password(session: Session, token: str, password: str) -> User:
    """Set the password of the link's user (``accounts.set_password``: the password rules;
    every web session ends and every API token is revoked). The link and the user's other
    open links are used up. Raises ``Invalid`` for a bad link or password."""
    reset = check_token(session, token, lock=True)
    user = reset.user
    # Guarded by used_at: of two requests with one link, one sets the password. A refused
    # password rolls this back with the rest: the link still works.
    used = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if used != 1:
        raise _bad(_l("This password reset link has been used already. Ask for a new one."))
    accounts.set_password(session, user, password)  # the user's other open links end too
    return user
