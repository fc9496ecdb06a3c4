"""Customs release: recorded per booking, or from the customs' release list of a departure."""

from flask import request
from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.schemas.bookings import BookingSchema
from dryport.schemas.operations import CustomsReleaseSchema, ReleasedSchema
from dryport.services import customs_release
from dryport.services.access import STAFF

blp = Blueprint("api_customs", __name__, description="Customs release")

_LIST = {
    "type": "string",
    "description": "CSV, UTF-8 (with or without BOM) or GB18030: declaration number, release"
    " time (ISO 8601 with its offset, or YYYY-MM-DD HH:MM in Beijing time); an optional header"
    f" row; at most {customs_release.MAX_LINES:,} lines",
}
LIST_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": _LIST},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {**_LIST, "format": "binary"}},
            }
        },
    },
}


@blp.route("/bookings/<reference:reference>/customs-release", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(CustomsReleaseSchema)
@blp.response(200, BookingSchema)
@problems(
    404,
    409,
    descriptions={
        409: "The route needs no release, the departure has left, or released otherwise already"
    },
)
def release(body, reference):
    """Record that customs released a booking for export (operator); the same release again
    changes nothing"""
    return customs_release.release(
        db.session, current_api_user(), reference, body["declaration_no"], body["released_at"]
    )


@blp.route("/departures/<id:departure_id>/customs-releases", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER, requestBody=LIST_BODY)
@blp.response(200, ReleasedSchema)
@problems(
    404,
    409,
    413,
    422,
    descriptions={
        409: "The route needs no release, or the departure has left",
        422: "Lines that cannot be recorded (errors by line): nothing was recorded",
    },
)
def release_list(departure_id):
    """Record the customs' release list of a departure, all lines or none (operator)"""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")  # none chosen: an empty list
        data = upload.stream.read(customs_release.MAX_BYTES + 1) if upload else b""
    else:
        data = request.get_data(cache=False)
    released = customs_release.release_list(db.session, current_api_user(), departure_id, data)
    return {"released": [booking.reference for booking in released]}
