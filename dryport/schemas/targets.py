"""Annual targets and the year's report: what the API and the administrator's form send,
and what the API answers. TEU targets are whole numbers."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from dryport.schemas.bookings import Stripped
from dryport.schemas.numbers import WholeNumber
from dryport.services.clock import YEARS

#: A year's target, of the zone or a station: 0 to a million TEU.
TARGET_RANGE = validate.Range(0, 1_000_000, error=_l("A whole number of TEU, 0 to 1,000,000."))


class AnnualReportQuerySchema(Schema):
    year = WholeNumber(
        validate=validate.Range(YEARS[0], YEARS[-1], error=_l("A year, 2000 to 2100.")),
        metadata={"description": "The calendar year, Beijing time (default: this year)"},
    )


class StationTargetSchema(Stripped):
    station = fields.String(
        required=True, validate=validate.Length(1, 8), metadata={"description": "Station code"}
    )
    target_teu = WholeNumber(
        load_default=None, allow_none=True, validate=TARGET_RANGE,
        metadata={"description": "TEU; null or absent: no target for this station"},
    )  # fmt: skip


class TargetsSetSchema(Schema):
    target_teu = WholeNumber(
        required=True, validate=TARGET_RANGE, metadata={"description": "The zone's, in all"}
    )
    stations = fields.List(
        fields.Nested(StationTargetSchema), load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "Stations not listed have no target; together at most the"
                                 " zone's"},
    )  # fmt: skip
    version = WholeNumber(
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "The targets' version as read: refused (409) if changed since"},
    )


class StationTargetOutSchema(Schema):
    station = fields.String()
    target_teu = fields.Integer()


class TargetsSchema(Schema):
    year = fields.Integer()
    target_teu = fields.Integer(allow_none=True, metadata={"description": "null: not set"})
    version = fields.Integer(metadata={"description": "0 for a year without targets"})
    stations = fields.List(fields.Nested(StationTargetOutSchema))
