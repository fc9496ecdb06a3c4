"""JSON API v1 under ``/api/v1``: bearer tokens, problem+json errors, OpenAPI document."""

import json
from decimal import Decimal

from flask import Flask
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from dryport.api.paging import add_pagination_metadata
from dryport.extensions import api, csrf
from dryport.routing import CONVERTERS


class ExactParser(FlaskParser):
    """Reads a JSON body with its fractional numbers as ``Decimal``, never ``float``: an
    amount of money (``4850.1``) is exact from the first byte of the request on."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:  # as webargs says it, answered as invalid JSON
            raise json.JSONDecodeError(
                f"Bytes decoding error : {exc.reason}", doc=str(exc.object), pos=exc.start
            ) from exc
        return json.loads(text, parse_float=_number)


def _number(text: str) -> Decimal | float:
    """A JSON number with a fraction or an exponent: exact as ``Decimal``, unless its
    exponent is beyond any quantity of the product (``1e600000``), which is left a float
    (infinite, or zero) and refused as such at once: as a ``Decimal`` its conversion to an
    integer alone would hold the worker for minutes."""
    value = Decimal(text)
    return value if -30 <= value.adjusted() <= 30 else float(text)


Blueprint.ARGUMENTS_PARSER = ExactParser()
# X-Pagination says when its total stopped counting, and where a list goes on (Link rel=next).
Blueprint._set_pagination_metadata = add_pagination_metadata

# Path parameters documented by their converters (once per process: every later app gets them).
for _converter in CONVERTERS.values():
    api.register_converter(_converter, lambda converter: dict(converter.schema))


def register_api(app: Flask) -> None:
    from dryport.api import (
        admin,
        booking_import,
        booking_templates,
        bookings,
        corridors,
        customs,
        documents,
        operations,
        password_resets,
        plans,
        quotes,
        reference,
        reports,
        statements,
        targets,
        tariffs,
        tokens,
        tracking,
        waybills,
        webhooks,
    )

    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/tokens"}
    )
    for blp in (
        tokens.blp,
        password_resets.blp,
        reference.blp,
        booking_import.blp,
        bookings.blp,
        booking_templates.blp,
        quotes.blp,
        documents.blp,
        operations.blp,
        tracking.blp,
        customs.blp,
        waybills.blp,
        reports.blp,
        plans.blp,
        statements.blp,
        webhooks.blp,
        admin.blp,
        tariffs.blp,
        corridors.blp,
        targets.blp,
    ):
        csrf.exempt(blp)  # no cookies here: every call carries its bearer token
        api.register_blueprint(blp, url_prefix="/api/v1")
