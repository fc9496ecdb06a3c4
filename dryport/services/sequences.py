"""Named counters for human-friendly numbers, safe when many requests draw at once."""

import contextlib
import re

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from dryport.db import execute_direct
from dryport.models import Counter

_BUMP = (  # built once: counters are drawn on every booking
    update(Counter)
    .where(Counter.name == bindparam("counter"))
    .values(value=Counter.value + bindparam("count", type_=Counter.value.type))
    .returning(Counter.value)
    .execution_options(synchronize_session=False)
)


def reserve(session: Session, name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive values of counter ``name`` (created at 0 when new).

    The increment is one UPDATE, so two transactions never get the same value: the second
    waits for the first's row lock (PostgreSQL) or database lock (SQLite).
    """
    for _ in range(2):
        rows = execute_direct(session, _BUMP, {"counter": name, "count": count})
        if rows:
            new_value = rows[0].value
            return range(new_value - count + 1, new_value + 1)
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=0))
        except IntegrityError:  # another transaction created it first: update theirs
            pass
    raise RuntimeError(f"counter {name} could not be reserved")  # pragma: no cover


#: On PostgreSQL, a counter drawn apart is a database sequence: ``nextval`` takes no lock
#: that lasts to the commit and needs no connection of its own. NULL while the sequence does
#: not exist yet (the first draw of a month).
_NEXTVAL = text(
    "SELECT CASE WHEN to_regclass(CAST(:sequence AS text)) IS NOT NULL"
    " THEN nextval(CAST(:sequence AS regclass)) END"
)


def draw(session: Session, name: str) -> int:
    """One value of counter ``name``, for a number that may skip one: on PostgreSQL from a
    database sequence of its own (``nextval``), which no transaction waits for and which a
    rollback does not give back (the value is left unused); on SQLite, whose writers take
    turns anyway, from the counter in the caller's transaction, with no gap."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return reserve(session, name)[0]
    sequence = sequence_name(name)
    value = session.connection().execute(_NEXTVAL, {"sequence": sequence}).scalar()
    if value is None:
        value = _create_and_draw(getattr(bind, "engine", bind), name, sequence)
    return value


def sequence_name(name: str) -> str:
    """The PostgreSQL sequence of counter ``name``: ``booking:2612`` is ``counter_booking_2612``."""
    return "counter_" + re.sub(r"[^a-z0-9]", "_", name.lower())


def _create_and_draw(engine, name: str, sequence: str) -> int:
    """Make the sequence of counter ``name`` and draw its first value, committed at once on a
    connection of its own: two processes making it at the same moment do not wait for each
    other's commit, and the caller's transaction, which found it missing, would go on
    finding it missing until its end (PostgreSQL keeps what a name lookup did not find for
    the rest of the transaction). It starts after the counter's value, if a release before
    drew that counter from the ``counters`` table."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        drawn = connection.scalar(select(Counter.value).where(Counter.name == name)) or 0
        # Another process making it at the same moment may fail this: then draw from theirs.
        with contextlib.suppress(DBAPIError):
            connection.exec_driver_sql(  # our own name (``sequence_name``), not user input
                f'CREATE SEQUENCE IF NOT EXISTS "{sequence}" START WITH {int(drawn) + 1}'
            )
        value = connection.execute(_NEXTVAL, {"sequence": sequence}).scalar()
    if value is None:  # not made, and not by another process either: the role may not
        raise RuntimeError(f"counter {name}: its sequence {sequence} could not be made")
    return value
