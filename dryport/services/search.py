"""Search: the one rule every list applies to its ``q``.

A row matches when any of the list's columns contains ``q`` as typed: case-insensitive
(Latin letters, accented ones too; Chinese has no case), with ``%``, ``_`` and ``\\`` matched
as themselves rather than as LIKE wildcards. Blank or absent ``q`` filters nothing. The same
SQL runs on SQLite and PostgreSQL: SQLite's own ``lower()`` folds ASCII only, so the
connection gets Python's (``db._sqlite_on_connect``), as PostgreSQL's UTF-8 ``lower()`` does.
"""

from sqlalchemy import ColumnElement, Select, func, or_

MAX_QUERY_LENGTH = 100
ESCAPE = "\\"


def like_pattern(q: str) -> str:
    """``q`` lower-cased and wrapped for a "contains" LIKE, its wildcards escaped."""
    escaped = q.lower().replace(ESCAPE, ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def matches(q: str, *columns: ColumnElement) -> ColumnElement:
    """True where any of ``columns`` contains ``q`` (the rule above)."""
    pattern = like_pattern(q)
    return or_(*(func.lower(column).like(pattern, escape=ESCAPE) for column in columns))


def search_text(q: str | None) -> str | None:
    """What is searched for: ``q`` without surrounding spaces; None when that is nothing."""
    return (q or "").strip() or None


def search(stmt: Select, q: str | None, *columns: ColumnElement) -> Select:
    """``stmt`` keeping only the rows where one of ``columns`` contains ``q``; ``stmt``
    itself when ``q`` is blank or absent."""
    q = search_text(q)
    return stmt.where(matches(q, *columns)) if q else stmt
