"""The request's unit of work (``dryport.db.init_app``): one commit at the end of a request
that succeeded, and ``commit_now`` for a view that ends its transaction early."""

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from dryport.db import commit_now
from dryport.extensions import db
from dryport.models import Departure


def _commits():
    """A list that each commit made while a request is handled appends to (not the test's
    own: the test client commits the test's session before each request)."""
    seen = []

    def note(session):
        if has_request_context():
            seen.append(session)

    event.listen(Session, "after_commit", note)
    return seen, lambda: event.remove(Session, "after_commit", note)


def test_a_change_after_commit_now_is_committed_at_the_end(make_app, db_session, make_departure):
    """``commit_now`` ends the transaction and keeps what was loaded; a change made to those
    objects afterwards begins no transaction, and the request's commit still writes it."""
    app = make_app(WTF_CSRF_ENABLED=False)
    departure = make_departure(capacity=100)

    @app.post("/test/departures/<int:departure_id>")
    def change(departure_id):
        loaded = db.session.get(Departure, departure_id)
        commit_now(db.session)
        loaded.capacity_teu = 77
        return "", 204

    assert app.test_client().post(f"/test/departures/{departure.id}").status_code == 204
    db_session.expire_all()
    assert db_session.get(Departure, departure.id).capacity_teu == 77


def test_a_request_that_used_no_database_commits_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)

    @app.post("/test/nothing")
    def nothing():
        return "", 204

    seen, stop = _commits()
    try:
        assert app.test_client().post("/test/nothing").status_code == 204
    finally:
        stop()
    assert seen == []
