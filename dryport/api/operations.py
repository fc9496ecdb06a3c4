"""The clerk's and the operator's actions: confirm, reject, roll; plan, depart, arrive; the
railway's loading list."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.conditional import ETAG, IF_MATCH, etag, required_version, version_read
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.hygiene import upload_limit
from dryport.models import Role
from dryport.schemas.bookings import BookingSchema
from dryport.schemas.operations import (
    ConfirmSchema,
    DepartureActionSchema,
    DepartureCancelSchema,
    DepartureCreateSchema,
    DepartureSeriesResultSchema,
    DepartureSeriesSchema,
    DepartureUpdateSchema,
    LegPlanUpdateSchema,
    LoadDraftOutSchema,
    LoadDraftSchema,
    RejectSchema,
    RollSchema,
)
from dryport.schemas.railway_list import RAILWAY_LIST_BODY, RailwayListResultSchema
from dryport.schemas.reference import DepartureDetailSchema, DepartureSchema
from dryport.services import (
    leg_plans,
    load_drafts,
    loading,
    operations,
    railway_list,
    rolls,
    schedules,
)
from dryport.services.access import STAFF
from dryport.services.errors import Invalid, NotFound

blp = Blueprint("api_operations", __name__, description="Load checks and departures")

DEPARTURE = "/departures/<id:departure_id>"


@blp.route("/bookings/<reference:reference>/confirm", methods=["POST"])
@token_required(Role.CLERK)
@blp.doc(security=BEARER)
@blp.arguments(ConfirmSchema)
@blp.response(200, BookingSchema)
@problems(404, 409, descriptions={409: "Not RECEIVED any more, or changed meanwhile"})
def confirm(body, reference):
    """Confirm a load with its containers (clerk of the origin station)"""
    return loading.confirm_load(
        db.session,
        current_api_user(),
        reference,
        body["containers"],
        body["version"],
        accept_weighed_mass=body["accept_weighed_mass"],
    )


@blp.route("/bookings/<reference:reference>/load-draft", methods=["PUT"])
@token_required(Role.CLERK)
@blp.doc(security=BEARER)
@blp.arguments(LoadDraftSchema)
@blp.response(200, LoadDraftOutSchema)
@problems(404, 409, descriptions={409: "Not RECEIVED any more"})
def save_load_draft(body, reference):
    """Save a partly checked load: its container rows as typed (clerk of the origin station)"""
    return load_drafts.save_draft(db.session, current_api_user(), reference, body["rows"])


@blp.route("/bookings/<reference:reference>/load-draft", methods=["GET"])
@token_required(Role.CLERK)
@blp.doc(security=BEARER)
@blp.response(200, LoadDraftOutSchema)
@problems(404, descriptions={404: "No draft saved, or not your station's booking"})
def get_load_draft(reference):
    """The saved partly checked load (clerk of the origin station)"""
    draft = load_drafts.get_draft(db.session, current_api_user(), reference)
    if draft is None:
        raise NotFound()
    return draft


@blp.route("/bookings/<reference:reference>/reject", methods=["POST"])
@token_required(Role.CLERK)
@blp.doc(security=BEARER)
@blp.arguments(RejectSchema)
@blp.response(200, BookingSchema)
@problems(404, 409, descriptions={409: "Not RECEIVED any more, or changed meanwhile"})
def reject(body, reference):
    """Reject a load with a reason the shipper sees (clerk of the origin station)"""
    return loading.reject_load(
        db.session, current_api_user(), reference, body["reason"], body["version"]
    )


@blp.route("/bookings/<reference:reference>/roll", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(RollSchema)
@blp.response(200, BookingSchema)
@problems(404, 409, descriptions={409: "Not enough capacity on the target, or changed meanwhile"})
def roll(body, reference):
    """Roll a booking to another departure of the same route"""
    return rolls.roll_booking(
        db.session, current_api_user(), reference, body["departure_id"], body["version"]
    )


@blp.route("/departures", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(DepartureCreateSchema)
@blp.response(201, DepartureSchema)
@problems(409)
def create_departure(body):
    """Plan a departure"""
    return operations.create_departure(db.session, current_api_user(), body)


@blp.route("/departures/series", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(DepartureSeriesSchema)
@blp.response(201, DepartureSeriesResultSchema)
@problems(409)
def create_series(body):
    """Plan a weekly schedule: a departure on the weekday of each week of the range, except
    where the route already has one at that time (listed as skipped); all or none"""
    return schedules.create_series(db.session, current_api_user(), body)


@blp.route(DEPARTURE, methods=["PATCH"])
@token_required(*STAFF)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(DepartureUpdateSchema)
@blp.response(200, DepartureSchema, headers=ETAG)
@problems(404, 409, descriptions={409: "Changed meanwhile, or capacity below what is held"})
def update_departure(body, departure_id):
    """Replan a departure: times, service number, capacity (not below what is held); send
    the version read, in the body or as If-Match"""
    body["version"] = required_version(body)
    departure = operations.update_departure(db.session, current_api_user(), departure_id, body)
    return departure, 200, {"ETag": etag(departure)}


@blp.route(DEPARTURE + "/legs/<id:seq>", methods=["PATCH"])
@token_required(*STAFF)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(LegPlanUpdateSchema)
@blp.response(200, DepartureDetailSchema, headers=ETAG)
@problems(404, 409, descriptions={409: "Changed meanwhile, or the departure has left"})
def update_leg_plan(body, departure_id, seq):
    """Plan one leg of a departure: carrier, service number, planned times (null: the
    route's default); send the departure's version read, in the body or as If-Match"""
    body["version"] = required_version(body)
    departure = leg_plans.update_leg_plan(db.session, current_api_user(), departure_id, seq, body)
    return departure, 200, {"ETag": etag(departure)}


@blp.route(DEPARTURE + "/cancel", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(DepartureCancelSchema, required=False)
@blp.response(200, DepartureSchema, headers=ETAG)
@problems(404, 409, descriptions={409: "Live bookings are still on it (listed in bookings)"})
def cancel_departure(body, departure_id):
    """Cancel a departure with no live booking left on it"""
    departure = operations.cancel_departure(
        db.session, current_api_user(), departure_id, version_read(body)
    )
    return departure, 200, {"ETag": etag(departure)}


@blp.route(DEPARTURE + "/depart", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(DepartureActionSchema, required=False)
@blp.response(200, DepartureSchema)
@problems(
    404, 409, descriptions={409: "Bookings still wait for their load check or customs release"}
)
def depart(body, departure_id):
    """Record the departure: its confirmed bookings depart"""
    return operations.depart(db.session, current_api_user(), departure_id, (body or {}).get("at"))


@blp.route(DEPARTURE + "/arrive", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(DepartureActionSchema, required=False)
@blp.response(200, DepartureSchema)
@problems(404, 409, descriptions={409: "Not departed"})
def arrive(body, departure_id):
    """Record the arrival: its departed bookings arrive"""
    return operations.arrive(db.session, current_api_user(), departure_id, (body or {}).get("at"))


@blp.route(DEPARTURE + "/railway-list", methods=["POST"])
@upload_limit(railway_list.MAX_REQUEST_BYTES)
@token_required(*STAFF)
@blp.doc(security=BEARER, requestBody=RAILWAY_LIST_BODY)
@blp.response(200, RailwayListResultSchema)
@problems(404, 409, 413, 422, descriptions={
    409: "The departure was cancelled",
    422: "Bad lines (errors by line: line 4), or an empty file; nothing was saved",
})  # fmt: skip
def railway_list_upload(departure_id):
    """Give the departure's containers their wagon and railway waybill numbers from the
    railway's loading list (CSV as the body, or multipart: file); all lines or none"""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid(errors={"file": [_l("Send the loading list as the file field.")]})
        data = upload.stream.read(railway_list.MAX_BYTES + 1)
    else:
        data = request.get_data()
    return railway_list.apply_loading_list(db.session, current_api_user(), departure_id, data)
