"""The administrator's reference data: places, border crossings, stations and routes (with
their legs, carriers, destinations and refused classes) are created and edited here; every
change is in the audit log. Reading them is ``api.reference``'s."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.conditional import ETAG, IF_MATCH, etag, required_version
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.admin import (
    CrossingCreateSchema,
    CrossingEditSchema,
    PlaceCreateSchema,
    PlaceEditSchema,
    RouteCreateSchema,
    RouteUpdateSchema,
    StationCreateSchema,
    StationEditSchema,
)
from dryport.schemas.reference import (
    BorderCrossingSchema,
    PlaceSchema,
    RouteSchema,
    StationSchema,
)
from dryport.services import admin, places, routes

blp = Blueprint("api_admin", __name__, description="Reference data administration (administrators)")

CREATED = {409: "The code is taken already"}
EDITED = {409: "Changed meanwhile: the version sent is not the current one"}


def _changed(obj):
    return obj, 200, {"ETag": etag(obj)}


@blp.route("/places", methods=["POST"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER)
@blp.arguments(PlaceCreateSchema)
@blp.response(201, PlaceSchema)
@problems(409, descriptions=CREATED)
def create_place(body):
    """Add a place: a railway station, port or border station, by its UN/LOCODE"""
    return places.create_place(db.session, current_api_user(), body)


@blp.route("/places/<place_code>", methods=["PATCH"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(PlaceEditSchema(partial=True))
@blp.response(200, PlaceSchema, headers=ETAG)
@problems(404, 409, descriptions=EDITED)
def update_place(body, place_code):
    """Edit a place (not its code); send the version read, in the body or as If-Match"""
    body["version"] = required_version(body)
    return _changed(places.update_place(db.session, current_api_user(), place_code, body))


@blp.route("/border-crossings", methods=["POST"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER)
@blp.arguments(CrossingCreateSchema)
@blp.response(201, BorderCrossingSchema)
@problems(409, descriptions=CREATED)
def create_crossing(body):
    """Add a border crossing between two border stations"""
    return places.create_crossing(db.session, current_api_user(), body)


@blp.route("/border-crossings/<crossing_code>", methods=["PATCH"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(CrossingEditSchema(partial=True))
@blp.response(200, BorderCrossingSchema, headers=ETAG)
@problems(404, 409, descriptions=EDITED)
def update_crossing(body, crossing_code):
    """Edit a border crossing; send the version read, in the body or as If-Match"""
    body["version"] = required_version(body)
    return _changed(places.update_crossing(db.session, current_api_user(), crossing_code, body))


@blp.route("/stations", methods=["POST"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER)
@blp.arguments(StationCreateSchema)
@blp.response(201, StationSchema)
@problems(409, descriptions=CREATED)
def create_station(body):
    """Add a county sub-station"""
    return admin.create_station(db.session, current_api_user(), body)


@blp.route("/stations/<station_code>", methods=["PATCH"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(StationEditSchema(partial=True))
@blp.response(200, StationSchema, headers=ETAG)
@problems(404, 409, descriptions=EDITED)
def update_station(body, station_code):
    """Edit a station: names, hours to the hub, in use; send the version read"""
    body["version"] = required_version(body)
    return _changed(admin.update_station(db.session, current_api_user(), station_code, body))


@blp.route("/routes", methods=["POST"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER)
@blp.arguments(RouteCreateSchema)
@blp.response(201, RouteSchema)
@problems(409, descriptions=CREATED)
def create_route(body):
    """Add a route, whole: legs with their carriers, destinations, border crossings and the
    dangerous-goods classes it refuses"""
    return routes.create_route(db.session, current_api_user(), body)


@blp.route("/routes/<route_code>", methods=["PATCH"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
# A PATCH of a route may leave out the route's own fields, not a leg's (a leg given is whole;
# ``partial=True`` would reach into the legs too).
@blp.arguments(RouteUpdateSchema(partial=routes.ROUTE_FIELDS))
@blp.response(200, RouteSchema, headers=ETAG)
@problems(404, 409, descriptions=EDITED)
def update_route(body, route_code):
    """Edit a route; each list given replaces the one it had. Legs match by position: more
    add legs, fewer remove the last. Send the version read, in the body or as If-Match"""
    body["version"] = required_version(body)
    return _changed(routes.update_route(db.session, current_api_user(), route_code, body))
