"""A quote: what is asked (``POST /api/v1/quotes`` and the booking form's live price) and the
priced answer. Amounts are decimal strings."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from dryport.schemas.bookings import (
    ID_RANGE,
    Stripped,
    _destination,
    _lines,
    _upper,
    cargo_mass,
)
from dryport.schemas.charges import ChargesSchema
from dryport.schemas.numbers import Amount


class Declared(fields.Field):
    """Dangerous goods declared or not: true/false, or the declaration itself (any object
    counts as declared); null is no."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, dict):
            return True
        raise ValidationError(str(_l("True, false or the dangerous goods declaration.")))


class QuoteCargoSchema(Stripped):
    gross_weight_kg = cargo_mass(
        "Optional: with it, boxes estimated overweight pay their surcharge",
        load_default=None,
        allow_none=True,
    )
    dangerous_goods = Declared(
        load_default=False,
        allow_none=True,
        metadata={"description": "true, false, or the declaration as a booking gives it",
                  "oneOf": [{"type": "boolean"}, {"type": "object"}], "nullable": True},
    )  # fmt: skip
    reefer_setpoint_c = Amount(
        load_default=None,
        allow_none=True,
        places=1,
        validate=validate.Range(min=-35, max=30, error=_l("From -35 to 30 °C.")),
        metadata={"minimum": -35, "maximum": 30, "description": "Not priced; checked only"},
    )


class QuoteRequestSchema(Schema):
    """Body of ``POST /api/v1/quotes``."""

    departure_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    origin_station = fields.String(required=True)
    destination = _destination(required=False)
    containers = _lines(required=True)
    cargo = fields.Nested(QuoteCargoSchema, load_default=dict)

    @pre_load
    def upper(self, data, **kwargs):
        return _upper(data, "destination") if isinstance(data, dict) else data


class QuoteSchema(ChargesSchema):
    departure_id = fields.Integer()
    origin_station = fields.String()
    destination = fields.String(allow_none=True)
    priced_on = fields.Date(metadata={"description": "The day whose tariffs price it"})
    valid_until = fields.AwareDateTime(
        metadata={"description": "The station's cut-off, or the end of a tariff used if sooner"}
    )
