"""The API's lists page one way: ``page`` and ``page_size``, totals in ``X-Pagination``."""

from sqlalchemy import Select

from dryport.extensions import db
from dryport.services.pagination import MAX_PAGE_SIZE, paginate

# Stations, routes and a booking's timeline are short and were answered whole before they
# were paged: by default they still come on one page.
WHOLE = {"page_size": MAX_PAGE_SIZE, "max_page_size": MAX_PAGE_SIZE}


def paged(stmt: Select, pagination_parameters) -> list:
    """One page of ``stmt``; flask-smorest writes the totals into the ``X-Pagination`` header."""
    page = paginate(db.session, stmt, pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items
