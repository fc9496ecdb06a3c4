from flask_smorest import Blueprint

from dryport.api.auth import BEARER, token_required
from dryport.api.paging import paged
from dryport.extensions import db
from dryport.schemas.reference import (
    DepartureQuerySchema,
    DepartureSchema,
    RouteSchema,
    StationSchema,
)
from dryport.services import departures, reference_data

blp = Blueprint("api_reference", __name__, description="Stations, routes and departures")


@blp.route("/stations")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, StationSchema(many=True))
def list_stations():
    """The hub and the county sub-stations"""
    return reference_data.list_stations(db.session)


@blp.route("/routes")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, RouteSchema(many=True))
def list_routes():
    """The routes with their legs"""
    return reference_data.list_routes(db.session)


@blp.route("/departures")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(DepartureQuerySchema, location="query")
@blp.response(200, DepartureSchema(many=True))
@blp.paginate()
def list_departures(query, pagination_parameters):
    """Departures, soonest first; by default from today on"""
    stmt = departures.departures_query(query.get("route"), query.get("from_"), query.get("to"))
    return paged(stmt, pagination_parameters)


@blp.route("/departures/<int(max=2147483647):departure_id>")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, DepartureSchema)
def get_departure(departure_id):
    """One departure"""
    return departures.get_departure(db.session, departure_id)
