"""The ``cursor`` query parameter of the lists that page by keyset."""

from marshmallow import fields, validate

from dryport.services.pagination import MAX_CURSOR_LENGTH

DESCRIPTION = (
    "Go on after the page that gave this cursor (X-Pagination next_cursor; the Link rel=next"
    " header carries it with the same filters): a deep page costs what the first does, and"
    " page counts from 1 again. Send it with the q, filters and sort of that page; a cursor of"
    " another order, or garbled, is a 422. X-Pagination total counts at most 10,000 rows"
    " (total_capped: true when there are more); with q, a page looks through at most 2,000"
    " rows of the list, so it may hold fewer than page_size and still have a next_cursor, and"
    " total is what was found up to its end."
)


class Cursor(fields.String):
    """Where to go on from: the ``next_cursor`` of the page before (in ``X-Pagination`` and
    the ``Link: rel="next"`` header), with the same filters, search and order."""

    def __init__(self, **kwargs):
        metadata = {
            "description": DESCRIPTION,
            "maxLength": MAX_CURSOR_LENGTH,
        }
        super().__init__(
            metadata=metadata, validate=validate.Length(min=1, max=MAX_CURSOR_LENGTH), **kwargs
        )
