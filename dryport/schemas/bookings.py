"""Booking input and output. The same load schemas validate the web form and the API body."""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from dryport.models import BookingStatus, ContainerOwner, EventType, VgmMethod
from dryport.schemas.numbers import Amount, WholeNumber
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services.bookings import EVENT_SORTING, SORTING
from dryport.services.containers import SIZE_TYPES, reefer_setpoint_problem
from dryport.services.departures import station_cutoff

HS_CODE = re.compile(r"^[0-9]{6,10}$")
UN_NUMBER = re.compile(r"^(?:UN)?\s*([0-9]{4})$", re.IGNORECASE)
# IMDG classes and divisions.
DG_CLASSES = (
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "4.3",
    "5.1", "5.2", "6.1", "6.2", "7", "8", "9",
)  # fmt: skip
MAX_GROSS_WEIGHT_KG = 1_000_000
MAX_UNITS_PER_LINE = 100
ID_RANGE = validate.Range(min=1, max=2**31 - 1, error=_l("No such record."))


def _text(max_length: int) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=max_length, error=_l("1 to %(n)d characters.", n=max_length)
        ),
    )


class _Stripped(Schema):
    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class PartySchema(_Stripped):
    name = _text(128)
    address = _text(255)


class DangerousGoodsSchema(_Stripped):
    un_number = fields.String(required=True)
    class_ = fields.String(required=True, data_key="class")

    @validates("un_number")
    def check_un_number(self, value, **kwargs):
        if not UN_NUMBER.match(value):
            raise ValidationError(str(_l("A UN number is UN and 4 digits, e.g. UN1263.")))

    @validates("class_")
    def check_class(self, value, **kwargs):
        if value not in DG_CLASSES:
            raise ValidationError(
                str(_l("An IMDG class from 1 to 9, with its division where it has one (e.g. 2.1)."))
            )

    @post_load
    def normalise(self, data, **kwargs):
        data["un_number"] = "UN" + UN_NUMBER.match(data["un_number"]).group(1)
        return data


class CargoSchema(_Stripped):
    description = _text(255)
    hs_code = fields.String(required=True)
    gross_weight_kg = Amount(
        required=True,
        places=1,
        validate=validate.Range(
            min=0,
            max=MAX_GROSS_WEIGHT_KG,
            min_inclusive=False,
            error=_l("More than 0 and at most %(max)s kg.", max=f"{MAX_GROSS_WEIGHT_KG:,}"),
        ),
        # apispec writes a Decimal field's bounds as strings; the document needs numbers.
        metadata={"minimum": 0, "exclusiveMinimum": True, "maximum": MAX_GROSS_WEIGHT_KG},
    )
    dangerous_goods = fields.Nested(DangerousGoodsSchema, load_default=None, allow_none=True)
    reefer_temperature_c = Amount(
        load_default=None,
        allow_none=True,
        places=1,
        validate=validate.Range(min=-35, max=30, error=_l("From -35 to 30 °C.")),
        metadata={"minimum": -35, "maximum": 30},
    )

    @validates("hs_code")
    def check_hs_code(self, value, **kwargs):
        if not HS_CODE.match(value):
            raise ValidationError(str(_l("An HS code has 6 to 10 digits.")))


class ContainerLineSchema(_Stripped):
    size_type = fields.String(required=True)
    quantity = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(
            min=1, max=MAX_UNITS_PER_LINE, error=_l("From 1 to %(max)d.", max=MAX_UNITS_PER_LINE)
        ),
    )

    @validates("size_type")
    def check_size_type(self, value, **kwargs):
        if value.upper() not in SIZE_TYPES:
            raise ValidationError(str(_l("Choose one of: %(codes)s.", codes=", ".join(SIZE_TYPES))))

    @post_load
    def normalise(self, data, **kwargs):
        data["size_type"] = data["size_type"].upper()
        return data


def _lines(required: bool) -> fields.List:
    """The requested container lines: one per size-type, at least one."""
    return fields.List(
        fields.Nested(ContainerLineSchema),
        required=required,
        validate=validate.Length(min=1, max=len(SIZE_TYPES), error=_l("One line or more.")),
    )


def _check_lines(lines, cargo) -> None:
    codes = [line["size_type"] for line in lines]
    if len(set(codes)) != len(codes):
        raise ValidationError(
            str(_l("Each size-type once; add to its quantity instead.")), field_name="containers"
        )
    if cargo is None:
        return  # an amendment of the lines alone: the service checks against the cargo held
    problem = reefer_setpoint_problem(codes, cargo.get("reefer_temperature_c"))
    if problem:
        raise ValidationError({"cargo": {"reefer_temperature_c": [str(problem)]}})


class BookingCreateSchema(Schema):
    """Body of ``POST /api/v1/bookings`` and of the booking form."""

    departure_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    origin_station = fields.String(required=True)
    consignee = fields.Nested(PartySchema, required=True)
    notify_party = fields.Nested(PartySchema, load_default=None, allow_none=True)
    cargo = fields.Nested(CargoSchema, required=True)
    containers = _lines(required=True)

    @validates_schema
    def check_lines(self, data, **kwargs):
        if "containers" in data:
            _check_lines(data["containers"], data.get("cargo"))


class BookingAmendSchema(Schema):
    """Body of ``PATCH /api/v1/bookings/{reference}``: what may change before cut-off, with
    the version read (here, or as the ``If-Match`` header)."""

    version = fields.Integer(load_default=None, strict=True)
    consignee = fields.Nested(PartySchema)
    notify_party = fields.Nested(PartySchema, allow_none=True)
    cargo = fields.Nested(CargoSchema)
    containers = _lines(required=False)

    check_lines = BookingCreateSchema.check_lines


class VersionSchema(Schema):
    """Body of an action: the version the client last read, to refuse a stale action."""

    version = fields.Integer(load_default=None, strict=True)


class BookingQuerySchema(Schema):
    status = fields.Enum(BookingStatus)
    route = fields.String()
    q = Search(
        "the reference, consignee name, company name, a container number or a waybill number"
    )
    departure_id = WholeNumber(validate=ID_RANGE)
    sort = Sort(SORTING)


class EventQuerySchema(Schema):
    sort = Sort(EVENT_SORTING)


# ---- output -------------------------------------------------------------------------------


class _PartyOut(Schema):
    name = fields.String()
    address = fields.String()


class EquipmentSchema(Schema):
    number = fields.String()
    size_type = fields.String()
    seal = fields.String(attribute="seal_no")
    tare_kg = fields.Integer()
    vgm_kg = fields.Integer()
    vgm_method = fields.Enum(VgmMethod)
    cargo_kg = fields.Integer(allow_none=True)
    packing_kg = fields.Integer(
        allow_none=True, metadata={"description": "Method 2: packing and securing material"}
    )
    owner = fields.Enum(
        ContainerOwner, metadata={"description": "SOC (shipper-owned) or COC (carrier-owned)"}
    )
    vgm_certified_by = fields.String(
        allow_none=True,
        metadata={
            "description": "The person who signed the VGM for the shipper; null: not recorded"
            " (confirmed before it was asked)"
        },
    )
    weighed_at = fields.AwareDateTime(allow_none=True)


class BookingSchema(Schema):
    reference = fields.String()
    status = fields.Enum(BookingStatus)
    version = fields.Integer()
    departure_id = fields.Integer()
    origin_station = fields.Function(lambda b: b.origin_station.code)
    cutoff_at = fields.Function(
        lambda b: station_cutoff(b.departure, b.origin_station).isoformat(),
        metadata={"description": "Cut-off for the booking's origin station", "format": "date-time"},
    )
    consignee = fields.Function(
        lambda b: {"name": b.consignee_name, "address": b.consignee_address}
    )
    notify_party = fields.Function(
        lambda b: {"name": b.notify_name, "address": b.notify_address} if b.notify_name else None
    )
    cargo = fields.Function(
        lambda b: {
            "description": b.cargo_description,
            "hs_code": b.hs_code,
            "gross_weight_kg": float(b.gross_weight_kg),
            "dangerous_goods": {"un_number": b.un_number, "class": b.dg_class}
            if b.un_number
            else None,
            "reefer_temperature_c": float(b.reefer_temp_c) if b.reefer_temp_c is not None else None,
        }
    )
    containers = fields.Function(
        lambda b: [{"size_type": line.size_type, "quantity": line.quantity} for line in b.lines]
    )
    teu = fields.Float()
    equipment = fields.List(fields.Nested(EquipmentSchema), attribute="containers")
    waybill_no = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


#: A schema keeps nothing between calls: this one shows every booking the API writes itself
#: (the answer to placing one, a webhook's payload); building one costs more than a dump.
BOOKING_SCHEMA = BookingSchema()


class BookingEventSchema(Schema):
    at = fields.AwareDateTime()
    type = fields.Enum(EventType)
    actor = fields.Function(lambda e: e.actor.name if e.actor else None)
    details = fields.Dict()
