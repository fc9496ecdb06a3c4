"""The ``cursor`` query parameter of the lists that page by keyset."""

from marshmallow import fields, validate

from dryport.services.pagination import MAX_CURSOR_LENGTH


class Cursor(fields.String):
    """Where to go on from: the ``next_cursor`` of the page before (in ``X-Pagination`` and
    the ``Link: rel="next"`` header), with the same filters, search and order."""

    def __init__(self, **kwargs):
        metadata = {
            "description": "Continue the list after the page that gave this cursor (its "
            "X-Pagination next_cursor, or the Link rel=next header, which carries it with "
            "the same filters): page then counts from 1, and a deep page costs what the first "
            "does. Send it with the same q, filters and sort as that page; a cursor from "
            "another order, or garbled, is a 422.",
            "maxLength": MAX_CURSOR_LENGTH,
        }
        super().__init__(
            metadata=metadata, validate=validate.Length(min=1, max=MAX_CURSOR_LENGTH), **kwargs
        )
