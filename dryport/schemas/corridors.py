"""The corridor comparison: what a shipper asks (the same schema reads the page's form) and
what each route answers."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from dryport.schemas.bookings import MAX_UNITS_PER_LINE, cargo_mass
from dryport.schemas.numbers import WholeNumber
from dryport.services.clock import YEARS
from dryport.services.containers import SIZE_TYPES
from dryport.services.corridors import RANKINGS, WINDOW_DAYS
from dryport.services.pricing import money_text


class Day(fields.Date):
    """A day as YYYY-MM-DD, within ``clock.YEARS``."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if day.year not in YEARS:
            raise ValidationError(str(_l("Enter a date as YYYY-MM-DD.")))
        return day


class CorridorQuerySchema(Schema):
    origin_station = fields.String(
        required=True, metadata={"description": "Code of the station the containers leave from"}
    )
    size_type = fields.String(
        required=True,
        validate=validate.OneOf(
            tuple(SIZE_TYPES), error=_l("Choose one of: %(codes)s.", codes=", ".join(SIZE_TYPES))
        ),
        metadata={"description": "ISO 6346 size-type"},
    )
    quantity = WholeNumber(
        required=True,
        validate=validate.Range(
            min=1, max=MAX_UNITS_PER_LINE, error=_l("From 1 to %(max)d.", max=MAX_UNITS_PER_LINE)
        ),
    )
    from_ = Day(
        data_key="from",
        load_default=None,
        metadata={"description": "The earliest day of departure, Beijing time (default: today)"},
    )
    destination = fields.String(
        load_default=None,
        metadata={"description": "UN/LOCODE of the destination or port of discharge (optional)"},
    )
    gross_weight_kg = cargo_mass(
        "Cargo mass (default: 10 t per TEU, for the CO2e)", load_default=None
    )
    sort = fields.String(
        load_default="time",
        validate=validate.OneOf(
            RANKINGS, error=_l("Choose one of: %(codes)s.", codes=", ".join(RANKINGS))
        ),
        metadata={"description": "Rank by time, price or co2e"},
    )

    @pre_load
    def strip(self, data, **kwargs):
        return {
            key: value.strip().upper() if key in _CODES and isinstance(value, str) else value
            for key, value in data.items()
        }


_CODES = {"origin_station", "size_type", "destination"}


def _money(corridor):
    if corridor.quote is None:
        return None
    return {"currency": corridor.quote.currency, "amount": money_text(corridor.quote.total)}


def _number(value):
    return None if value is None else float(value)


class CorridorSchema(Schema):
    route = fields.Function(lambda c: c.route.code, metadata={"description": "Route code"})
    route_name_zh = fields.Function(lambda c: c.route.name_zh)
    route_name_en = fields.Function(lambda c: c.route.name_en)
    destination = fields.String(allow_none=True)
    departure_id = fields.Function(
        lambda c: c.departure.id if c.departure else None,
        allow_none=True,
        metadata={"type": "integer", "description": (
            f"The first departure that takes the shipment; null: none in the next {WINDOW_DAYS}"
            " days, or the route does not go to the destination (see reason)"
        )},
    )  # fmt: skip
    service_no = fields.Function(
        lambda c: c.departure.service_no if c.departure else None, allow_none=True,
        metadata={"type": "string"},
    )  # fmt: skip
    departs_at = fields.Function(
        lambda c: c.departure.departs_at.isoformat() if c.departure else None,
        allow_none=True,
        metadata={"type": "string", "format": "date-time"},
    )
    station_cutoff = fields.AwareDateTime(
        allow_none=True, metadata={"description": "The last moment to book from the station"}
    )
    available_teu = fields.Function(
        lambda c: _number(c.available_teu), allow_none=True, metadata={"type": "number"}
    )
    arrives_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Planned arrival at the destination"}
    )
    transit_days = fields.Function(
        lambda c: _number(c.transit_days),
        allow_none=True,
        metadata={"type": "number", "description": (
            "Days from leaving the origin station to the destination, one decimal; null: a"
            " leg's time is not known"
        )},
    )  # fmt: skip
    total = fields.Function(
        _money,
        allow_none=True,
        metadata={"description": "The price at today's tariffs; null: no tariff prices it",
                  "type": "object", "properties": {
                      "currency": {"type": "string"}, "amount": {"type": "string"}}},
    )  # fmt: skip
    co2e_kg = fields.Function(
        lambda c: None if c.co2e_kg is None else float(round(c.co2e_kg, 1)),
        allow_none=True,
        metadata={"type": "number", "description": (
            "kg CO2e well-to-wheel of the legs travelled (GLEC Framework default intensities);"
            " null: a distance is not known"
        )},
    )  # fmt: skip
    cargo_tonnes = fields.Function(lambda c: float(c.cargo_tonnes), metadata={"type": "number"})
    cargo_tonnes_assumed = fields.Boolean(
        metadata={"description": "True: no mass given, 10 t per TEU assumed"}
    )
    reason = fields.Function(
        lambda c: None if c.reason is None else str(c.reason),
        allow_none=True,
        metadata={"type": "string", "description": "Why departure_id is null"},
    )
