"""``db.execute_direct``: the statements of every booking run straight on the DBAPI cursor,
with what a Core execution gives them kept: types, column defaults, listeners, errors."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from dryport.db import LOCK_AT_FIRST_WRITE, _numbered, execute_direct, write_intent
from dryport.models import Counter, Departure, DepartureStatus
from dryport.services import capacity

#: With a value of its own (an anonymous parameter) beside the one given.
_DEPARTURE = select(*Departure.__table__.columns).where(
    Departure.id == bindparam("id"), Departure.capacity_teu > 0
)


def test_a_row_is_the_row_a_core_execution_reads(db_session, make_departure):
    departure = make_departure(capacity=100)
    db_session.commit()
    (row,) = execute_direct(db_session, _DEPARTURE, {"id": departure.id})
    core = db_session.connection().execute(_DEPARTURE, {"id": departure.id}).one()
    assert tuple(row) == tuple(core)
    assert row._mapping == dict(core._mapping)
    # the types processed: an enum, a Decimal, an aware datetime
    assert row.status is DepartureStatus.SCHEDULED
    assert row.capacity_teu == Decimal(100) and isinstance(row.held_teu, Decimal)
    assert row.departs_at.utcoffset() == timedelta(0)
    assert execute_direct(db_session, _DEPARTURE, {"id": -1}) == []


def test_column_defaults_are_filled_in(db_session, make_departure):
    """An UPDATE's ``onupdate`` and an INSERT's ``default``, as a Core execution fills them."""
    departure = make_departure(capacity=100)
    db_session.commit()
    before = departure.updated_at
    (row,) = execute_direct(
        db_session, capacity.HOLD, {"departure_id": departure.id, "teu": 2, "kg": 0}
    )
    assert row.held_teu == 2
    db_session.commit()
    db_session.refresh(departure)
    assert departure.updated_at > before
    statement = insert(Counter).returning(Counter.value)
    (row,) = execute_direct(db_session, statement, {"name": "direct"}, ("name",))
    assert row.value == 0


def test_listeners_see_the_statement(db_session, make_departure, count_queries):
    id_ = make_departure(capacity=100).id
    db_session.commit()
    with count_queries() as seen:
        execute_direct(db_session, _DEPARTURE, {"id": id_})
    assert [s for s in seen if "FROM departures" in s] == [seen[-1]]


def test_a_write_takes_sqlites_lock_at_first_write(db_session, make_departure):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only: its write lock")
    departure = make_departure(capacity=100)
    db_session.commit()
    token = write_intent.set(LOCK_AT_FIRST_WRITE)
    try:
        execute_direct(db_session, _DEPARTURE, {"id": departure.id})
        raw = db_session.connection().connection.dbapi_connection
        assert not raw.in_transaction  # a read alone takes no lock
        execute_direct(db_session, capacity.HOLD, {"departure_id": departure.id, "teu": 1, "kg": 0})
        assert raw.in_transaction  # the first write began the IMMEDIATE transaction
    finally:
        write_intent.reset(token)
        db_session.rollback()


def test_an_error_is_sqlalchemys_and_the_session_goes_on(db_session):
    statement = insert(Counter).returning(Counter.value)
    execute_direct(db_session, statement, {"name": "twice", "value": 1}, ("name", "value"))
    db_session.commit()
    with pytest.raises(IntegrityError):
        execute_direct(db_session, statement, {"name": "twice", "value": 2}, ("name", "value"))
    db_session.rollback()
    assert db_session.scalar(select(Counter.value).where(Counter.name == "twice")) == 1


def test_parameters_expanded_at_execution_are_refused(db_session):
    statement = select(Departure.id).where(Departure.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(StatementError, match="not run directly"):
        execute_direct(db_session, statement, {"ids": [1, 2]})


def test_a_parameter_missing_is_refused(db_session):
    with pytest.raises(StatementError, match="A value is required for \\['id'\\]"):
        execute_direct(db_session, _DEPARTURE, {})


def test_a_value_its_type_refuses_is_a_statement_error(db_session):
    """As a Core execution raises it: a naive datetime for a UTC column."""
    statement = select(Departure.id).where(
        Departure.departs_at < bindparam("at", type_=Departure.departs_at.type)
    )
    with pytest.raises(StatementError):
        execute_direct(db_session, statement, {"at": datetime(2026, 12, 1)})


def test_a_listener_keeps_what_it_notes_on_the_context(db_session, make_departure):
    """A listener that times a statement (notes the start on the context before, reads it
    after, as Flask-SQLAlchemy's query recording does) is given one context for both."""
    id_ = make_departure(capacity=100).id
    db_session.commit()
    timed = []

    def start(conn, cursor, statement, parameters, context, executemany):
        context.started = statement

    def end(conn, cursor, statement, parameters, context, executemany):
        timed.append((context.started == statement, context.statement, context.parameters))

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", start)
    event.listen(engine, "after_cursor_execute", end)
    try:
        execute_direct(db_session, _DEPARTURE, {"id": id_})
    finally:
        event.remove(engine, "before_cursor_execute", start)
        event.remove(engine, "after_cursor_execute", end)
    (noted, statement, parameters) = timed[-1]
    assert (
        noted
        and "FROM departures" in statement
        and id_ in (parameters.values() if isinstance(parameters, dict) else parameters)
    )


def test_a_named_statement_is_numbered_for_postgresql():
    """psycopg's raw queries: ``$n`` parameters, a name used twice one number, ``%%`` a
    percent sign; a lone ``%`` is refused (it would be neither)."""
    sql, names = _numbered("SELECT %(a)s::INTEGER + %(b)s, %(a)s %% 2")
    assert (sql, names) == ("SELECT $1::INTEGER + $2, $1 % 2", ["a", "b"])
    with pytest.raises(ValueError, match="lone"):
        _numbered("SELECT 5 % 2")
