"""The API's lists page one way: ``page`` and ``page_size``, totals in ``X-Pagination``;
the bookings list adds a cursor to go on from (``next_cursor``, and ``Link: rel="next"``)."""

import json
from urllib.parse import urlencode

from flask import request
from sqlalchemy import Select

from dryport.extensions import db
from dryport.services.pagination import MAX_PAGE_SIZE, Page, paginate

# Stations, routes and a booking's timeline are short and were answered whole before they
# were paged: by default they still come on one page.
WHOLE = {"page_size": MAX_PAGE_SIZE, "max_page_size": MAX_PAGE_SIZE}
NEXT_LINK = {
    "Link": {
        "description": 'The next page, while the list goes on: <url with cursor>; rel="next"',
        "schema": {"type": "string"},
    }
}


def paged(stmt: Select, pagination_parameters) -> list:
    """One page of ``stmt``; flask-smorest writes the totals into the ``X-Pagination`` header."""
    return paged_result(
        paginate(db.session, stmt, pagination_parameters.page, pagination_parameters.page_size),
        pagination_parameters,
    )


def paged_result(page: Page, pagination_parameters) -> list:
    """``page``'s rows; its totals, whether they are capped and its cursor go into the
    headers (``add_pagination_metadata``)."""
    pagination_parameters.item_count = page.total
    pagination_parameters.page = page.page
    pagination_parameters.capped = page.capped
    pagination_parameters.next_cursor = page.next_cursor
    return page.items


def add_pagination_metadata(self, page_params, result, headers):
    """flask-smorest's ``X-Pagination`` with ``total_capped`` (the total stopped counting at
    10,000: there are more) and, when the list goes on, ``next_cursor`` with the same link
    as ``Link: rel="next"``."""
    if headers is None:
        headers = {}
    metadata = self._make_pagination_metadata(
        page_params.page, page_params.page_size, page_params.item_count
    )
    metadata["total_capped"] = getattr(page_params, "capped", False)
    following = getattr(page_params, "next_cursor", None)
    if following is not None:
        metadata["next_cursor"] = following
        args = {k: v for k, v in request.args.items(multi=True) if k not in ("page", "cursor")}
        link = _url(args | {"cursor": following})
        metadata["next_link"] = link
        headers["Link"] = f'<{link}>; rel="next"'
    headers[self.PAGINATION_HEADER_NAME] = json.dumps(metadata)
    return result, headers


def _url(args: dict) -> str:
    return f"{request.base_url}?{urlencode(args)}"
