"""The ``q`` query parameter, the same on every list of the API (and the web's search boxes)."""

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from dryport.services.search import MAX_QUERY_LENGTH


class Search(fields.String):
    """Text to look for in ``searched`` (the columns, as the OpenAPI document names them):
    case-insensitive, % and _ taken literally, surrounding spaces ignored; loads as the
    stripped text, or None when blank."""

    def __init__(self, searched: str, **kwargs):
        metadata = {
            "description": f"Only rows where {searched} contains this text (case-insensitive; "
            "% and _ are matched as themselves). Paging and X-Pagination apply to the rows "
            "found.",
            "maxLength": MAX_QUERY_LENGTH,
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > MAX_QUERY_LENGTH:
            message = _l("Search for at most %(max)d characters.", max=MAX_QUERY_LENGTH)
            raise ValidationError(str(message))
        return text or None
