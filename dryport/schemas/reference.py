"""Reference data as the API shows it: stations, routes with legs, departures."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validates_schema

from dryport.models import DepartureStatus, DocumentType, StationKind, TransportMode
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services import departures, reference_data
from dryport.services.clock import YEARS


class StationSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.Enum(StationKind)
    feeder_hours = fields.Integer()
    active = fields.Boolean()


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


class RouteSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    document_type = fields.Enum(DocumentType)
    active = fields.Boolean()
    legs = fields.List(fields.Nested(LegSchema))


class DepartureSchema(Schema):
    id = fields.Integer()
    route = fields.Function(lambda d: d.route.code, metadata={"description": "Route code"})
    service_no = fields.String()
    departs_at = fields.AwareDateTime()
    cutoff_at = fields.AwareDateTime(metadata={"description": "Cut-off at the hub"})
    capacity_teu = fields.Integer()
    capacity_kg = fields.Integer(allow_none=True)
    booked_teu = fields.Float(attribute="held_teu", metadata={"description": "TEU held"})
    available_teu = fields.Float(attribute="free_teu")
    status = fields.Enum(DepartureStatus)
    departed_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer(
        metadata={"description": "Send it back (or the ETag as If-Match) to change it"}
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


class RouteQuerySchema(Schema):
    q = Search("the code or name (Chinese or English)")
    sort = Sort(reference_data.ROUTE_SORTING)
