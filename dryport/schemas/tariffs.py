"""Tariffs in and out, for the API and the administrator's forms alike. Money is a decimal
string with two places (``"1234.50"``) out, and a decimal string or number with at most two
places in; never a float."""

from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from dryport.models import SIZE_GROUPS
from dryport.schemas.bookings import ID_RANGE, Stripped
from dryport.schemas.numbers import Amount, WholeNumber
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services import tariffs
from dryport.services.clock import YEARS
from dryport.services.pricing import CENT, money
from dryport.services.shipment import CURRENCIES

MAX_AMOUNT = 10**11
REQUIRED = _l("This field is required.")


class Day(fields.Date):
    """A day, ``YYYY-MM-DD`` in ASCII digits, within ``clock.YEARS``."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        if isinstance(value, str) and value.isascii() and len(value) == 10:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if day.year in YEARS:
                    return day
        raise ValidationError(str(_l("A date, YYYY-MM-DD.")))


#: How the document shows money: a decimal string (a JSON number is read too).
MONEY_IN = {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$", "example": "1234.50"}
MONEY_OUT = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "example": "1234.50"}


def _money(description: str, **kwargs) -> Amount:
    return Amount(
        validate=_cents,
        metadata={**MONEY_IN, "description": f"{description}; 0 to 10^11, at most 2 places"},
        **kwargs,
    )


def _cents(value) -> None:
    """From 0 to 10¹¹, at most two decimal places (a third is refused, not rounded)."""
    if not 0 <= value <= MAX_AMOUNT:
        raise ValidationError(str(_l("From 0 to %(max)s.", max=f"{MAX_AMOUNT:,}")))
    if value != value.quantize(CENT):
        raise ValidationError(str(_l("At most 2 decimal places.")))


def _code(choices, error, **kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(choices, error=error), **kwargs)


class _TariffInput(Stripped):
    route = fields.String(
        validate=validate.Length(min=1, max=8), metadata={"description": "Route code"}
    )
    leg_seq = WholeNumber(
        allow_none=True,
        validate=validate.Range(min=1, max=99, error=_l("A leg of the route, from 1.")),
        metadata={"description": "The route leg priced (its position); null: a through rate"},
    )
    size_group = _code(
        SIZE_GROUPS,
        _l("One of %(groups)s.", groups=", ".join(SIZE_GROUPS)),
        metadata={"description": "20, 40, 45 (dry boxes by length), REEFER or TANK"},
    )
    currency = _code(CURRENCIES, _l("An ISO 4217 currency code, e.g. CNY."))
    amount = _money("Freight per container")
    dg_surcharge = _money("Per container of dangerous goods (default 0)")
    reefer_surcharge = _money("Per reefer (default 0)")
    overweight_surcharge = _money("Per overweight container (default 0)")
    valid_from = Day(metadata={"description": "First day (Beijing), today at the earliest",
                               "example": "2027-01-01"})  # fmt: skip
    valid_to = Day(
        allow_none=True,
        metadata={"description": "Last day, included; null: open-ended", "example": "2027-12-31"},
    )
    note = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=255, error=_l("1 to %(n)d characters.", n=255)),
    )

    @pre_load
    def upper(self, data, **kwargs):
        if isinstance(data, dict):
            for name in ("route", "size_group", "currency"):
                if isinstance(data.get(name), str):
                    data = {**data, name: data[name].upper()}
        return data

    @validates_schema
    def check_validity(self, data, **kwargs):
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is not None and end is not None and end < start:
            raise ValidationError(str(_l("Not before the first day.")), field_name="valid_to")

    @post_load
    def cents(self, data, **kwargs):
        for name in tariffs.AMOUNTS:
            if data.get(name) is not None:
                data[name] = money(data[name])
        return data


class TariffCreateSchema(_TariffInput):
    """A new tariff, or with ``replaces`` a new price of a tariff from ``valid_from``."""

    replaces = WholeNumber(
        allow_none=True,
        validate=ID_RANGE,
        metadata={
            "description": "A tariff this one follows: it is closed the day before valid_from, "
            "in the same transaction; route, leg_seq and size_group are then its own, and "
            "prices or currency left out are its own too"
        },
    )

    @validates_schema
    def check_required(self, data, **kwargs):
        names = ["valid_from"]
        if data.get("replaces") is None:
            names += ["route", "size_group", "currency", "amount"]
        missing = {name: [str(REQUIRED)] for name in names if data.get(name) is None}
        if missing:
            raise ValidationError(missing)


class TariffEditSchema(_TariffInput):
    """A change: any field, with the version read. A tariff in force takes only a new
    ``valid_to`` (and ``note``)."""

    version = WholeNumber(
        allow_none=True,
        validate=ID_RANGE,
        metadata={"description": "The version read (or send If-Match)"},
    )


class TariffReviseSchema(_TariffInput):
    """The form of a new price from a day (``services.tariffs.revise_tariff``)."""

    version = WholeNumber(allow_none=True, validate=ID_RANGE)

    @validates_schema
    def check_required(self, data, **kwargs):
        missing = {n: [str(REQUIRED)] for n in ("valid_from", "amount") if data.get(n) is None}
        if missing:
            raise ValidationError(missing)


class TariffQuerySchema(Schema):
    route = fields.String(metadata={"description": "Route code: EAST, XAEU or WHSEA"})
    size_group = fields.String(
        validate=validate.OneOf(SIZE_GROUPS), metadata={"description": "20, 40, 45, REEFER, TANK"}
    )
    leg_seq = WholeNumber(
        validate=validate.Range(min=0, max=99),
        metadata={"description": "A leg's position; 0: through rates only"},
    )
    on = Day(metadata={"description": "Only the tariffs valid on this day (YYYY-MM-DD)"})
    q = Search("the route code or the note")
    sort = Sort(tariffs.SORTING)


class TariffSchema(Schema):
    id = fields.Integer()
    route = fields.Function(lambda t: t.route.code, metadata={"description": "Route code"})
    leg_seq = fields.Integer(
        allow_none=True, metadata={"description": "The leg priced; null: a through rate"}
    )
    size_group = fields.String()
    currency = fields.String()
    amount = fields.Decimal(as_string=True, places=2, metadata=MONEY_OUT)
    dg_surcharge = fields.Decimal(as_string=True, places=2, metadata=MONEY_OUT)
    reefer_surcharge = fields.Decimal(as_string=True, places=2, metadata=MONEY_OUT)
    overweight_surcharge = fields.Decimal(as_string=True, places=2, metadata=MONEY_OUT)
    valid_from = Day()
    valid_to = Day(allow_none=True, metadata={"description": "Last day, included; null: open"})
    note = fields.String(allow_none=True)
    version = fields.Integer(
        metadata={"description": "Send it back (or the ETag as If-Match) to change it"}
    )
    in_force = fields.Function(
        lambda t: tariffs.in_force(t), metadata={"description": "Valid today (Beijing)"}
    )
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
