"""One way to cut a list into pages, for the web and the API alike."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # beyond any real list; keeps OFFSET within the database's integers


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
