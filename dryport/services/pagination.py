"""One way to cut a list into pages, and one way to order it, for the web and the API alike.

A page is asked for by number (``page``, ``page_size``) or, to go on from where a page ended,
by a **cursor**: the sort keys of the last row shown, so that the next page starts with a
``WHERE (keys) < (last row's)`` that an index answers at once, however deep the list — an
OFFSET reads and throws away every row before it. Counts stop at ``COUNT_LIMIT`` rows (a
list of a million bookings is never counted for its pager), and a search looks through at
most ``SEARCH_WINDOW`` rows of the list per page, so that no page reads the whole table.
"""

import base64
import binascii
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Select,
    TypeDecorator,
    and_,
    bindparam,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from dryport.services.errors import Invalid

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # beyond any real list; keeps OFFSET within the database's integers
DESCENDING = "-"
#: A list's count stops here: above it the total is shown as "10,000+".
COUNT_LIMIT = 10_000
#: A search tests at most this many rows of the list per page; the rest is the next page's.
SEARCH_WINDOW = 2_000
MAX_CURSOR_LENGTH = 512


@dataclass(frozen=True)
class Page:
    """One page of a list. ``total`` counts at most ``COUNT_LIMIT`` rows (of a search: the
    matches up to the end of this page); ``capped`` says there may be more rows than were
    counted. ``next_cursor`` continues the list after this page (None at its end);
    ``cursor`` is the one this page was asked with; ``counted`` is false for a search, whose
    total is only what it has found so far (not a page count to show)."""

    items: list
    total: int
    page: int
    page_size: int
    capped: bool = False
    next_cursor: str | None = None
    cursor: str | None = None
    counted: bool = True  # False for a search: its total is what it found so far

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.cursor is None and self.page > 1

    @property
    def has_next(self) -> bool:
        if self.next_cursor is not None:
            return True
        return self.cursor is None and self.page < self.pages and bool(self.items)


@dataclass(frozen=True, eq=False)
class Sorting:
    """What a list may be ordered by: its keys (named as the API names the fields) with their
    columns, the keys used when none are asked for, and a unique column that settles ties."""

    columns: Mapping[str, ColumnElement]
    default: tuple[str, ...]
    tiebreak: ColumnElement

    def order(self, keys: Sequence[str] | None) -> list[tuple[ColumnElement, bool]]:
        """Each column of the order of ``keys`` with whether it runs descending, the
        tiebreak last (running as the first key does)."""
        keys = tuple(keys or self.default)
        order = [(self.columns[key_name(k)], k.startswith(DESCENDING)) for k in keys]
        order.append((self.tiebreak, bool(keys) and keys[0].startswith(DESCENDING)))
        return order


def key_name(key: str) -> str:
    """``"-departs_at"`` → ``"departs_at"``."""
    return key.removeprefix(DESCENDING)


def order_by(stmt: Select, keys: Sequence[str] | None, sorting: Sorting) -> Select:
    """``stmt`` ordered by ``keys`` (``sorting``'s default when none), each ascending or, with
    a leading ``-``, descending; then by the tiebreak, running the same way as the first key,
    so that equal values keep one order and pages neither repeat nor skip a row.

    The keys come validated (``schemas.sorting.Sort``); an unknown one is a ``KeyError``.
    """
    clauses = [c.desc() if down else c.asc() for c, down in sorting.order(keys)]
    return stmt.order_by(None).order_by(*clauses)


def paginate(
    session: Session,
    stmt: Select,
    page: int = 1,
    page_size: int = 25,
    *,
    sorting: Sorting | None = None,
    sort: Sequence[str] | None = None,
    cursor: str | None = None,
    search: ColumnElement | None = None,
) -> Page:
    """One page of ``stmt`` with its count (at most ``COUNT_LIMIT``); out-of-range numbers
    are clamped.

    With ``sorting`` (and the ``sort`` keys asked for) the list is ordered by them and the
    page carries a cursor to the next one; a ``cursor`` then starts the page after the row
    it names (``page`` is ignored), and a cursor that is not one of ``sort``'s is
    ``Invalid``. ``search``, a condition on the rows, is tested on at most ``SEARCH_WINDOW``
    rows of the list per page: a page with fewer matches than it holds ends where the rows
    looked through end, and its cursor goes on from there.
    """
    page = min(max(1, page), MAX_PAGE)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    if sorting is None:
        total, capped = _count(session, stmt, None)
        items = list(session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).unique())
        return Page(items=items, total=total, page=page, page_size=page_size, capped=capped)
    order = sorting.order(sort)
    keys = ",".join(sort or sorting.default)
    ordered = order_by(stmt, sort, sorting)
    start = ordered
    offset = (page - 1) * page_size
    if cursor is not None:
        start = ordered.where(after(order, decode_cursor(cursor, keys, order)))
        offset, page = 0, 1
    columns = [column for column, _ in order]
    if search is None:
        total, capped = _count(session, ordered, sorting.tiebreak)
        rows = (
            session.execute(start.add_columns(*columns).limit(page_size + 1).offset(offset))
            .unique()
            .all()
        )
        items = [row[0] for row in rows[:page_size]]
        more = len(rows) > page_size
        following = encode_cursor(keys, rows[page_size - 1][1:]) if more else None
    else:
        window = start.with_only_columns(sorting.tiebreak).limit(SEARCH_WINDOW)
        found = session.execute(
            start.with_only_columns(*columns)
            .where(sorting.tiebreak.in_(window), search)
            .limit(page_size + 1)
            .offset(offset)
        ).all()
        shown = found[:page_size]
        if len(found) > page_size:
            following = encode_cursor(keys, shown[-1])
        else:  # the window ran out first: the list goes on after its last row, if it does
            end = session.execute(
                start.with_only_columns(*columns).offset(SEARCH_WINDOW - 1).limit(1)
            ).first()
            following = None if end is None else encode_cursor(keys, end)
        # A search is not counted beyond what this page found: the rows before it and its own.
        total, capped = offset + len(shown), following is not None
        ids = [row[-1] for row in shown]
        items = list(session.scalars(ordered.where(sorting.tiebreak.in_(ids))).unique())
    return Page(
        items=items, total=total, page=page, page_size=page_size, capped=capped,
        next_cursor=following, cursor=cursor, counted=search is None,
    )  # fmt: skip


def _count(session: Session, stmt: Select, key: ColumnElement | None) -> tuple[int, bool]:
    """The rows of ``stmt``, counted up to ``COUNT_LIMIT``; and whether there are more."""
    rows = stmt.order_by(None)
    if key is not None:  # the key alone: an index holds it, the rows need not be read
        rows = rows.with_only_columns(key)
    counted = session.scalar(
        select(func.count()).select_from(rows.limit(COUNT_LIMIT + 1).subquery())
    )
    return min(counted, COUNT_LIMIT), counted > COUNT_LIMIT


def after(order: list[tuple[ColumnElement, bool]], values: Sequence) -> ColumnElement:
    """True for the rows that come after ``values`` (one per column of ``order``) in that
    order. The first column is bounded on its own too, so that an index on it starts the
    scan at the cursor instead of filtering every row before it."""
    binds = [bindparam(None, v, type_=c.type) for (c, _), v in zip(order, values, strict=True)]
    first, down = order[0]
    bound = first <= binds[0] if down else first >= binds[0]
    if all(d == down for _, d in order):
        row, at = tuple_(*(c for c, _ in order)), tuple_(*binds)
        return and_(bound, row < at if down else row > at)
    # Mixed directions: (a > x) OR (a = x AND (b < y OR (b = y AND ...)))
    condition = None
    for (column, descending), value in reversed(list(zip(order, binds, strict=True))):
        beyond = column < value if descending else column > value
        condition = beyond if condition is None else or_(beyond, and_(column == value, condition))
    return and_(bound, condition)


def encode_cursor(keys: str, values: Sequence) -> str:
    """The opaque cursor of the row whose sort values are ``values`` in the order ``keys``."""
    raw = json.dumps([keys, [_plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: str, order: list[tuple[ColumnElement, bool]]) -> list:
    """The sort values a cursor carries; ``Invalid`` (on ``cursor``) when it is not one this
    list made for the order ``keys``: garbled, cut short, or from another order."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, values = json.loads(raw)
        if made_for != keys or len(values) != len(order):
            raise ValueError
        return [_typed(value, column) for value, (column, _) in zip(values, order, strict=True)]
    except (ValueError, TypeError, KeyError, binascii.Error, InvalidOperation, OverflowError):
        message = _l("Not a cursor of this list in this order: start again from its first page.")
        raise Invalid(
            _l("This list cannot be continued from there."), errors={"cursor": [message]}
        ) from None


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name
    return value


def _typed(value, column: ColumnElement):
    """``value`` from a cursor's JSON as ``column``'s Python type."""
    sql_type = column.type
    if isinstance(sql_type, TypeDecorator):  # e.g. UTCDateTime: the type it stores as
        sql_type = sql_type.impl_instance
    try:
        kind = sql_type.python_type
    except NotImplementedError:
        kind = type(value)
    if issubclass(kind, bool) or value is None:
        raise ValueError
    if issubclass(kind, enum.Enum):
        return kind[value]
    if issubclass(kind, datetime):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    if issubclass(kind, Decimal):
        if not isinstance(value, str):
            raise ValueError
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError
        return number
    if issubclass(kind, int):
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
            raise ValueError
        return value
    if issubclass(kind, str):
        if not isinstance(value, str):
            raise ValueError
        return value
    raise ValueError
