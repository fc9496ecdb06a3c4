"""Input of the clerk's and the operator's actions, shared by their pages and the API."""

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates

from dryport.models import ContainerOwner, SealedBy, VgmMethod
from dryport.schemas.bookings import ID_RANGE
from dryport.schemas.reference import DepartureSchema, Moment
from dryport.schemas.tariffs import Day
from dryport.services.schedules import MAX_CUTOFF_HOURS
from dryport.services.shipment import CUSTOMS_DECLARATION_NO


def _kg(low: int, high: int, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(
            min=low, max=high, error=_l("From %(min)s to %(max)s kg.", min=low, max=f"{high:,}")
        ),
        **kwargs,
    )


def _teu(**kwargs) -> fields.Integer:
    """A departure's capacity in TEU."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=10_000, error=_l("From 1 to 10,000 TEU.")),
        **kwargs,
    )


def _crossing(**kwargs) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=16, error=_l("1 to 16 characters.")),
        metadata={
            "description": "Code of the border crossing it takes, one of its route's "
            "(GET /routes); required before a route with crossings departs"
        },
        **kwargs,
    )


def _a_name(value: str) -> None:
    if not any(character.isalpha() for character in value):
        raise ValidationError(str(_l("A person's name.")))


class ConfirmContainerSchema(Schema):
    """One container of a load: as the clerk reads it off the box and the weighbridge."""

    number = fields.String(
        required=True, validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters."))
    )
    size_type = fields.String(required=True)
    seal = fields.String(
        required=True, validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters."))
    )
    tare_kg = _kg(1_000, 12_000, required=True)
    vgm_kg = _kg(1, 60_000, load_default=None)
    vgm_method = fields.Enum(VgmMethod, load_default=VgmMethod.METHOD_1)
    cargo_kg = _kg(0, 60_000, load_default=None)
    packing_kg = _kg(
        0,
        10_000,
        load_default=None,
        metadata={"description": "Method 2: packing and securing material, stored"},
    )
    max_gross_kg = _kg(10_000, 40_000, load_default=None)
    weighed_by = fields.String(
        load_default=None, validate=validate.Length(max=64, error=_l("At most 64 characters."))
    )
    owner = fields.Enum(
        ContainerOwner,
        load_default=ContainerOwner.COC,
        metadata={"description": "SOC (shipper-owned) or COC (carrier-owned, the default)"},
    )
    sealed_by = fields.Enum(
        SealedBy,
        load_default=SealedBy.SHIPPER,
        metadata={"description": "Who sealed it: SHIPPER (the default), CARRIER or CUSTOMS"},
    )
    vgm_certified_by = fields.String(
        required=True,
        validate=[
            validate.Length(min=2, max=64, error=_l("2 to 64 characters.")),
            _a_name,
        ],
        metadata={"description": "The person who signs the VGM for the shipper"},
    )
    weighed_at = Moment(
        load_default=None,
        metadata={"description": "When the container (method 1) or its contents were weighed"},
    )

    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data

    @post_load
    def normalise(self, data, **kwargs):
        data["size_type"] = data["size_type"].upper()
        return data


class ConfirmSchema(Schema):
    """Body of ``POST /api/v1/bookings/{reference}/confirm``."""

    containers = fields.List(
        fields.Nested(ConfirmContainerSchema),
        required=True,
        validate=validate.Length(min=1, max=500, error=_l("One row per container.")),
    )
    version = fields.Integer(load_default=None, strict=True)
    accept_weighed_mass = fields.Boolean(
        load_default=False,
        metadata={
            "description": "When Σ (VGM − tare) differs from the declared gross by more than"
            " the tolerance: make the weighed mass the booking's gross"
        },
    )


class DraftValue(fields.Field):
    """A value of a draft row as typed: text of at most 64 characters, a whole number, or
    null; with ``whole``, only a whole number (or its ASCII digits), as a mass input takes."""

    def __init__(self, *, whole: bool = False, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)
        self.whole = whole

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9:
            return value
        if isinstance(value, str) and self.whole and re.fullmatch(r"[0-9]{1,9}", value.strip()):
            return value.strip()
        if isinstance(value, str) and not self.whole and len(value.strip()) <= 64:
            return value.strip() or None
        if self.whole:
            raise ValidationError(str(_l("A whole number.")))
        raise ValidationError(str(_l("Text of at most 64 characters, or a whole number.")))


class LoadDraftRowSchema(Schema):
    """One container row of a draft, as typed so far: the inputs of a confirmation row,
    none required, none checked until the load is confirmed."""

    number = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9 ]{0,20}$",
            error=_l("Up to 20 Latin letters, digits and spaces, as a container number has."),
        ),
    )
    size_type = DraftValue()
    seal = DraftValue()
    owner = DraftValue()
    sealed_by = DraftValue()
    tare_kg = DraftValue(whole=True)
    vgm_kg = DraftValue(whole=True)
    vgm_method = DraftValue()
    cargo_kg = DraftValue(whole=True)
    packing_kg = DraftValue(whole=True)
    max_gross_kg = DraftValue(whole=True)
    vgm_certified_by = DraftValue()
    weighed_at = DraftValue()


class LoadDraftSchema(Schema):
    """Body of ``PUT /api/v1/bookings/{reference}/load-draft``."""

    rows = fields.List(
        fields.Nested(LoadDraftRowSchema),
        required=True,
        validate=validate.Length(max=500, error=_l("At most 500 rows.")),
        metadata={
            "description": "Row i is the booking's i-th container as the check page lists"
            " them; values as typed, checked only on confirmation"
        },
    )


class LoadDraftOutSchema(Schema):
    rows = fields.List(fields.Dict())
    saved_at = fields.AwareDateTime()
    saved_by = fields.Function(lambda d: d.saved_by.name if d.saved_by else None)


class RejectSchema(Schema):
    """Body of ``POST /api/v1/bookings/{reference}/reject``: the shipper reads the reason."""

    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=255, error=_l("3 to 255 characters.")),
    )
    version = fields.Integer(load_default=None, strict=True)


class RollSchema(Schema):
    """Body of ``POST /api/v1/bookings/{reference}/roll``."""

    departure_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    version = fields.Integer(load_default=None, strict=True)


class QuotaInSchema(Schema):
    """One station's quota on a departure."""

    station = fields.String(
        required=True, validate=validate.Length(min=1, max=16, error=_l("1 to 16 characters."))
    )
    teu = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=10_000, error=_l("From 1 to 10,000 TEU.")),
    )


def _quotas(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(QuotaInSchema),
        validate=validate.Length(max=50, error=_l("At most %(max)s quotas.")),
        metadata={
            "description": "Station quotas, replacing those it has ([] removes them): TEU kept"
            " for each station's bookings until QUOTA_RELEASE_HOURS before its cut-off; the"
            " rest is the open pool. Their sum may not pass the capacity"
        },
        **kwargs,
    )


class DepartureCreateSchema(Schema):
    """Body of ``POST /api/v1/departures``."""

    route = fields.String(required=True)
    service_no = fields.String(
        required=True, validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters."))
    )
    departs_at = Moment(required=True)
    cutoff_at = Moment(required=True)
    capacity_teu = _teu(required=True)
    capacity_kg = _kg(1_000, 10_000_000, load_default=None, allow_none=True)
    border_crossing = _crossing(load_default=None)
    quotas = _quotas()


class ClockTime(fields.Field):
    """A time of day, ``HH:MM`` in ASCII digits (Beijing time)."""

    def _deserialize(self, value, attr, data, **kwargs) -> time:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{2}:[0-9]{2}", value):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(str(_l("A time of day, HH:MM.")))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


class DepartureSeriesSchema(Schema):
    """Body of ``POST /api/v1/departures/series``: a weekly schedule."""

    route = fields.String(required=True)
    service_no = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters.")),
        metadata={"description": "The same for every departure of the schedule"},
    )
    weekday = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=7, error=_l("From 1 (Monday) to 7 (Sunday).")),
        metadata={"description": "ISO weekday: 1 Monday … 7 Sunday"},
    )
    time = ClockTime(
        required=True,
        metadata={"description": "Departure time, HH:MM Beijing time", "example": "10:00"},
    )
    cutoff_hours = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(
            min=1,
            max=MAX_CUTOFF_HOURS,
            error=_l("From 1 to %(max)d hours.", max=MAX_CUTOFF_HOURS),
        ),
        metadata={"description": "Hours before each departure for the hub cut-off"},
    )
    capacity_teu = _teu(required=True)
    capacity_kg = _kg(1_000, 10_000_000, load_default=None, allow_none=True)
    border_crossing = _crossing(load_default=None)
    from_ = Day(
        required=True,
        data_key="from",
        attribute="from",
        metadata={"description": "First day of the range (YYYY-MM-DD), included"},
    )
    to = Day(
        required=True,
        metadata={"description": "Last day of the range (YYYY-MM-DD), included; at most 366 days"},
    )


class DepartureSeriesResultSchema(Schema):
    created = fields.List(
        fields.Nested(DepartureSchema), metadata={"description": "The departures planned now"}
    )
    skipped = fields.List(
        fields.Nested(DepartureSchema),
        metadata={
            "description": "The route's departures already at those times (any service"
            " number or status), left as they were"
        },
    )


class DepartureUpdateSchema(Schema):
    """Body of ``PATCH /api/v1/departures/{id}``: what changes, with the version read (here,
    or as the ``If-Match`` header)."""

    version = fields.Integer(load_default=None, strict=True)
    service_no = fields.String(
        validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters."))
    )
    departs_at = Moment()
    cutoff_at = Moment()
    capacity_teu = _teu()
    capacity_kg = _kg(1_000, 10_000_000, allow_none=True)
    border_crossing = _crossing()
    quotas = _quotas()


class LegPlanUpdateSchema(Schema):
    """Body of ``PATCH /api/v1/departures/{id}/legs/{seq}``: what changes, with the
    departure's version read (here, or as the ``If-Match`` header); null puts a field back to
    its default from the route."""

    version = fields.Integer(load_default=None, strict=True)
    carrier = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=128, error=_l("1 to 128 characters.")),
        metadata={"description": "Instead of the route leg's carriers"},
    )
    service_no = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters.")),
        metadata={"description": "Train number, barge or vessel voyage"},
    )
    planned_departure = Moment(allow_none=True)
    planned_arrival = Moment(allow_none=True)

    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class DepartureActionSchema(Schema):
    """Body of depart and arrive: when it actually happened (default: now)."""

    at = Moment(load_default=None)


class DepartureCancelSchema(Schema):
    version = fields.Integer(load_default=None, strict=True)


class CustomsReleaseSchema(Schema):
    """Body of a customs release: the declaration released and when (default: now)."""

    declaration_no = fields.String(
        required=True,
        metadata={
            "description": "18 digits; the booking's own when it names one",
            "example": "610120260000000123",
        },
    )
    released_at = Moment(load_default=None, metadata={"description": "Not in the future"})

    @pre_load
    def strip(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("declaration_no"), str):
            data = {**data, "declaration_no": data["declaration_no"].strip()}
        return data

    @validates("declaration_no")
    def check_declaration_no(self, value, **kwargs):
        if not CUSTOMS_DECLARATION_NO.match(value):
            raise ValidationError(str(_l("A customs declaration number has 18 digits.")))


class ReleasedSchema(Schema):
    """What a release list released: the bookings' references."""

    released = fields.List(fields.String())
