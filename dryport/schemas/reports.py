from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate

from dryport.services.reports import parse_month


def month_format():
    return fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv", "pdf"), error=_l("json, csv or pdf.")),
    )


def to_first_day(data: dict) -> dict:
    if data.get("month") is not None:
        month = parse_month(data["month"])
        if month is None:
            raise ValidationError(str(_l("A month as YYYY-MM.")), field_name="month")
        data["month"] = month
    return data


class MonthlyReportQuerySchema(Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM (Beijing time)"})
    format = month_format()

    @post_load
    def to_month(self, data, **kwargs):
        return to_first_day(data)
