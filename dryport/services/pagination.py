"""One way to cut a list into pages, and one way to order it, for the web and the API alike."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # beyond any real list; keeps OFFSET within the database's integers
DESCENDING = "-"


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session: Session, stmt: Select, page: int = 1, page_size: int = 25) -> Page:
    """One page of ``stmt`` with the total row count; out-of-range numbers are clamped."""
    page = min(max(1, page), MAX_PAGE)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).unique())
    return Page(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True, eq=False)
class Sorting:
    """What a list may be ordered by: its keys (named as the API names the fields) with their
    columns, the keys used when none are asked for, and a unique column that settles ties."""

    columns: Mapping[str, ColumnElement]
    default: tuple[str, ...]
    tiebreak: ColumnElement


def key_name(key: str) -> str:
    """``"-departs_at"`` → ``"departs_at"``."""
    return key.removeprefix(DESCENDING)


def order_by(stmt: Select, keys: Sequence[str] | None, sorting: Sorting) -> Select:
    """``stmt`` ordered by ``keys`` (``sorting``'s default when none), each ascending or, with
    a leading ``-``, descending; then by the tiebreak, running the same way as the first key,
    so that equal values keep one order and pages neither repeat nor skip a row.

    The keys come validated (``schemas.sorting.Sort``); an unknown one is a ``KeyError``.
    """
    keys = tuple(keys or sorting.default)
    clauses = [_clause(sorting.columns[key_name(key)], key) for key in keys]
    clauses.append(_clause(sorting.tiebreak, keys[0] if keys else ""))
    return stmt.order_by(None).order_by(*clauses)


def _clause(column: ColumnElement, key: str) -> ColumnElement:
    return column.desc() if key.startswith(DESCENDING) else column.asc()
