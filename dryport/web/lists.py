"""A web list's search box and sortable columns: the same ``q`` and ``sort`` as the API's
lists (``schemas.search.Search``, ``schemas.sorting.Sort``), read from the query string."""

from dataclasses import dataclass

from flask import request, url_for
from marshmallow import Schema, ValidationError

from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services.errors import Invalid
from dryport.services.pagination import DESCENDING, Sorting, key_name

DIRECTIONS = {"": "ascending", DESCENDING: "descending"}


@dataclass(frozen=True)
class Listing:
    """What a list was asked for: the search text and the sort keys (None: the list's own
    order), and the links that keep both."""

    q: str | None
    sort: tuple[str, ...] | None
    sorting: Sorting

    @property
    def keys(self) -> tuple[str, ...]:
        return self.sort or self.sorting.default

    def direction(self, key: str) -> str:
        """``aria-sort`` of the column of ``key``: how the list is ordered by it first."""
        first = self.keys[0] if self.keys else ""
        if key_name(first) != key:
            return "none"
        return DIRECTIONS[first[: len(first) - len(key)]]

    def sort_url(self, key: str) -> str:
        """This list ordered by ``key``: ascending, or descending when it already is
        ascending; the same search and filters, from the first page."""
        chosen = DESCENDING + key if self.direction(key) == "ascending" else key
        return self.url(sort=chosen, page=None)

    def url(self, **changes) -> str:
        """This page with ``changes`` to its query string (None removes a parameter)."""
        args = {**request.args.to_dict(), **(request.view_args or {}), **changes}
        return url_for(request.endpoint, **{k: v for k, v in args.items() if v is not None})

    @property
    def args(self) -> dict:
        """The query parameters a pager keeps."""
        return {"q": self.q, "sort": ",".join(self.sort) if self.sort else None}


def listing(sorting: Sorting) -> Listing:
    """``q`` and ``sort`` of this request, loaded by the API's own fields; a bad one (an
    unknown key, a search too long) raises ``Invalid`` with the field's message."""
    schema = Schema.from_dict({"q": Search(""), "sort": Sort(sorting)})()
    given = {name: request.args[name] for name in ("q", "sort") if request.args.get(name)}
    try:
        data = schema.load(given)
    except ValidationError as error:
        messages = [m for field in error.messages.values() for m in field]
        raise Invalid(" ".join(map(str, messages))) from error
    return Listing(q=data.get("q"), sort=data.get("sort"), sorting=sorting)
