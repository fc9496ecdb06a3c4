"""JSON API v1 under ``/api/v1``: bearer tokens, problem+json errors, OpenAPI document."""

from flask import Flask

from dryport.extensions import api, csrf
from dryport.routing import CONVERTERS

# Path parameters documented by their converters (once per process: every later app gets them).
for _converter in CONVERTERS.values():
    api.register_converter(_converter, lambda converter: dict(converter.schema))


def register_api(app: Flask) -> None:
    from dryport.api import (
        admin,
        bookings,
        corridors,
        customs,
        documents,
        operations,
        quotes,
        reference,
        reports,
        statements,
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
        reference.blp,
        bookings.blp,
        quotes.blp,
        documents.blp,
        operations.blp,
        tracking.blp,
        customs.blp,
        waybills.blp,
        reports.blp,
        statements.blp,
        webhooks.blp,
        admin.blp,
        tariffs.blp,
        corridors.blp,
    ):
        csrf.exempt(blp)  # no cookies here: every call carries its bearer token
        api.register_blueprint(blp, url_prefix="/api/v1")
