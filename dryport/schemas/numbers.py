"""Numbers read from text (a form, a query string) by the schemas: ASCII digits only, as
``services.digits`` reads them. ``int`` and ``Decimal`` would also take full-width and
Arabic-Indic digits; JSON numbers pass as they are."""

import math
from decimal import Decimal

from marshmallow import fields

from dryport.services.digits import whole_number


class WholeNumber(fields.Integer):
    """An integer; given as text, in ASCII digits; given as a JSON number, a whole one (12.9
    is refused, not cut to 12)."""

    def _validated(self, value):
        if isinstance(value, float | Decimal) and (not math.isfinite(value) or value % 1):
            raise self.make_error("invalid")
        if isinstance(value, str):
            try:
                value = whole_number(value.strip(), signed=True)
            except ValueError:
                raise self.make_error("invalid") from None
        return super()._validated(value)


class Amount(fields.Decimal):
    """A decimal; given as text, in ASCII characters."""

    def _validated(self, value):
        if isinstance(value, str) and not value.isascii():
            raise self.make_error("invalid")
        return super()._validated(value)
