"""Charges as the API shows them: a quote's, a booking's and a statement's lines in one
currency with their total, every amount a decimal string (``services.pricing``)."""

from marshmallow import Schema, fields

MONEY = {"description": 'A decimal string of two places: "1234.50"', "example": "1234.50"}


class ChargeLineSchema(Schema):
    code = fields.String(
        metadata={"description": "FREIGHT, DG_SURCHARGE, REEFER_SURCHARGE or "
                  "OVERWEIGHT_SURCHARGE"}
    )  # fmt: skip
    description = fields.String(metadata={"description": "Chinese, then English"})
    size_group = fields.String(metadata={"description": "20, 40, 45, REEFER or TANK"})
    leg_seq = fields.Integer(
        allow_none=True, metadata={"description": "The leg it prices; null: a through rate"}
    )
    quantity = fields.Integer()
    unit_amount = fields.String(metadata=MONEY)
    amount = fields.String(metadata=MONEY)
    tariff_id = fields.Integer()


class ChargesSchema(Schema):
    currency = fields.String(metadata={"description": "ISO 4217"})
    lines = fields.List(fields.Nested(ChargeLineSchema))
    total = fields.String(metadata=MONEY)
