"""Booking input and output. The same load schemas validate the web form and the API body."""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_dump,
    pre_load,
    validate,
    validates,
    validates_schema,
)
from sqlalchemy.orm import object_session

from dryport.models import (
    BookingStatus,
    ContainerOwner,
    EventType,
    PaymentTerm,
    SealedBy,
    VgmMethod,
)
from dryport.schemas.charges import ChargesSchema
from dryport.schemas.numbers import Amount, WholeNumber
from dryport.schemas.paging import Cursor
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services import waitlist
from dryport.services.bookings import EVENT_SORTING, SORTING
from dryport.services.containers import SIZE_TYPES, reefer_setpoint_problem
from dryport.services.departures import station_cutoff
from dryport.services.shipment import (
    CURRENCIES,
    CUSTOMS_DECLARATION_NO,
    DG_CLASSES,
    HS_CODE,
    MAX_MARKS,
    MAX_PACKAGES,
    PACKAGE_KINDS,
    PACKING_GROUP_CLASSES,
    PACKING_GROUPS,
    UN_NUMBER,
    UN_NUMBER_RANGE,
    sea_leg,
)

_HS_SEPARATORS = re.compile(r"[.\s]")
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


class Stripped(Schema):
    """A schema whose text inputs lose their surrounding blanks before they are checked."""

    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class PartySchema(Stripped):
    name = _text(128)
    address = _text(255)


def _upper(schema_data, *names):
    """The named codes in capitals (a code typed in lower case is the same code)."""
    for name in names:
        if isinstance(schema_data.get(name), str):
            schema_data[name] = schema_data[name].upper()
    return schema_data


class PackagesSchema(Stripped):
    """How the cargo is packed: so many packages of one UN/ECE Recommendation 21 kind."""

    count = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(
            min=1, max=MAX_PACKAGES, error=_l("From 1 to %(max)s.", max=f"{MAX_PACKAGES:,}")
        ),
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            list(PACKAGE_KINDS),
            error=_l("Choose one of: %(codes)s.", codes=", ".join(PACKAGE_KINDS)),
        ),
        metadata={"description": "UN/ECE Recommendation 21 code, e.g. CT (carton)"},
    )
    marks = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_MARKS, error=_l("At most %(n)d characters.", n=MAX_MARKS)),
    )

    @pre_load
    def upper(self, data, **kwargs):
        return _upper(data, "kind") if isinstance(data, dict) else data


class DangerousGoodsSchema(Stripped):
    """A dangerous-goods declaration (IMDG 5.4.1.4)."""

    un_number = fields.String(required=True, metadata={"example": "UN1564"})
    class_ = fields.String(
        required=True,
        data_key="class",
        validate=validate.OneOf(
            DG_CLASSES,
            error=_l("An IMDG class from 1 to 9, with its division where it has one (e.g. 2.1)."),
        ),
    )
    packing_group = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(PACKING_GROUPS, error=_l("I, II or III.")),
        metadata={"description": "Required for classes 3, 4.1-4.3, 5.1, 6.1, 8 and 9; "
                  "none for the others"},
    )  # fmt: skip
    proper_shipping_name = _text(255)
    emergency_contact = _text(128)

    @pre_load
    def upper(self, data, **kwargs):
        return _upper(data, "packing_group") if isinstance(data, dict) else data

    @validates("un_number")
    def check_un_number(self, value, **kwargs):
        match = UN_NUMBER.match(value)
        low, high = UN_NUMBER_RANGE
        if not match or not low <= int(match.group(1)) <= high:
            raise ValidationError(
                str(_l("A UN number is UN and 4 digits from 0004 to 3550, e.g. UN1263."))
            )

    @validates_schema
    def check_packing_group(self, data, **kwargs):
        dg_class, group = data.get("class_"), data.get("packing_group")
        if dg_class is None:
            return
        if dg_class in PACKING_GROUP_CLASSES and group is None:
            raise ValidationError(
                str(
                    _l("Class %(dg_class)s needs a packing group: I, II or III.", dg_class=dg_class)
                ),
                field_name="packing_group",
            )
        if dg_class not in PACKING_GROUP_CLASSES and group is not None:
            raise ValidationError(
                str(_l("Class %(dg_class)s has no packing group.", dg_class=dg_class)),
                field_name="packing_group",
            )

    @post_load
    def normalise(self, data, **kwargs):
        data["un_number"] = "UN" + UN_NUMBER.match(data["un_number"]).group(1)
        return data


def cargo_mass(description: str, **kwargs) -> Amount:
    """A mass of cargo in kg, one decimal place, more than 0 and at most
    ``MAX_GROSS_WEIGHT_KG``."""
    return Amount(
        places=1,
        validate=validate.Range(
            min=0,
            max=MAX_GROSS_WEIGHT_KG,
            min_inclusive=False,
            error=_l("More than 0 and at most %(max)s kg.", max=f"{MAX_GROSS_WEIGHT_KG:,}"),
        ),
        # apispec writes a Decimal field's bounds as strings; the document needs numbers.
        metadata={"minimum": 0, "exclusiveMinimum": True, "maximum": MAX_GROSS_WEIGHT_KG,
                  "description": description},
        **kwargs,
    )  # fmt: skip


class CargoSchema(Stripped):
    description = _text(255)
    hs_code = fields.String(
        required=True,
        metadata={"description": "6, 8 or 10 digits (dots and spaces are left out)",
                  "example": "090220"},
    )  # fmt: skip
    packages = fields.Nested(PackagesSchema, required=True)
    gross_weight_kg = cargo_mass(
        "At most what the booked containers can carry: the sum of quantity × (maximum gross"
        " − typical tare) of their size-types",
        required=True,
    )
    net_weight_kg = cargo_mass(
        "Optional; not above the gross weight", load_default=None, allow_none=True
    )
    has_dangerous_goods = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "The shipper's answer; when left out, whether "
                  "dangerous_goods is given. False is recorded as a declared no."},
    )  # fmt: skip
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
        if not HS_CODE.match(_HS_SEPARATORS.sub("", value)):
            raise ValidationError(str(_l("An HS code has 6, 8 or 10 digits.")))

    @validates_schema
    def check_weights_and_answer(self, data, **kwargs):
        net, gross = data.get("net_weight_kg"), data.get("gross_weight_kg")
        if net is not None and gross is not None and net > gross:
            raise ValidationError(
                str(_l("The net weight cannot be more than the gross weight.")),
                field_name="net_weight_kg",
            )
        answer, dangerous = data.get("has_dangerous_goods"), data.get("dangerous_goods")
        if answer is True and dangerous is None:
            raise ValidationError(
                str(_l("Declare the dangerous goods, or answer no.")),
                field_name="dangerous_goods",
            )
        if answer is False and dangerous is not None:
            raise ValidationError(
                str(_l("You answered no but gave dangerous-goods details: say yes or clear them.")),
                field_name="has_dangerous_goods",
            )

    @post_load
    def normalise(self, data, **kwargs):
        data["hs_code"] = _HS_SEPARATORS.sub("", data["hs_code"])
        data["has_dangerous_goods"] = data.get("dangerous_goods") is not None
        return data


def _money(**kwargs) -> Amount:
    """A non-negative amount with two decimal places, as a decimal string."""
    return Amount(
        required=True,
        places=2,
        validate=validate.Range(
            min=0, max=10**11, error=_l("From 0 to %(max)s.", max=f"{10**11:,}")
        ),
        **kwargs,
    )


class _Priced(Stripped):
    """An amount's ISO 4217 currency, upper-cased as read."""

    currency = fields.String(
        required=True,
        validate=validate.OneOf(CURRENCIES, error=_l("An ISO 4217 currency code, e.g. CNY.")),
    )

    @pre_load
    def upper(self, data, **kwargs):
        return _upper(data, "currency") if isinstance(data, dict) else data


class CustomsSchema(_Priced):
    """The export customs declaration: number (报关单号), invoice value and currency."""

    declaration_no = fields.String(
        required=True, metadata={"description": "18 digits", "example": "223320261000123456"}
    )
    invoice_value = _money(metadata={"minimum": 0, "maximum": 10**11})

    @validates("declaration_no")
    def check_declaration_no(self, value, **kwargs):
        if not CUSTOMS_DECLARATION_NO.match(value):
            raise ValidationError(str(_l("A customs declaration number has 18 digits.")))


def _optional_text(max_length: int, **kwargs) -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Length(
            min=1, max=max_length, error=_l("1 to %(n)d characters.", n=max_length)
        ),
        **kwargs,
    )


class SeaLegSchema(Stripped):
    """The sea continuation the shipper booked with an ocean carrier (EAST from Ningbo, WHSEA
    from Shanghai): any of its parts, at least one."""

    ocean_booking_no = _optional_text(
        35, metadata={"description": "The ocean carrier's booking number"}
    )
    vessel = _optional_text(64)
    voyage = _optional_text(20)
    port_of_discharge = _optional_text(
        8,
        metadata={
            "description": "A place code of kind PORT (GET /places?kind=PORT); on WHSEA it"
            " defaults to the destination",
            "example": "NLRTM",
        },
    )

    @pre_load
    def upper(self, data, **kwargs):
        return _upper(data, "port_of_discharge") if isinstance(data, dict) else data

    @validates_schema
    def at_least_one(self, data, **kwargs):
        if not any(data.values()):
            raise ValidationError(
                str(_l("Give the ocean booking number, vessel, voyage or port of discharge."))
            )


class DeclaredValueSchema(_Priced):
    """The value declared for the carrier's liability (CIM art. 34; SMGS)."""

    amount = _money(metadata={"minimum": 0, "maximum": 10**11, "description": "A decimal string"})


def _negotiable(**kwargs) -> fields.Boolean:
    return fields.Boolean(
        metadata={"description": "A negotiable document (consignee may be 'TO ORDER'): only "
                  "on a route whose document is MULTIMODAL"},
        **kwargs,
    )  # fmt: skip


def _payment_term(**kwargs) -> fields.Enum:
    return fields.Enum(
        PaymentTerm,
        metadata={"description": "Who pays the carriage charges: PRE (prepaid by the "
                  "consignor, the default) or COL (collect from the consignee)"},
        **kwargs,
    )  # fmt: skip


class ContainerLineSchema(Stripped):
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


def _destination(required: bool) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=8, error=_l("1 to %(n)d characters.", n=8)),
        metadata={"description": "A place code from the route's destinations (GET /routes)",
                  "example": "DEDUI"},
    )  # fmt: skip


class BookingCreateSchema(Schema):
    """Body of ``POST /api/v1/bookings`` and of the booking form."""

    departure_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    origin_station = fields.String(required=True)
    destination = _destination(required=True)
    consignee = fields.Nested(PartySchema, required=True)
    notify_party = fields.Nested(PartySchema, load_default=None, allow_none=True)
    cargo = fields.Nested(CargoSchema, required=True)
    containers = _lines(required=True)
    customs = fields.Nested(CustomsSchema, load_default=None, allow_none=True)
    negotiable = _negotiable(load_default=False)
    payment_term = _payment_term(load_default=PaymentTerm.PRE)
    sea_leg = fields.Nested(SeaLegSchema, load_default=None, allow_none=True)
    declared_value = fields.Nested(DeclaredValueSchema, load_default=None, allow_none=True)
    waitlist = fields.Boolean(
        load_default=False,
        metadata={
            "description": "When the departure has no room for it: true places the booking on"
            " its waitlist (201, status WAITLISTED, holding nothing) instead of refusing it"
            " (409); it is promoted to RECEIVED, oldest first, when room frees, and EXPIRED at"
            " its station's cut-off"
        },
    )

    @pre_load
    def upper(self, data, **kwargs):
        return _upper(data, "destination") if isinstance(data, dict) else data

    @validates_schema
    def check_lines(self, data, **kwargs):
        if "containers" in data:
            _check_lines(data["containers"], data.get("cargo"))


class BookingAmendSchema(Schema):
    """Body of ``PATCH /api/v1/bookings/{reference}``: what may change before cut-off, with
    the version read (here, or as the ``If-Match`` header)."""

    version = fields.Integer(load_default=None, strict=True)
    destination = _destination(required=False)
    consignee = fields.Nested(PartySchema)
    notify_party = fields.Nested(PartySchema, allow_none=True)
    cargo = fields.Nested(CargoSchema)
    containers = _lines(required=False)
    customs = fields.Nested(
        CustomsSchema,
        allow_none=True,
        metadata={"description": "Alone (with the version), it may be changed until the "
                  "departure leaves, by the shipper or an operator"},
    )  # fmt: skip
    negotiable = _negotiable()
    payment_term = _payment_term()
    sea_leg = fields.Nested(
        SeaLegSchema,
        allow_none=True,
        metadata={"description": "Alone or with customs (and the version), it may be changed "
                  "until the departure leaves, by the shipper or an operator"},
    )  # fmt: skip
    declared_value = fields.Nested(DeclaredValueSchema, allow_none=True)

    check_lines = BookingCreateSchema.check_lines
    upper = BookingCreateSchema.upper


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
    cursor = Cursor()


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
    sealed_by = fields.Enum(
        SealedBy, metadata={"description": "Who sealed it: SHIPPER, CARRIER or CUSTOMS"}
    )
    wagon_no = fields.String(
        allow_none=True, metadata={"description": "The railway's wagon, once it is known"}
    )
    railway_waybill_no = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "The railway's waybill number (货票号), from its loading list; null"
            " until known"
        },
    )


class _Itself(fields.Nested):
    """A group of the booking's own columns, shown as a nested object; with ``when``, null
    unless ``when(booking)`` holds."""

    def __init__(self, nested, when=None, **kwargs):
        self.when = when
        super().__init__(nested, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj if self.when is None or self.when(obj) else None


def _float(value):
    return None if value is None else float(value)


class BookingPackagesSchema(Schema):
    count = fields.Integer(attribute="package_count")
    kind = fields.String(attribute="package_kind")
    marks = fields.String(attribute="package_marks", allow_none=True)


class BookingDangerousGoodsSchema(Schema):
    un_number = fields.String()
    class_ = fields.String(attribute="dg_class", data_key="class")
    packing_group = fields.String(attribute="dg_packing_group", allow_none=True)
    proper_shipping_name = fields.String(attribute="dg_proper_shipping_name", allow_none=True)
    emergency_contact = fields.String(attribute="dg_emergency_contact", allow_none=True)


class BookingCustomsSchema(Schema):
    declaration_no = fields.String(attribute="customs_declaration_no")
    invoice_value = fields.Decimal(attribute="customs_invoice_value", as_string=True, places=2)
    currency = fields.String(attribute="customs_currency")
    released_at = fields.AwareDateTime(
        attribute="customs_released_at",
        allow_none=True,
        metadata={"description": "When customs released it for export; null until then"},
    )


class BookingDeclaredValueSchema(Schema):
    amount = fields.Decimal(attribute="declared_value", as_string=True, places=2)
    currency = fields.String(attribute="declared_value_currency")


class BookingCargoSchema(Schema):
    description = fields.String(attribute="cargo_description")
    hs_code = fields.String()
    packages = _Itself(
        BookingPackagesSchema,
        when=lambda b: b.package_kind,
        allow_none=True,
        metadata={"description": "null on a booking made before packages were asked (not "
                  "stated)"},
    )  # fmt: skip
    gross_weight_kg = fields.Function(
        lambda b: _float(b.gross_weight_kg), metadata={"type": "number"}
    )
    net_weight_kg = fields.Function(
        lambda b: _float(b.net_weight_kg), metadata={"type": "number", "nullable": True}
    )
    has_dangerous_goods = fields.Boolean()
    dangerous_goods = _Itself(
        BookingDangerousGoodsSchema, when=lambda b: b.un_number, allow_none=True
    )
    reefer_temperature_c = fields.Function(
        lambda b: _float(b.reefer_temp_c), metadata={"type": "number", "nullable": True}
    )


#: Where a booking's place in its queue is kept between ``BookingSchema``'s reading it and
#: showing it: not a mapped attribute, and read again at every dump.
_POSITION = "_waitlist_position"


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
    destination = fields.String(
        allow_none=True,
        metadata={"description": "Place code; null only on a booking made before routes had "
                  "destinations, on a route with no end point"},
    )  # fmt: skip
    cargo = _Itself(BookingCargoSchema)
    customs = _Itself(
        BookingCustomsSchema,
        when=lambda b: b.customs_declaration_no or b.customs_released_at,
        allow_none=True,
        metadata={"description": "null until given"},
    )
    negotiable = fields.Boolean()
    payment_term = fields.Enum(PaymentTerm)
    charges = fields.Nested(
        ChargesSchema,
        allow_none=True,
        metadata={
            "description": "The carriage charges as priced from the tariffs of the day it was"
            " booked, amounts as decimal strings, held against later tariffs; an amendment of"
            " the container lines, dangerous goods or weight prices it anew at that day's"
            " tariffs; null when no tariff prices it (price on request)"
        },
    )
    sea_leg = fields.Function(
        sea_leg,
        metadata={
            "description": "{ocean_booking_no, vessel, voyage, port_of_discharge}; null when"
            " none is given and none defaults",
            "type": "object",
            "nullable": True,
        },
    )
    declared_value = _Itself(
        BookingDeclaredValueSchema,
        when=lambda b: b.declared_value is not None,
        allow_none=True,
        metadata={"description": "null when none is declared"},
    )
    containers = fields.Function(
        lambda b: [{"size_type": line.size_type, "quantity": line.quantity} for line in b.lines]
    )
    teu = fields.Float()
    waitlist_position = fields.Function(
        lambda b: b.__dict__.get(_POSITION),
        metadata={
            "description": "Its place in its departure's waitlist (1: promoted first when room"
            " frees); null unless WAITLISTED",
            "type": "integer",
            "nullable": True,
        },
    )
    equipment = fields.List(fields.Nested(EquipmentSchema), attribute="containers")
    waybill_no = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    @pre_dump(pass_collection=True)
    def _waitlist_positions(self, data, many, **kwargs):
        """The waiting bookings' places in their queues, read at each dump for all the
        bookings it shows (``waitlist.positions``: one query for a page, none when nothing
        waits) and kept on each booking for ``waitlist_position``."""
        bookings = data if many else [data]
        found = waitlist.positions(object_session(bookings[0]), bookings) if bookings else {}
        for booking in bookings:
            booking.__dict__[_POSITION] = found.get(booking.id)
        return data


#: A schema keeps nothing between calls: this one shows every booking the API writes itself
#: (the answer to placing one, a webhook's payload); building one costs more than a dump.
BOOKING_SCHEMA = BookingSchema()


class BookingEventSchema(Schema):
    at = fields.AwareDateTime()
    type = fields.Enum(EventType)
    actor = fields.Function(lambda e: e.actor.name if e.actor else None)
    details = fields.Dict()
