"""Reference data as the API shows it: stations, routes with legs, departures."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy.orm import object_session

from dryport.models import (
    DepartureStatus,
    DocumentType,
    PlaceKind,
    StationKind,
    TransportMode,
)
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services import capacity, departures, places, reference_data, routes, tracking
from dryport.services.clock import YEARS


class StationSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.Enum(StationKind)
    feeder_hours = fields.Integer()
    feeder_km = fields.Integer(
        allow_none=True, metadata={"description": "Road kilometres to the hub; null: not known"}
    )
    active = fields.Boolean()
    version = fields.Integer(metadata={"description": "Send it back to change the station"})


class PlaceSchema(Schema):
    code = fields.String(
        metadata={"description": "UN/LOCODE; without one, country-hyphen-name (KZ-DOS)"}
    )
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.Enum(PlaceKind)
    railway_code = fields.String(
        allow_none=True, metadata={"description": "The railway's station code"}
    )
    active = fields.Boolean()
    version = fields.Integer(metadata={"description": "Send it back to change the place"})


class BorderCrossingSchema(Schema):
    code = fields.String()
    name_zh = fields.Function(lambda c: c.name("zh"))
    name_en = fields.Function(lambda c: c.name("en"))
    exit_place = fields.Function(lambda c: c.exit_place.code, metadata={"description": "Code"})
    entry_place = fields.Function(lambda c: c.entry_place.code, metadata={"description": "Code"})
    gauge_change = fields.Boolean()
    version = fields.Integer()


class LegCarrierSchema(Schema):
    seq = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    section_zh = fields.String(allow_none=True)
    section_en = fields.String(allow_none=True)
    payer_code = fields.String(
        allow_none=True, metadata={"description": "Payer code of a rail section (SMGS box 23)"}
    )


class LegSchema(Schema):
    seq = fields.Integer()
    mode = fields.Enum(TransportMode)
    origin_zh = fields.String()
    origin_en = fields.String()
    origin_locode = fields.String(allow_none=True)
    destination_zh = fields.String()
    destination_en = fields.String()
    destination_locode = fields.String(allow_none=True)
    via_zh = fields.String(allow_none=True)
    via_en = fields.String(allow_none=True)
    transit_hours = fields.Integer(
        allow_none=True, metadata={"description": "Planned hours from origin to destination"}
    )
    distance_km = fields.Integer(
        allow_none=True, metadata={"description": "Kilometres from origin to destination"}
    )
    carriers = fields.List(fields.Nested(LegCarrierSchema))


class RouteSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    document_type = fields.Enum(DocumentType)
    active = fields.Boolean()
    version = fields.Integer(metadata={"description": "Send it back to change the route"})
    legs = fields.List(fields.Nested(LegSchema))
    destinations = fields.List(
        fields.Nested(PlaceSchema), metadata={"description": "Where its bookings may go"}
    )
    destination_legs = fields.Function(
        lambda route: [
            {"place": code, "distance_km": km, "transit_hours": hours}
            for code, (km, hours) in routes.destination_legs(object_session(route), route).items()
        ],
        metadata={
            "description": "The last leg's kilometres and hours to each destination where they"
            " differ from the leg's own: [{place, distance_km, transit_hours}]",
            "type": "array",
            "items": {"type": "object"},
        },
    )
    border_crossings = fields.List(
        fields.Nested(BorderCrossingSchema),
        metadata={"description": "The crossings its departures may take (each names one)"},
    )
    refused_dg_classes = fields.List(
        fields.String(), metadata={"description": "IMDG classes and divisions it does not carry"}
    )


class QuotaSchema(Schema):
    """A station's quota on a departure as it stands now (``services.capacity``)."""

    station = fields.Function(lambda q: q.station.code, metadata={"description": "Station code"})
    teu = fields.Integer(metadata={"description": "TEU kept for the station's bookings"})
    held_teu = fields.Float(metadata={"description": "TEU its bookings hold, within it or not"})
    available_teu = fields.Float(
        metadata={"description": "What it still keeps for the station; 0 once released"}
    )
    released = fields.Boolean(metadata={"description": "Its unused part returned to the open pool"})
    release_at = fields.AwareDateTime(
        metadata={"description": "When it is (or was) released: QUOTA_RELEASE_HOURS before the"
                  " station's cut-off"}
    )  # fmt: skip


class DepartureSchema(Schema):
    id = fields.Integer()
    route = fields.Function(lambda d: d.route.code, metadata={"description": "Route code"})
    service_no = fields.String()
    departs_at = fields.AwareDateTime()
    cutoff_at = fields.AwareDateTime(metadata={"description": "Cut-off at the hub"})
    capacity_teu = fields.Integer()
    capacity_kg = fields.Integer(allow_none=True)
    booked_teu = fields.Float(attribute="held_teu", metadata={"description": "TEU held"})
    available_teu = fields.Float(
        attribute="free_teu", metadata={"description": "Capacity not held (quotas included)"}
    )
    quotas = fields.Function(
        lambda d: QuotaSchema(many=True).dump(capacity.quota_state(d)),
        metadata={
            "description": "Station quotas: [{station, teu, held_teu, available_teu, released,"
            " release_at}]; a station's bookings hold in its quota first, then in the pool",
            "type": "array",
            "items": {"type": "object"},
        },
    )
    pool_available_teu = fields.Function(
        lambda d: float(capacity.pool_available(d)),
        metadata={"description": "Free in the open pool, for a booking from any station",
                  "type": "number"},
    )  # fmt: skip
    status = fields.Enum(DepartureStatus)
    border_crossing = fields.String(
        allow_none=True, metadata={"description": "Code of the border crossing it takes"}
    )
    departed_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer(
        metadata={"description": "Send it back (or the ETag as If-Match) to change it"}
    )


class LegPlanSchema(Schema):
    """One leg of a departure as planned, estimated and actual (``services.tracking``)."""

    seq = fields.Integer(metadata={"description": "The route leg's position"})
    mode = fields.Enum(TransportMode)
    from_ = fields.Function(
        lambda p: {"name_zh": p.origin_zh, "name_en": p.origin_en}, data_key="from"
    )
    to = fields.Function(lambda p: {"name_zh": p.destination_zh, "name_en": p.destination_en})
    carrier = fields.String(allow_none=True)
    service_no = fields.String(
        allow_none=True, metadata={"description": "Train number, barge or vessel voyage"}
    )
    planned_departure = fields.AwareDateTime(allow_none=True)
    planned_arrival = fields.AwareDateTime(allow_none=True)
    own = fields.Boolean(
        metadata={"description": "The leg the departure's own service number and time name"}
    )
    estimated_departure = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Recorded, or the plan moved by the delay"}
    )
    estimated_arrival = fields.AwareDateTime(allow_none=True)
    actual_departure = fields.AwareDateTime(allow_none=True)
    actual_arrival = fields.AwareDateTime(allow_none=True)
    status = fields.String(metadata={"description": "PLANNED, UNDERWAY or DONE"})


class DepartureDetailSchema(DepartureSchema):
    """A departure with its leg plan."""

    legs = fields.Function(
        lambda d: LegPlanSchema(many=True).dump(tracking.track(d)),
        metadata={
            "description": "Its legs in order: the route's legs with the carrier, service"
            " number and times planned, estimated and actual for this departure"
        },
    )


class Moment(fields.AwareDateTime):
    """A date and time with its offset, within ``clock.YEARS``."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.year not in YEARS:  # checked before any conversion, which could overflow
            raise ValidationError(
                str(
                    _l(
                        "Enter a time between the years %(first)d and %(last)d.",
                        first=YEARS[0],
                        last=YEARS[-1],
                    )
                )
            )
        return moment


class DayOrMoment(fields.Field):
    """A date (``2026-12-01``, a whole day in Asia/Shanghai) or a datetime with its offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                if len(value) == 10:
                    day = date.fromisoformat(value)
                    if day.year in YEARS:
                        return day
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is not None and moment.year in YEARS:
                    return moment
            except ValueError:
                pass
        raise ValidationError(
            str(_l("Enter a date (YYYY-MM-DD) or a date and time with its offset."))
        )


class DepartureQuerySchema(Schema):
    route = fields.String(metadata={"description": "Route code: EAST, XAEU or WHSEA"})
    from_ = DayOrMoment(
        data_key="from", metadata={"description": "Departing from (default: today)"}
    )
    to = DayOrMoment(metadata={"description": "Departing up to (a date: that whole day)"})
    q = Search("the service number, or the route's code or name (Chinese or English)")
    sort = Sort(departures.SORTING)

    @validates_schema
    def check_order(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start is not None and end is not None and type(start) is type(end) and start > end:
            raise ValidationError(str(_l("'to' is before 'from'.")), field_name="to")


class StationQuerySchema(Schema):
    q = Search("the code or name (Chinese or English)")
    sort = Sort(reference_data.STATION_SORTING)


class PlaceQuerySchema(Schema):
    q = Search("the code, railway code or name (Chinese or English)")
    kind = fields.Enum(PlaceKind)
    sort = Sort(places.PLACE_SORTING)


class RouteQuerySchema(Schema):
    q = Search("the code or name (Chinese or English)")
    sort = Sort(reference_data.ROUTE_SORTING)
