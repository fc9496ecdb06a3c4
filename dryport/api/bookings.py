from flask import current_app, jsonify, request
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.conditional import (
    ETAG,
    IF_MATCH,
    etag,
    not_modified,
    required_version,
    version_read,
)
from dryport.api.errors import problems
from dryport.api.paging import NEXT_LINK, WHOLE, paged, paged_result
from dryport.db import commit_now, lock_at_first_write
from dryport.extensions import db
from dryport.models import BookingStatus, Role
from dryport.schemas.booking_templates import CopySchema
from dryport.schemas.bookings import (
    BOOKING_SCHEMA,
    BookingAmendSchema,
    BookingCreateSchema,
    BookingEventSchema,
    BookingQuerySchema,
    BookingSchema,
    EventQuerySchema,
    VersionSchema,
)
from dryport.services import booking_templates, bookings, customs, idempotency

blp = Blueprint("api_bookings", __name__, description="Bookings: place, follow, amend, cancel")

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": "Retries with the same key and body return the first response and "
    "create nothing new; the same key with another body is refused (422). Keys expire.",
}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request with the "
        "same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


@blp.route("/bookings", methods=["POST"])
@lock_at_first_write
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_HEADER])
@blp.arguments(BookingCreateSchema())  # an instance: from a class, webargs makes one a call
@blp.response(201, BookingSchema, headers=REPLAYED)
@problems(409, descriptions={409: "Not enough capacity, or past the cut-off"})
def create_booking(body):
    """Book containers on a departure"""
    return _placed(lambda user: bookings.place_booking(db.session, user, body))


@blp.route("/bookings/<reference:reference>/copy", methods=["POST"])
@lock_at_first_write
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_HEADER])
@blp.arguments(CopySchema)
@blp.response(201, BookingSchema, headers=REPLAYED)
@problems(404, 409, descriptions={409: "Not enough capacity, or past the cut-off"})
def copy_booking(body, reference):
    """Book again: a new booking on another departure with the same origin, destination,
    parties, cargo and container lines as one of yours (not its containers, seals, customs
    data, sea continuation, documents or status), placed as POST /bookings places one"""
    return _placed(
        lambda user: booking_templates.copy_booking(
            db.session, user, reference, body["departure_id"], body["waitlist"]
        )
    )


def _placed(place):
    """201 with the booking ``place(user)`` placed; with an ``Idempotency-Key``, a retry
    gets the first answer and places nothing new."""
    user = current_api_user()
    key = request.headers.get("Idempotency-Key")
    record = None
    if key is not None:
        digest = idempotency.fingerprint(request.method, request.path, request.get_json())
        record = idempotency.claim(
            db.session, user, key, digest, current_app.config["IDEMPOTENCY_TTL"]
        )
        if isinstance(record, idempotency.Replay):
            return _json(record.body, record.status, {"Idempotent-Replayed": "true"})
    booking = place(user)
    if record is None and booking.status is not BookingStatus.WAITLISTED:
        # Committed before its answer is built: the train's row (PostgreSQL) or the
        # database's write lock (SQLite) is held only while the booking is written, and the
        # answer reads nothing. With a key, the answer is stored in the same transaction as
        # the booking; a waiting booking's answer reads its place in the queue, which is
        # read under the same lock as the booking was placed.
        commit_now(db.session)
    result = BOOKING_SCHEMA.dump(booking)
    if record is not None:
        idempotency.complete(record, 201, result)
    return _json(result, 201)


def _json(body: dict, status: int, headers: dict | None = None):
    """An already serialised body, passed through the response schema untouched."""
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


@blp.route("/bookings")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(BookingQuerySchema, location="query")
@blp.response(200, BookingSchema(many=True), headers=NEXT_LINK)
@blp.paginate()
def list_bookings(query, pagination_parameters):
    """Bookings in your scope, by default newest first"""
    # Counts stop at 10,000 (X-Pagination total_capped); a search reads a bounded window of
    # the list per page; the cursor (schemas.paging.Cursor) goes on from a page's end.
    page = bookings.bookings_page(
        db.session,
        current_api_user(),
        pagination_parameters.page,
        pagination_parameters.page_size,
        **query,
    )
    return paged_result(page, pagination_parameters)


@blp.route("/bookings/<reference:reference>")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, BookingSchema, headers=ETAG)
@blp.alt_response(304, description="Not modified: the If-None-Match sent is current",
                  headers=ETAG)  # fmt: skip
@problems(404)
def get_booking(reference):
    """One booking; its ETag is its version, for conditional requests"""
    booking = bookings.get_booking(db.session, current_api_user(), reference)
    return not_modified(booking) or (booking, 200, {"ETag": etag(booking)})


@blp.route("/bookings/<reference:reference>", methods=["PATCH"])
@token_required(*customs.CUSTOMS_ROLES)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(BookingAmendSchema)
@blp.response(200, BookingSchema, headers=ETAG)
@problems(
    404, 409,
    descriptions={409: "Stale version, past the cut-off (customs: the departure has left), "
                  "or not enough capacity"},
)  # fmt: skip
def amend_booking(body, reference):
    """Amend destination, parties, cargo, container lines, customs data or transport terms
    before the cut-off (send the version read, in the body or as If-Match). A body with only
    `customs` and/or `sea_leg` changes them alone: until the departure leaves, by the shipper
    or an operator"""
    body["version"] = required_version(body)
    user = current_api_user()
    late = set(body) - {"version"}
    if late and late <= customs.LATE_FIELDS:
        booking = customs.set_late(db.session, user, reference, body, body["version"])
    else:
        booking = bookings.amend_booking(db.session, user, reference, body)
    return booking, 200, {"ETag": etag(booking)}


@blp.route("/bookings/<reference:reference>/cancel", methods=["POST"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(VersionSchema, required=False)
@blp.response(200, BookingSchema, headers=ETAG)
@problems(404, 409, descriptions={409: "Stale version, past the cut-off, or not cancellable"})
def cancel_booking(body, reference):
    """Cancel before the cut-off"""
    version = version_read(body)
    booking = bookings.cancel_booking(db.session, current_api_user(), reference, version)
    return booking, 200, {"ETag": etag(booking)}


@blp.route("/bookings/<reference:reference>/events")
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(EventQuerySchema, location="query")
@blp.response(200, BookingEventSchema(many=True))
@blp.paginate(**WHOLE)
@problems(404)
def booking_events(query, reference, pagination_parameters):
    """The booking's timeline, by default oldest first"""
    stmt = bookings.events_query(db.session, current_api_user(), reference, **query)
    return paged(stmt, pagination_parameters)
