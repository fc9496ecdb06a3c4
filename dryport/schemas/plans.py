"""The monthly rail plan: the query it is asked with, and its JSON as the API documents it."""

from marshmallow import Schema, fields, post_load

from dryport.schemas.reports import month_format, to_first_day


class MonthlyPlanQuerySchema(Schema):
    month = fields.String(
        load_default=None, metadata={"description": "YYYY-MM (Beijing time; default: next month)"}
    )
    format = month_format()

    @post_load
    def to_month(self, data, **kwargs):
        return to_first_day(data)


class PlanWeekSchema(Schema):
    week = fields.String(
        metadata={"description": "ISO week of its first day", "example": "2026-W14"}
    )
    first_day = fields.Date()
    last_day = fields.Date()
    days = fields.Integer(metadata={"description": "1 to 7: a week clipped to the month"})


class PlanFiguresSchema(Schema):
    departures = fields.Integer(metadata={"description": "Departures not cancelled"})
    teu_booked = fields.Float(metadata={"description": "TEU held by live bookings"})
    teu_expected = fields.Float(metadata={"description": "TEU the trend expects"})
    teu_planned = fields.Float(
        metadata={"description": "TEU to order: expected or booked, the larger"}
    )
    wagons = fields.Integer(
        allow_none=True, metadata={"description": "Flat wagons for TEU to order; null: no rail leg"}
    )


class PlanCellSchema(PlanFiguresSchema):
    week = fields.String(metadata={"example": "2026-W14"})


class RoutePlanSchema(Schema):
    route = fields.String(metadata={"example": "EAST"})
    name = fields.String(metadata={"description": "In the language asked for (Accept-Language)"})
    rail = fields.Boolean(metadata={"description": "Whether a leg of the route is by rail"})
    weeks = fields.List(fields.Nested(PlanCellSchema))
    totals = fields.Nested(PlanFiguresSchema)


class SpanSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class RailPlanSchema(Schema):
    month = fields.String(metadata={"example": "2026-04"})
    weeks = fields.List(fields.Nested(PlanWeekSchema))
    routes = fields.List(fields.Nested(RoutePlanSchema))
    week_totals = fields.List(fields.Nested(PlanCellSchema))
    totals = fields.Nested(PlanFiguresSchema)
    wagon_teu = fields.Integer(metadata={"description": "TEU a flat wagon carries (WAGON_TEU)"})
    history = fields.Nested(SpanSchema, metadata={"description": "The days the trend learned from"})
    basis = fields.String(metadata={"description": "How the figures are reached"})
