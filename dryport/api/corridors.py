"""The corridor comparison: each route's first departure for a shipment, with time, price
and CO2e."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, token_required
from dryport.extensions import db
from dryport.schemas.corridors import CorridorQuerySchema, CorridorSchema
from dryport.services import corridors

blp = Blueprint("api_corridors", __name__, description="The choice of corridor")


@blp.route("/corridors")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(CorridorQuerySchema, location="query")
@blp.response(200, CorridorSchema(many=True))
def compare_corridors(query):
    """Per route, the first departure that takes the shipment from the station in the next 60
    days, with its transit days to the destination, price and CO2e, ranked by `sort`"""
    return corridors.compare(
        db.session,
        query["origin_station"],
        query["size_type"],
        query["quantity"],
        query["from_"],
        query["destination"],
        query["gross_weight_kg"],
        sort=query["sort"],
    )
