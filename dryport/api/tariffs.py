"""Tariffs: everyone signed in reads them; administrators and operators add them, change
those not yet in force, close those in force and give a new price from a day (``POST`` with
``replaces``). Money is a decimal string: ``"1234.50"``."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.conditional import ETAG, IF_MATCH, etag, not_modified, required_version
from dryport.api.errors import problems
from dryport.api.paging import paged
from dryport.extensions import db
from dryport.schemas.tariffs import (
    TariffCreateSchema,
    TariffEditSchema,
    TariffQuerySchema,
    TariffSchema,
)
from dryport.services import tariffs
from dryport.services.tariffs import TARIFF_ADMINS

blp = Blueprint("api_tariffs", __name__, description="Tariffs: the price lists of the routes")


@blp.route("/tariffs")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(TariffQuerySchema, location="query")
@blp.response(200, TariffSchema(many=True))
@blp.paginate()
def list_tariffs(query, pagination_parameters):
    """Tariffs, past, current and future; by default the latest validity first"""
    return paged(tariffs.tariffs_query(**query), pagination_parameters)


@blp.route("/tariffs/<id:tariff_id>")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, TariffSchema, headers=ETAG)
@blp.alt_response(304, description="Not modified: the If-None-Match sent is current",
                  headers=ETAG)  # fmt: skip
@problems(404)
def get_tariff(tariff_id):
    """One tariff; its ETag is its version, for conditional requests"""
    tariff = tariffs.get_tariff(db.session, tariff_id)
    return not_modified(tariff) or (tariff, 200, {"ETag": etag(tariff)})


@blp.route("/tariffs", methods=["POST"])
@token_required(*TARIFF_ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(TariffCreateSchema)
@blp.response(201, TariffSchema, headers=ETAG)
@problems(404, 409, descriptions={
    404: "The tariff named by replaces does not exist",
    409: "The tariff named by replaces was changed meanwhile",
})  # fmt: skip
def create_tariff(body):
    """Add a tariff (administrators and operators). With replaces: a new price of that
    tariff from valid_from, which closes it the day before, both or neither. A validity
    that overlaps a tariff of the same route, leg and group (or a through rate and a leg's)
    is refused with 422, as is a currency other than the route's on those days"""
    replaces = body.pop("replaces", None)
    user = current_api_user()
    if replaces is None:
        tariff = tariffs.create_tariff(db.session, user, body)
    else:
        tariff = tariffs.revise_tariff(db.session, user, replaces, body)
    return tariff, 201, {"ETag": etag(tariff)}


@blp.route("/tariffs/<id:tariff_id>", methods=["PATCH"])
@token_required(*TARIFF_ADMINS)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(TariffEditSchema)
@blp.response(200, TariffSchema, headers=ETAG)
@problems(404, 409, descriptions={
    409: "Changed meanwhile, or in force: only its end (valid_to) may change",
})  # fmt: skip
def update_tariff(body, tariff_id):
    """Change a tariff not yet in force; of one in force only the end (today at the
    earliest) and the note. Send the version read, in the body or as If-Match"""
    body["version"] = required_version(body)
    tariff = tariffs.update_tariff(db.session, current_api_user(), tariff_id, body)
    return tariff, 200, {"ETag": etag(tariff)}
