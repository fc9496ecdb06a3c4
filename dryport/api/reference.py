from flask_smorest import Blueprint

from dryport.api.auth import BEARER, token_required
from dryport.api.conditional import ETAG, etag, not_modified
from dryport.api.errors import problems
from dryport.api.paging import WHOLE, paged
from dryport.extensions import db
from dryport.schemas.reference import (
    BorderCrossingSchema,
    DepartureDetailSchema,
    DepartureQuerySchema,
    DepartureSchema,
    PlaceQuerySchema,
    PlaceSchema,
    RouteQuerySchema,
    RouteSchema,
    StationQuerySchema,
    StationSchema,
)
from dryport.services import departures, places, reference_data

blp = Blueprint(
    "api_reference",
    __name__,
    description="Stations, places, border crossings, routes and departures",
)


@blp.route("/stations")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(StationQuerySchema, location="query")
@blp.response(200, StationSchema(many=True))
@blp.paginate(**WHOLE)
def list_stations(query, pagination_parameters):
    """The hub and the county sub-stations; by default the hub first"""
    return paged(reference_data.stations_query(**query), pagination_parameters)


@blp.route("/routes")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(RouteQuerySchema, location="query")
@blp.response(200, RouteSchema(many=True))
@blp.paginate(**WHOLE)
def list_routes(query, pagination_parameters):
    """The routes with their legs and carriers, destinations, border crossings and the
    dangerous-goods classes each refuses"""
    return paged(reference_data.routes_query(**query), pagination_parameters)


@blp.route("/places")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(PlaceQuerySchema, location="query")
@blp.response(200, PlaceSchema(many=True))
@blp.paginate(**WHOLE)
def list_places(query, pagination_parameters):
    """Railway stations, ports and border stations, by UN/LOCODE; by default by kind"""
    return paged(places.places_query(**query), pagination_parameters)


@blp.route("/border-crossings")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, BorderCrossingSchema(many=True))
@blp.paginate(**WHOLE)
def list_crossings(pagination_parameters):
    """The border crossings a departure may name"""
    return paged(places.crossings_query(), pagination_parameters)


@blp.route("/departures")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(DepartureQuerySchema, location="query")
@blp.response(200, DepartureSchema(many=True))
@blp.paginate()
def list_departures(query, pagination_parameters):
    """Departures, by default soonest first and from today on"""
    stmt = departures.departures_query(
        query.get("route"), query.get("from_"), query.get("to"), query.get("sort"), query.get("q")
    )
    return paged(stmt, pagination_parameters)


@blp.route("/departures/<id:departure_id>")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, DepartureDetailSchema, headers=ETAG)
@blp.alt_response(304, description="Not modified: the If-None-Match sent is current",
                  headers=ETAG)  # fmt: skip
@problems(404)
def get_departure(departure_id):
    """One departure with its legs; its ETag is its version, for conditional requests"""
    departure = departures.get_departure(db.session, departure_id)
    return not_modified(departure) or (departure, 200, {"ETag": etag(departure)})
