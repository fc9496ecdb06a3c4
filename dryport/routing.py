"""What a path may carry: record ids and booking references, for pages and API alike.

A value outside them matches no route, so it is a 404 whatever the method: a converter that
refused a matched value would let Werkzeug answer 405 for the other methods of that path.
"""

from flask import Flask, request
from werkzeug.routing import BaseConverter, IntegerConverter

API_PREFIX = "/api/v1/"  # the JSON API; the reference page at /api/docs is a web page

# 1 to 2147483647 (the databases' INTEGER), by ASCII digits ([0-9]: ``\d`` would also match
# Arabic-Indic and full-width ones): no larger id reaches a query.
_ID = (
    r"(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    r"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    r"|21474836[0-3][0-9]|214748364[0-7])"
)


class IdConverter(BaseConverter):
    """A record id, 1 to 2147483647."""

    regex = _ID
    part_isolating = True
    schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class ReferenceConverter(BaseConverter):
    """A booking reference, ``HK2612-00042`` and the like: letters, digits and hyphens."""

    regex = r"[A-Za-z0-9][A-Za-z0-9-]{0,19}"
    part_isolating = True
    schema = {"type": "string", "pattern": f"^{regex}$", "maxLength": 20}


class YearConverter(BaseConverter):
    """A calendar year of ``clock.YEARS`` (2000 to 2100), four ASCII digits."""

    regex = r"(?:20[0-9]{2}|2100)"
    part_isolating = True
    schema = {"type": "integer", "minimum": 2000, "maximum": 2100}

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class AsciiIntegerConverter(IntegerConverter):
    """Werkzeug's ``int``, by ASCII digits only: its ``\\d+`` also matches Arabic-Indic and
    full-width digits, which ``int`` then reads."""

    regex = r"[0-9]+"


CONVERTERS = {"id": IdConverter, "reference": ReferenceConverter, "year": YearConverter}


def init_app(app: Flask) -> None:
    """Before any blueprint: their rules are compiled with these converters."""
    app.url_map.converters.update(CONVERTERS)
    app.url_map.converters["int"] = AsciiIntegerConverter


def is_api_request() -> bool:
    """Whether this request is the JSON API's (its language, its errors), not a page's."""
    return request.path.startswith(API_PREFIX)
