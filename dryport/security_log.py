"""The security events of the audit log: sign-ins, failed sign-ins, refused access, tokens
created and revoked.

They are written after the request's own transaction has ended, in a transaction of their
own: a failed sign-in is rolled back, but its trace must stay (and on SQLite a second writer
during the request would only wait for the first)."""

from flask import Flask, g, has_request_context, request
from sqlalchemy import insert

from dryport.db import utcnow
from dryport.extensions import db
from dryport.models import AuditEntry


def note(action: str, actor_id: int | None = None, summary: str = "", **changes) -> None:
    """Remember a security event of this request; it is written when the request ends."""
    if not has_request_context():
        return
    g.setdefault("security_events", []).append({
        "at": utcnow(), "actor_id": actor_id, "entity": "security", "entity_id": 0,
        "action": action, "summary": summary[:128],
        "changes": {"address": [None, request.remote_addr], "path": [None, request.path],
                    **changes},
    })  # fmt: skip


def init_app(app: Flask) -> None:
    @app.teardown_request
    def _write_security_events(exc):
        events = g.pop("security_events", None)
        if not events:
            return
        db.session.remove()  # the request's transaction is over; write in one of our own
        with db.engine.begin() as conn:
            conn.execute(insert(AuditEntry), events)
