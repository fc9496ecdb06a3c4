"""Database wiring: the declarative base, column types and per-dialect connection settings."""

import re
import sqlite3
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic sees the same names on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is stored as naive
    UTC and given its zone back on the way out. Naive datetimes are refused on the way in: a
    time without an offset is a bug, not a guess to make.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: How long a statement waits for another connection's lock before "database is locked".
BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """Foreign keys on, WAL for concurrent readers, a busy timeout instead of instant errors,
    and a lower() that folds every letter, not only ASCII ones.

    pysqlite's own transaction handling is switched off (``isolation_level = None``) so that
    SQLAlchemy's ``begin`` event below decides when a transaction starts.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    # SQLite's lower() folds ASCII only; searches (services.search) fold every letter, as
    # PostgreSQL's lower() does in a UTF-8 database.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


#: Set for a unit of work that will write (an unsafe HTTP method, a CLI command). On SQLite
#: its transactions begin IMMEDIATE: the write lock is taken up front, so a transaction that
#: has read never fails to upgrade to writing ("database is locked") and two writers never
#: interleave. Readers are unaffected in WAL mode. ``LOCK_AT_FIRST_WRITE`` instead (a view
#: marked ``lock_at_first_write``) runs its statements one by one until its first write, which
#: begins the IMMEDIATE transaction: its reads see the latest committed data, as on PostgreSQL,
#: and other writers wait only for its writes.
write_intent: ContextVar[bool | str] = ContextVar("write_intent", default=False)
LOCK_AT_FIRST_WRITE = "at first write"


def lock_at_first_write(view):
    """Mark a view whose reads need not be serialised with other writers: everything it
    decides from them is checked again once it holds the lock (a conditional UPDATE, a
    constraint, a check repeated after its first write). Place it below the route decorator.
    Never for a view that relies on ``with_for_update``: SQLite ignores FOR UPDATE, and only
    the lock taken at the first statement serialises such a read with its write."""
    view.lock_at_first_write = True
    return view


def _busy(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY, or one of its extended codes: another connection holds the lock."""
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


def begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``: take SQLite's write lock, waiting up to the busy timeout for it.

    While another writer holds it, this tries again every half to two milliseconds.
    SQLite's own busy handler, which every other statement keeps, sleeps longer and longer
    between tries, up to 100 ms at a time: a writer would sleep on long after the lock was
    free, and under a queue of writers the last ones waited seconds.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.0005
    try:
        dbapi_connection.execute("PRAGMA busy_timeout = 0")
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
    finally:  # every connection has this timeout (``_sqlite_on_connect``)
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def is_lock_timeout(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's "database is locked" after the busy timeout."""
    cause = getattr(error, "orig", None)
    return (
        isinstance(error, exc.OperationalError)
        and isinstance(cause, sqlite3.Error)
        and _busy(cause)
    )


def is_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says that the database cannot be reached at all (the connection was
    refused or lost, the SQLite file cannot be opened), not that a statement failed."""
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    cause = error.orig
    if isinstance(cause, sqlite3.Error):
        return cause.sqlite_errorcode & 0xFF == sqlite3.SQLITE_CANTOPEN
    if not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return False
    # psycopg: a failed connection has no SQLSTATE, or one of class 08 (connection
    # exception) or 57P01-57P03 (shut down, crashed, starting up); a statement's has its own.
    state = getattr(cause, "sqlstate", "")
    return state is None or state.startswith("08") or state in _SERVER_GOING_AWAY


_SERVER_GOING_AWAY = frozenset({"57P01", "57P02", "57P03"})


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    intent = write_intent.get()
    if intent == LOCK_AT_FIRST_WRITE:  # no transaction yet: see below
        return
    if intent:
        try:
            begin_immediate(conn.connection.dbapi_connection)
        except sqlite3.Error as error:  # as SQLAlchemy raises a statement's error
            raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
    else:
        conn.exec_driver_sql("BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_lock_at_first_write(conn, cursor, statement, parameters, context, executemany):
    if (
        conn.dialect.name == "sqlite"
        and write_intent.get() == LOCK_AT_FIRST_WRITE
        and not cursor.connection.in_transaction
        and statement.lstrip()[:6].upper() != "SELECT"
    ):
        begin_immediate(cursor.connection)


def enum_type(enum_cls, name: str):
    """A portable enum column: a VARCHAR with a named CHECK constraint on every database."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.name) for m in enum_cls),
        validate_strings=True,
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app, db) -> None:
    """One unit of work per request: its write intent from the HTTP method, and one commit
    at the end when it succeeded (status below 400); anything else rolls back."""
    from flask import g, request

    @app.before_request
    def _mark_write_intent():
        intent = request.method not in SAFE_METHODS
        view = app.view_functions.get(request.endpoint)
        if intent and getattr(view, "lock_at_first_write", False):
            intent = LOCK_AT_FIRST_WRITE
        g.write_intent_token = write_intent.set(intent)

    @app.after_request
    def _commit(response):
        session = db.session()
        if response.status_code >= 400:
            session.rollback()
        elif session.in_transaction():  # begun by any read, new object or change
            session.commit()
        # else there is nothing to commit: nothing was read, added or changed since the
        # session's last commit (``commit_now``), or at all
        return response

    @app.teardown_request
    def _clear_write_intent(exc):
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


def commit_now(session) -> None:
    """End the request's transaction here, keeping what it loaded (nothing is expired): what
    the request still does, building its answer from those objects, holds no lock and reads
    nothing again. The unit of work's commit at the end of the request then has nothing to
    do. For a view whose remaining work only reads what it wrote."""
    from sqlalchemy.orm import scoped_session

    if isinstance(session, scoped_session):
        session = session()
    kept, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = kept


class Direct:
    """A Core statement compiled once per database and column set, run straight on the
    connection's DBAPI cursor: for the few statements every booking runs, where the
    statement's own cost is a fraction of what a Core execution adds to it (its cache key,
    the execution context, the result's set-up). What stays the same: the session's
    connection and transaction, the statement's parameter and result types, its column
    defaults, the engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners
    (SQLite's lock at the first write, the tests' statement counts; given a context of the
    statement, its parameters, cursor and connection, ``_DirectContext``) and SQLAlchemy's
    errors.
    What it refuses: parameters expanded or rendered at execution (``IN`` lists,
    ``literal_execute``) and names the driver needs escaped. On psycopg it runs as a raw
    query (``$1`` parameters, ``_numbered``), which psycopg need not parse again."""

    def __init__(self, statement, dialect, column_keys=None):
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if (
            compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.escaped_bind_names
        ):
            raise ValueError(f"not run directly: {compiled.string}")
        self.sql = compiled.string
        processors = compiled._bind_processors  # noqa: SLF001
        names = compiled.positiontup if compiled.positional else set(compiled.bind_names.values())
        self.positional = compiled.positional
        self.raw_cursor = None  # psycopg's raw cursor, for a statement numbered here
        if dialect.driver == "psycopg" and not self.positional:
            from psycopg import RawCursor

            self.raw_cursor = RawCursor
            self.sql, names = _numbered(self.sql)
            self.positional = True
        self.order = [(name, processors.get(name)) for name in names]
        self.defaults = [  # the column defaults worked out in Python (a DML statement's)
            (compiled._within_exec_param_key_getter(column), default)  # noqa: SLF001
            for column, default in (
                *((column, column.default) for column in compiled.insert_prefetch),
                *((column, column.onupdate) for column in compiled.update_prefetch),
            )
        ]
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        if any(bind.callable is not None for bind in binds.values()):
            raise ValueError(f"not run directly: {compiled.string}")
        computed = {key for key, _ in self.defaults}
        self.required = {name for name, bind in binds.items() if bind.required} - computed
        self.fixed = {  # the statement's own values (a literal compared with)
            name: bind.value for name, bind in binds.items() if not bind.required
        }
        self.columns = compiled._result_columns  # noqa: SLF001
        self.row_type = _row_type(tuple(column.keyname for column in self.columns))
        self.processors = None  # the result's, once the first result is read (``rows``)

    def parameters(self, given: dict):
        """``given`` as the driver takes them: the statement's own values and the column
        defaults filled in, each value processed by its type, in the statement's order for
        a positional driver."""
        if missing := self.required.difference(given):
            raise exc.InvalidRequestError(f"A value is required for {sorted(missing)}")
        values = self.fixed | given
        for key, default in self.defaults:
            if key not in given:
                values[key] = _default_value(default)
        processed = [
            values[name] if process is None else process(values[name])
            for name, process in self.order
        ]
        if self.positional:
            return tuple(processed)
        return dict(zip((name for name, _ in self.order), processed, strict=True))

    def rows(self, cursor, dialect) -> list:
        if not self.columns:
            return []
        processors = self.processors
        if processors is None:  # (index, processor) of each column whose type processes it
            # The columns' types as the driver names them, read once: a statement's do not
            # change (the description is built anew at each reading by some drivers).
            codes = [column[1] for column in cursor.description]
            processors = self.processors = [
                (index, process)
                for index, (column, code) in enumerate(zip(self.columns, codes, strict=True))
                if (process := column.type._cached_result_processor(dialect, code))  # noqa: SLF001
            ]
        make, rows = self.row_type._make, []
        for row in cursor.fetchall():
            if processors:
                row = list(row)
                for index, process in processors:
                    row[index] = process(row[index])
            rows.append(make(row))
        return rows


def _default_value(default):
    """The value a column's Python-side default (``default`` or ``onupdate``) gives now."""
    return default.arg(None) if default.is_callable else default.arg


def _row_type(keys: tuple[str, ...]):
    """A row of ``keys``: by position, by name, and as a mapping (``row._mapping``), as a
    Core row is read."""
    from collections import namedtuple

    base = namedtuple("Row", keys)  # refuses a key that is no name, or one given twice
    return type("Row", (base,), {"__slots__": (), "_mapping": property(base._asdict)})


_PYFORMAT = re.compile(r"%\((\w+)\)s|%%|%")


def _numbered(sql: str) -> tuple[str, list[str]]:
    """A statement of ``%(name)s`` parameters (pyformat) as PostgreSQL takes it, with
    ``$1``, ``$2`` ..., and the names in that order. psycopg would work this out at every
    execution of a statement longer than 4096 bytes or of more than 50 parameters (it
    keeps only shorter ones): a booking's one statement is both."""
    names: dict[str, int] = {}

    def number(match) -> str:
        if match[0] == "%%":
            return "%"
        if match[1] is None:
            raise ValueError(f"not run directly, a lone %: {sql}")
        return f"${names.setdefault(match[1], len(names) + 1)}"

    return _PYFORMAT.sub(number, sql), list(names)


_DIRECT: dict = {}


def execute_direct(session, statement, parameters: dict, column_keys=None) -> list:
    """The rows of a Core ``statement`` (built once, as a module constant or per shape) run
    on the session's connection as ``Direct``; ``column_keys``, for an INSERT without
    ``values``, the columns it writes (those of ``parameters``). Any error is handled as
    a Core execution handles one before its context exists: a driver's error raised as
    SQLAlchemy's, another wrapped in ``StatementError``, the connection invalidated when it
    was lost or the process is stopping."""
    connection = session.connection()
    dialect = connection.dialect
    key = (statement, dialect, column_keys)
    direct = _DIRECT.get(key)
    cursor = values = None
    try:
        if direct is None:
            direct = _DIRECT[key] = Direct(statement, dialect, column_keys)
        values = direct.parameters(parameters)
        if direct.raw_cursor is not None:
            cursor = direct.raw_cursor(connection.connection.driver_connection)
        else:
            cursor = connection.connection.cursor()
        context = _DirectContext(connection, cursor, direct.sql, values)
        connection.dispatch.before_cursor_execute(
            connection, cursor, direct.sql, values, context, False
        )
        dialect.do_execute(cursor, direct.sql, values)
        connection.dispatch.after_cursor_execute(
            connection, cursor, direct.sql, values, context, False
        )
        return direct.rows(cursor, dialect)
    except BaseException as error:
        sql = direct.sql if direct is not None else str(statement)
        connection._handle_dbapi_exception(  # noqa: SLF001 - it raises
            error, sql, parameters if values is None else values, cursor, None
        )
        raise  # pragma: no cover - the line above always raises
    finally:
        if cursor is not None:
            cursor.close()


class _DirectContext:
    """What a listener of ``execute_direct``'s statements is given as the execution
    context: the statement, its parameters, the cursor, the connection and the dialect,
    and room for the listener's own attributes (a timer set before and read after)."""

    executemany = False

    def __init__(self, connection, cursor, statement: str, parameters):
        self.root_connection, self.connection = connection, connection
        self.dialect, self.cursor = connection.dialect, cursor
        self.statement, self.parameters = statement, parameters


_INSERTS: dict = {}


_NEW_ROWS: dict = {}
_FETCHED = object()


def _new_row_plan(mapper) -> tuple[list, dict]:
    """(attribute, column, default) of each column of ``mapper``'s new rows: ``_FETCHED``
    for what the database gives (the primary key, a server default), else the column's
    default or None; and the attribute of each column, by the column's key. The columns
    as ``loaded`` takes them (``_loaded_columns``), refusing a mapping it would get wrong."""
    plan = []
    for attribute, key in _loaded_columns(mapper):
        column = mapper.local_table.c[key]
        fetched = column.primary_key or column.server_default is not None
        plan.append((attribute, column, _FETCHED if fetched else column.default))
    return plan, {column.key: attribute for attribute, column, _ in plan}


class NewRow:
    """The row a new mapped object will have, worked out before it is written: its column
    values (the object's own, its column defaults filled in on it, NULL for the rest) and
    the columns the database gives it (the primary key, server defaults), read back by
    ``RETURNING``. Worked out apart from the INSERT, so that a transaction holding a lock
    spends none of it walking the mapper."""

    def __init__(self, obj):
        from sqlalchemy import inspect

        self.obj = obj
        self.mapper = mapper = inspect(obj).mapper
        known = _NEW_ROWS.get(mapper)
        if known is None:
            known = _NEW_ROWS[mapper] = _new_row_plan(mapper)
        plan, self.attributes = known
        # The values not given are put in the object's dict, not set through its
        # attributes: a new object's own, with no change to record (nothing flushes it).
        given = obj.__dict__
        self.values, fetched = {}, [mapper.primary_key[0]]
        for attribute, column, default in plan:
            if attribute in given:
                self.values[column.key] = given[attribute]
            elif default is _FETCHED:
                fetched.append(column)  # what the database gives it
            elif default is None:
                given[attribute] = None  # NULL: known without asking
            else:
                given[attribute] = self.values[column.key] = _default_value(default)
        self.fetched = tuple(dict.fromkeys(fetched))

    @property
    def table(self):
        return self.mapper.local_table

    @property
    def shape(self) -> tuple:
        """What a statement writing this row depends on (not the values)."""
        return (self.mapper, self.fetched, tuple(self.values))

    def set(self, key: str, value) -> None:
        """Give the row (and its object) ``value`` for the column ``key``."""
        self.values[key] = value
        self.obj.__dict__[self.attributes[key]] = value  # a new object's own, as above

    def fetched_into(self, row) -> None:
        """Set on the object what the database gave it (``row``, in ``fetched`` order)."""
        given, attributes = self.obj.__dict__, self.attributes
        for column, value in zip(self.fetched, row, strict=True):
            given[attributes[column.key]] = value

    def insert(self, session) -> None:
        """INSERT the row with one Core statement, not by a flush of the unit of work
        (whose bookkeeping costs several times the statement). Relationships to other new
        objects must be set by key. Then ``attach`` the object."""
        from sqlalchemy import insert

        statement = _INSERTS.get(self.shape)
        if statement is None:  # built once per shape: building one costs more than running it
            statement = _INSERTS[self.shape] = insert(self.table).returning(*self.fetched)
        (row,) = execute_direct(session, statement, self.values, tuple(self.values))
        self.fetched_into(row)


def first_row(session, statement, parameters: dict):
    """The first row of a Core ``statement`` run on the session's connection, as a read
    through the session runs it (the session flushed first, so the transaction's own
    changes are seen), without the session's statement handling (``execute_direct``); for
    ``loaded``."""
    session.flush()
    rows = execute_direct(session, statement, parameters)
    return rows[0] if rows else None


_LOADED: dict = {}


def loaded(session, cls, row):
    """The ``cls`` object of ``row``, a Core row holding its table's columns by key, as the
    ORM would load it: the one already in the session (its expired columns given the row's
    values), else one made persistent in it from the row. For a statement run on every
    request, whose ORM loading (its per-statement set-up) cost more than the row; what the
    row lacks (relationships) loads when asked. ``cls`` maps one table's plain columns."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import make_transient_to_detached, scoped_session
    from sqlalchemy.orm.attributes import set_committed_value

    if isinstance(session, scoped_session):
        session = session()
    mapper = inspect(cls)
    columns = _LOADED.get(mapper)
    if columns is None:
        columns = _LOADED[mapper] = _loaded_columns(mapper)
    values = row._mapping
    key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    obj = session.identity_map.get(key)
    if obj is not None:
        expired = inspect(obj).expired_attributes
        for attribute, column in columns:
            if attribute in expired:
                set_committed_value(obj, attribute, values[column])
        return obj
    obj = mapper.class_manager.new_instance()
    inspect(obj).dict.update({attribute: values[column] for attribute, column in columns})
    make_transient_to_detached(obj)
    _add_alone(session, obj)  # nothing related is loaded: nothing to cascade to
    return obj


def _loaded_columns(mapper) -> list[tuple[str, str]]:
    """(attribute, column key) of each column ``loaded`` sets; refuses a mapping it would
    get wrong (inheritance, a column expression)."""
    if mapper.polymorphic_on is not None or mapper.inherits is not None:
        raise TypeError(f"loaded: {mapper.class_.__name__} is part of an inheritance")
    columns = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if len(prop.columns) != 1 or column.table is not mapper.local_table:
            raise TypeError(f"loaded: {mapper.class_.__name__}.{prop.key} is not a column")
        columns.append((prop.key, column.key))
    return columns


def attach(session, *objects) -> None:
    """Put objects whose rows were written without the unit of work (``NewRow``) into the
    session as a flush leaves the objects it inserted: persistent, nothing to write, and new
    to the transaction, so that rolling back it (or its savepoint) takes them out of the
    session again. Only ``objects`` are put in, not what they relate to (no cascade): every
    row written is given."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import scoped_session

    if isinstance(session, scoped_session):
        session = session()
    for obj in objects:
        if obj not in session:
            _add_alone(session, obj)  # pending, like any new object ...
    # ... then persistent as the flush would make it, without its unit of work
    session._register_persistent({inspect(obj) for obj in objects})  # noqa: SLF001


def _add_alone(session, obj) -> None:
    """``session.add(obj)`` without its cascade, which walks every relationship of the
    mapper to find nothing: for an object whose related objects are not loaded, or are
    added by the caller."""
    from sqlalchemy import inspect

    state = inspect(obj)
    state._orphaned_outside_of_session = False  # noqa: SLF001 - as Session.add
    session._save_or_update_impl(state)  # noqa: SLF001
