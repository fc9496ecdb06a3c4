"""The API's lists page one way: ``page`` and ``page_size``, totals in ``X-Pagination``."""

from sqlalchemy import Select

from dryport.extensions import db
from dryport.services.pagination import paginate


def paged(stmt: Select, pagination_parameters) -> list:
    """One page of ``stmt``; flask-smorest writes the totals into the ``X-Pagination`` header."""
    page = paginate(db.session, stmt, pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items
