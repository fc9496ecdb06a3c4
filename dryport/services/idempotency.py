"""``Idempotency-Key``: a retried request with the same key and body gets the first response
and creates nothing new, also when the two race; the same key with another body is refused.

The key's record is written in the same transaction as the work it protects: if the work
fails, the key is free again; if two requests race, the database's unique constraint makes
the second wait for the first and then replay its response.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dryport.db import utcnow
from dryport.models import IdempotencyKey, User
from dryport.services.errors import Invalid

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict


def fingerprint(method: str, path: str, payload) -> str:
    """The same request, whatever its JSON's spacing or key order, gives the same digest."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def claim(
    session: Session, user: User, key: str, digest: str, ttl: timedelta
) -> IdempotencyKey | Replay:
    """Claim ``key`` for this request, or return the stored response of its first use.

    Raises ``Invalid`` when the key is malformed or was used with a different request.
    """
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid(
            _l("An Idempotency-Key is 1 to %(n)d printable characters.", n=MAX_KEY_LENGTH),
            errors={"Idempotency-Key": [_l("Invalid key.")]},
        )
    now = utcnow()
    # Only this user's expired keys: a global sweep would make every user's keyed request
    # wait on the same rows.
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.expires_at <= now
        )
    )
    existing = _find(session, user, key)
    if existing is None:
        record = IdempotencyKey(user_id=user.id, key=key, request_hash=digest, expires_at=now + ttl)
        try:
            with session.begin_nested():
                session.add(record)
            return record
        except IntegrityError:  # a concurrent request took the key first and has committed
            existing = _find(session, user, key)
    return _replay(existing, digest)


def complete(record: IdempotencyKey, status: int, body: dict) -> None:
    """Store the response to replay; it commits with the work."""
    record.response_status = status
    record.response_body = body


def _find(session: Session, user: User, key: str) -> IdempotencyKey | None:
    return session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
    )


def _replay(record: IdempotencyKey, digest: str) -> Replay:
    if record.request_hash != digest:
        raise Invalid(
            _l("This Idempotency-Key was already used with a different request."),
            errors={"Idempotency-Key": [_l("Already used with a different request.")]},
        )
    return Replay(record.response_status, record.response_body)
