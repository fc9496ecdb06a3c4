"""Named counters for human-friendly numbers, safe when many requests draw at once."""

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
        new_value = session.connection().execute(_BUMP, {"counter": name, "count": count}).scalar()
        if new_value is not None:
            return range(new_value - count + 1, new_value + 1)
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=0))
        except IntegrityError:  # another transaction created it first: update theirs
            pass
    raise RuntimeError(f"counter {name} could not be reserved")  # pragma: no cover


def draw(session: Session, name: str) -> int:
    """One value of counter ``name``, for a number that may skip one: on PostgreSQL drawn and
    committed at once on a connection of its own, so that no transaction waits for another's
    commit to number itself (a transaction that rolls back leaves its number unused); on
    SQLite, whose writers take turns anyway, in the caller's transaction, with no gap."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return reserve(session, name)[0]
    engine = getattr(bind, "engine", bind)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for _ in range(2):
            value = connection.execute(_BUMP, {"counter": name, "count": 1}).scalar()
            if value is not None:
                return value
            connection.execute(
                pg_insert(Counter).values(name=name, value=0).on_conflict_do_nothing()
            )
    raise RuntimeError(f"counter {name} could not be drawn")  # pragma: no cover


def current(session: Session, name: str) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == name)) or 0
