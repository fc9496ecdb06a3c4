"""Input of the administrator's pages."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from dryport.models import DocumentType, PlaceKind, Role, TransportMode
from dryport.schemas.bookings import DG_CLASSES
from dryport.schemas.numbers import WholeNumber

LOCODE = validate.Regexp(
    r"^[A-Z]{2}[A-Z2-9]{3}$", error=_l("A UN/LOCODE is 5 characters, e.g. CNNGB.")
)
#: A place's code: its UN/LOCODE, or where it has none the project's own code, country and
#: name joined by a hyphen (``KZ-DOS``), which no UN/LOCODE can equal.
PLACE_CODE = validate.Regexp(
    r"^(?:[A-Z]{2}[A-Z2-9]{3}|[A-Z]{2}-[A-Z0-9]{3,5})$",
    error=_l(
        "The UN/LOCODE, 5 characters (e.g. CNQZH); for a place without one, the country and"
        " 3 to 5 letters joined by a hyphen (e.g. KZ-DOS)."
    ),
)
ROUTE_CODE = validate.Regexp(
    r"^[A-Z][A-Z0-9]{1,7}$", error=_l("2 to 8 capital letters or digits, e.g. WLSC.")
)
STATION_CODE = validate.Regexp(r"^[A-Z]{2,8}$", error=_l("2 to 8 capital letters, e.g. HB."))
CROSSING_CODE = validate.Regexp(
    r"^[A-Z0-9]{2,7}-[A-Z0-9]{2,8}$",
    error=_l("Exit and entry station joined by a hyphen, e.g. AKA-DOS."),
)


def _name(max_length: int, required: bool = True) -> fields.String:
    length = validate.Length(
        min=1, max=max_length, error=_l("1 to %(n)d characters.", n=max_length)
    )
    if required:
        return fields.String(required=True, validate=length)
    return fields.String(load_default=None, validate=length)


class _Stripped(Schema):
    @pre_load
    def strip(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {
            k: v.strip() if isinstance(v, str) and k != "password" else v for k, v in data.items()
        }


class _Upper(_Stripped):
    """Codes are kept in capitals, however typed."""

    CODES: tuple[str, ...] = ()

    @pre_load
    def upper(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {
            k: v.upper() if k in self.CODES and isinstance(v, str) else v for k, v in data.items()
        }


def _codes(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=16)),
        validate=validate.Length(max=50, error=_l("At most 50.")),
        metadata={"description": description},
    )


class StationCreateSchema(_Upper):
    CODES = ("code",)
    code = fields.String(required=True, validate=STATION_CODE)
    name_zh = _name(64)
    name_en = _name(64)
    feeder_hours = WholeNumber(
        required=True, validate=validate.Range(min=0, max=72, error=_l("From 0 to 72 hours."))
    )
    feeder_km = WholeNumber(
        load_default=None,
        validate=validate.Range(min=0, max=1_000, error=_l("From 0 to 1,000 km.")),
        metadata={"description": "Road kilometres to the hub, for the CO2e of the feeder"},
    )
    active = fields.Boolean(load_default=True)


class StationEditSchema(_Stripped):
    version = WholeNumber(load_default=None)
    name_zh = _name(64)
    name_en = _name(64)
    feeder_hours = WholeNumber(
        required=True, validate=validate.Range(min=0, max=72, error=_l("From 0 to 72 hours."))
    )
    feeder_km = WholeNumber(
        load_default=None,
        validate=validate.Range(min=0, max=1_000, error=_l("From 0 to 1,000 km.")),
        metadata={"description": "Road kilometres to the hub, for the CO2e of the feeder"},
    )
    active = fields.Boolean(load_default=False)


class PlaceCreateSchema(_Upper):
    CODES = ("code", "railway_code")
    code = fields.String(required=True, validate=PLACE_CODE)
    name_zh = _name(64)
    name_en = _name(96)
    kind = fields.Enum(PlaceKind, required=True)
    railway_code = _name(16, required=False)
    active = fields.Boolean(load_default=True)


class PlaceEditSchema(_Upper):
    CODES = ("railway_code",)
    version = WholeNumber(load_default=None)
    name_zh = _name(64)
    name_en = _name(96)
    kind = fields.Enum(PlaceKind, required=True)
    railway_code = _name(16, required=False)
    active = fields.Boolean(load_default=False)


class CrossingEditSchema(_Upper):
    CODES = ("exit_place", "entry_place")
    version = WholeNumber(load_default=None)
    exit_place = fields.String(required=True, metadata={"description": "Place code (BORDER)"})
    entry_place = fields.String(required=True, metadata={"description": "Place code (BORDER)"})
    gauge_change = fields.Boolean(load_default=False)


class CrossingCreateSchema(CrossingEditSchema):
    CODES = ("code", "exit_place", "entry_place")
    code = fields.String(required=True, validate=CROSSING_CODE)


class CarrierEditSchema(_Upper):
    """The carrier of one section of a leg; for a rail section, its payer code."""

    name_zh = _name(64)
    name_en = _name(96)
    section_zh = _name(128, required=False)
    section_en = _name(160, required=False)
    payer_code = _name(32, required=False)


class DestinationLegSchema(_Upper):
    """The route's last leg to one of its destinations, where it differs from the leg's own
    figures (the Europe train's stop short of Duisburg, the sea leg to each port)."""

    CODES = ("place",)
    place = fields.String(required=True, validate=validate.Length(min=1, max=16))
    distance_km = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=40_000, error=_l("From 1 to 40,000 km.")),
    )
    transit_hours = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=2_160, error=_l("From 1 to 2,160 hours.")),
    )


class RouteEditSchema(_Stripped):
    version = WholeNumber(load_default=None)
    name_zh = _name(64)
    name_en = _name(96)
    document_type = fields.Enum(DocumentType, required=True)
    active = fields.Boolean(load_default=False)
    destinations = _codes("Codes of the places its bookings may go to (replaces the list)")
    border_crossings = _codes("Codes of the border crossings its departures may take")
    destination_legs = fields.List(
        fields.Nested(DestinationLegSchema),
        validate=validate.Length(max=50, error=_l("At most 50.")),
        metadata={"description": "The last leg's kilometres and hours to each destination where"
                  " they differ from the leg's own (replaces the list; a destination left out"
                  " takes the leg's)"},
    )  # fmt: skip
    refused_dg_classes = fields.List(
        fields.String(
            validate=validate.OneOf(
                DG_CLASSES, error=_l("An IMDG class or division: %(classes)s.",
                                     classes=", ".join(DG_CLASSES))
            )
        ),
        validate=validate.Length(max=len(DG_CLASSES)),
        metadata={"description": "IMDG classes and divisions it does not carry"},
    )  # fmt: skip


class LegEditSchema(_Stripped):
    version = WholeNumber(load_default=None)
    mode = fields.Enum(TransportMode, required=True)
    origin_zh = _name(64)
    origin_en = _name(96)
    origin_locode = fields.String(load_default=None, validate=LOCODE)
    destination_zh = _name(64)
    destination_en = _name(96)
    destination_locode = fields.String(load_default=None, validate=LOCODE)
    via_zh = _name(128, required=False)
    via_en = _name(160, required=False)
    transit_hours = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=2_160, error=_l("From 1 to 2,160 hours.")),
        metadata={
            "description": "Planned hours from origin to destination: the default of each"
            " departure's leg plan (null: not known)"
        },
    )
    distance_km = WholeNumber(  # left out: unchanged (a client that never sends it keeps it)
        allow_none=True,
        validate=validate.Range(min=1, max=40_000, error=_l("From 1 to 40,000 km.")),
        metadata={"description": "Kilometres from origin to destination, for the CO2e of a"
                  " shipment (null: not known)"},
    )  # fmt: skip
    carriers = fields.List(
        fields.Nested(CarrierEditSchema),
        validate=validate.Length(max=12, error=_l("At most 12.")),
        metadata={"description": "Its carriers, section by section (replaces the list)"},
    )

    @validates_schema
    def payer_codes_on_rail(self, data, **kwargs):
        """A payer code is the railways' (SMGS box 23): a road, barge or ocean carrier has
        none."""
        if data.get("mode") in (None, TransportMode.RAIL):
            return
        errors = {
            str(n): {"payer_code": [str(_l("Only a rail section has a payer code."))]}
            for n, carrier in enumerate(data.get("carriers") or [])
            if carrier.get("payer_code")
        }
        if errors:
            raise ValidationError({"carriers": errors})

    @pre_load
    def upper_locodes(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        names = ("origin_locode", "destination_locode")
        return {k: v.upper() if k in names and isinstance(v, str) else v for k, v in data.items()}


class RouteLegSchema(LegEditSchema):
    """A leg as part of a whole route (its version is the route's)."""

    class Meta:
        exclude = ("version",)


class RouteCreateSchema(RouteEditSchema):
    """A new route, whole: at least one leg."""

    class Meta:
        exclude = ("version",)

    code = fields.String(required=True, validate=ROUTE_CODE)
    active = fields.Boolean(load_default=True)
    legs = fields.List(
        fields.Nested(RouteLegSchema),
        required=True,
        validate=validate.Length(min=1, max=12, error=_l("1 to 12 legs.")),
    )

    @pre_load
    def upper_code(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            return {**data, "code": data["code"].upper()}
        return data


class RouteUpdateSchema(RouteEditSchema):
    """``PATCH /routes/{code}``: what is given changes; legs match by position."""

    legs = fields.List(
        fields.Nested(RouteLegSchema),
        validate=validate.Length(min=1, max=12, error=_l("1 to 12 legs.")),
    )


class UserCreateSchema(_Stripped):
    email = fields.Email(
        required=True, validate=validate.Length(max=254, error=_l("At most 254 characters."))
    )
    name = _name(64)
    role = fields.Enum(Role, required=True)
    password = fields.String(required=True)
    station = fields.String(load_default=None)
    company_name = fields.String(
        load_default=None, validate=validate.Length(max=128, error=_l("At most 128 characters."))
    )
    credit_code = fields.String(load_default=None)


class UserEditSchema(_Stripped):
    version = WholeNumber(load_default=None)
    name = _name(64)
    role = fields.Enum(Role, required=True)
    station = fields.String(load_default=None)
    company_name = fields.String(
        load_default=None, validate=validate.Length(max=128, error=_l("At most 128 characters."))
    )
    credit_code = fields.String(load_default=None)
    active = fields.Boolean(load_default=False)


class PasswordResetSchema(Schema):
    password = fields.String(required=True)
