"""Transport and equipment events and a booking's tracking as the API shows them, in the
vocabulary of DCSA Track & Trace (DEPA/ARRI, GTIN/LOAD/DISC/GTOT, EST/ACT)."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from dryport.models import EquipmentEventType, EventClassifier, TransportEventType
from dryport.schemas.bookings import Stripped
from dryport.schemas.reference import LegPlanSchema, Moment

LOCATION = {
    "description": "A station code (HK, HB…) or a place code (UN/LOCODE such as CNXAG, CNWUH)"
}


class TransportEventInSchema(Stripped):
    """Body of ``POST /api/v1/departures/{id}/events``."""

    leg_seq = fields.Integer(required=True, strict=True, metadata={"description": "Leg position"})
    type = fields.Enum(TransportEventType, required=True, metadata={"description": "DEPA, ARRI"})
    classifier = fields.Enum(
        EventClassifier,
        required=True,
        metadata={"description": "ACT (it happened) or EST (it is expected)"},
    )
    at = Moment(load_default=None, metadata={"description": "Default: now"})
    location = fields.String(
        load_default=None, validate=validate.Length(min=1, max=8), metadata=LOCATION
    )


class TransportEventSchema(Schema):
    id = fields.Integer()
    event_type = fields.Constant("TRANSPORT")
    departure_id = fields.Integer()
    leg_seq = fields.Integer()
    type = fields.Enum(TransportEventType)
    classifier = fields.Enum(EventClassifier)
    at = fields.AwareDateTime()
    location = fields.String(allow_none=True, metadata=LOCATION)
    recorded_at = fields.AwareDateTime()


class EquipmentEventInSchema(Stripped):
    """Body of ``POST /api/v1/containers/{number}/events``."""

    type = fields.Enum(
        EquipmentEventType, required=True, metadata={"description": "GTIN, LOAD, DISC, GTOT"}
    )
    at = Moment(load_default=None, metadata={"description": "Default: now"})
    location = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=8),
        metadata={**LOCATION, "description": LOCATION["description"] + "; a clerk's own station"},
    )
    seal_intact = fields.Boolean(
        required=True, metadata={"description": "The seal checked and found intact"}
    )
    note = fields.String(
        load_default=None,
        validate=validate.Length(max=255, error=_l("At most 255 characters.")),
        metadata={"description": "Required when the seal is broken"},
    )


class EquipmentEventSchema(Schema):
    id = fields.Integer()
    event_type = fields.Constant("EQUIPMENT")
    container = fields.Function(lambda e: e.container.number)
    booking = fields.Function(lambda e: e.container.booking.reference)
    type = fields.Enum(EquipmentEventType)
    classifier = fields.Constant("ACT")
    at = fields.AwareDateTime()
    location = fields.String(metadata=LOCATION)
    seal_intact = fields.Boolean()
    note = fields.String(allow_none=True)
    recorded_at = fields.AwareDateTime()


class TrackedContainerSchema(Schema):
    number = fields.String()
    size_type = fields.String()
    seal_no = fields.String()
    wagon_no = fields.String(allow_none=True)
    railway_waybill_no = fields.String(allow_none=True)


def _event(row):
    _, kind, event = row
    schema = TRANSPORT_EVENT if kind == "TRANSPORT" else EQUIPMENT_EVENT
    return schema.dump(event)


class TrackingSchema(Schema):
    """``GET /api/v1/bookings/{reference}/tracking``."""

    reference = fields.Function(lambda t: t.booking.reference)
    status = fields.Function(lambda t: t.booking.status.name)
    departure_id = fields.Function(lambda t: t.booking.departure_id)
    current_leg = fields.Function(
        lambda t: t.current.seq if t.current else None,
        metadata={"description": "The leg underway or next; null once all are done"},
    )
    eta = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "The last leg's arrival, actual or expected; null if unknown"},
    )
    legs = fields.List(fields.Nested(LegPlanSchema))
    containers = fields.Function(
        lambda t: TrackedContainerSchema(many=True).dump(t.booking.containers)
    )
    events = fields.Function(
        lambda t: [_event(row) for row in t.events],
        metadata={"description": "Transport and equipment events in time order"},
    )


TRANSPORT_EVENT = TransportEventSchema()
EQUIPMENT_EVENT = EquipmentEventSchema()
