"""A monthly statement: the query it is asked with, and its JSON as the API documents it."""

from marshmallow import Schema, fields, validate

from dryport.schemas.charges import MONEY, ChargesSchema
from dryport.schemas.reports import MonthlyReportQuerySchema


class StatementQuerySchema(MonthlyReportQuerySchema):
    company = fields.String(
        validate=validate.Length(max=64),
        metadata={
            "description": "The company's unified social credit code: required for operators;"
            " a shipper's own or none"
        },
    )


class CompanySchema(Schema):
    name = fields.String()
    credit_code = fields.String(metadata={"description": "Unified social credit code"})


class StatementBookingSchema(Schema):
    reference = fields.String()
    route = fields.String()
    service_no = fields.String()
    departed_at = fields.DateTime()
    origin_station = fields.String()
    destination = fields.String(allow_none=True)
    containers = fields.String(metadata={"example": "2×22G1 1×42G1"})
    teu = fields.Float()
    payment_term = fields.String(validate=validate.OneOf(("PRE", "COL")))
    charges = fields.Nested(
        ChargesSchema,
        allow_none=True,
        metadata={"description": "null: not priced (price on request), not in the totals"},
    )


class CurrencyTotalSchema(Schema):
    currency = fields.String()
    amount = fields.String(metadata=MONEY)
    bookings = fields.Integer()


class StatementSchema(Schema):
    company = fields.Nested(CompanySchema)
    month = fields.String(metadata={"example": "2026-03"})
    bookings = fields.List(fields.Nested(StatementBookingSchema))
    totals = fields.List(fields.Nested(CurrencyTotalSchema))
    unpriced = fields.Integer(metadata={"description": "Bookings not priced, not in the totals"})
