"""The ``sort`` query parameter, the same on every list of the API."""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from dryport.services.pagination import Sorting, key_name


class Sort(fields.String):
    """Keys of ``sorting``, comma-separated, each at most once, a leading ``-`` for descending
    (``-departs_at,service_no``); loads as a tuple of keys. Absent, the service's default
    order applies. The OpenAPI document shows the keys, the default and a pattern."""

    def __init__(self, sorting: Sorting, **kwargs):
        self.sorting = sorting
        keys = ", ".join(sorting.columns)
        default = ",".join(sorting.default)
        names = "|".join(map(re.escape, sorting.columns))
        metadata = {
            "description": f"Comma-separated keys, each at most once, a leading - for "
            f"descending: {keys}. "
            f"Default: {default or 'the order they were set up in'}. Rows that tie keep one "
            "fixed order, so pages neither repeat nor skip a row.",
            "pattern": f"^-?({names})(,-?({names}))*$",
        }
        if default:
            metadata["default"] = default
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> tuple[str, ...]:
        text = super()._deserialize(value, attr, data, **kwargs)
        keys = tuple(part.strip() for part in text.split(","))
        seen = set()
        for key in keys:
            name = key_name(key)
            if name not in self.sorting.columns:
                allowed = ", ".join(self.sorting.columns)
                message = _l(
                    "Cannot sort by '%(key)s'. Sort by %(keys)s, comma-separated, "
                    "a leading - for descending.",
                    key=key,
                    keys=allowed,
                )
                raise ValidationError(str(message))
            if name in seen:
                message = _l("'%(key)s' is named twice; sort by each key once.", key=name)
                raise ValidationError(str(message))
            seen.add(name)
        return keys
