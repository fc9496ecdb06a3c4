"""Where departures and containers are: transport and equipment events, a booking's
tracking (DESIGN §12)."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.schemas.tracking import (
    EquipmentEventInSchema,
    EquipmentEventSchema,
    TrackingSchema,
    TransportEventInSchema,
    TransportEventSchema,
)
from dryport.services import departures, tracking
from dryport.services.access import STAFF

blp = Blueprint("api_tracking", __name__, description="Tracking: transport and equipment events")


@blp.route("/departures/<id:departure_id>/events", methods=["POST"])
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.arguments(TransportEventInSchema)
@blp.response(201, TransportEventSchema)
@problems(404, 409, descriptions={409: "Already recorded, or the departure is not underway"})
def record_transport_event(body, departure_id):
    """Record that a leg left or arrived (ACT) or is expected to (EST); the first leg's
    actual DEPA departs the departure, the last leg's actual ARRI arrives it"""
    return tracking.record_transport_event(db.session, current_api_user(), departure_id, body)


@blp.route("/departures/<id:departure_id>/events")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, TransportEventSchema(many=True))
@problems(404)
def transport_events(departure_id):
    """The departure's transport events in the order recorded"""
    return departures.get_departure(db.session, departure_id).transport_events


@blp.route("/containers/<reference:number>/events", methods=["POST"])
@token_required(*tracking.EQUIPMENT_ROLES)
@blp.doc(security=BEARER)
@blp.arguments(EquipmentEventInSchema)
@blp.response(201, EquipmentEventSchema)
@problems(404, descriptions={404: "Not a container number's form"})
def record_equipment_event(body, number):
    """Record a container's gate-in, load, discharge or gate-out with its seal check (a
    clerk at their own station, or an operator)"""
    return tracking.record_equipment_event(db.session, current_api_user(), number, body)


@blp.route("/bookings/<reference:reference>/tracking")
@token_required()
@blp.doc(security=BEARER)
@blp.response(200, TrackingSchema)
@problems(404)
def booking_tracking(reference):
    """Leg by leg where the booking is, its ETA, and its departure's and containers' events"""
    return tracking.booking_tracking(db.session, current_api_user(), reference)
