"""Input of the clerk's and the operator's actions, shared by their pages and the API."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, post_load, pre_load, validate

from dryport.models import VgmMethod
from dryport.schemas.bookings import ID_RANGE
from dryport.schemas.reference import Moment


def _kg(low: int, high: int, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(
            min=low, max=high, error=_l("From %(min)s to %(max)s kg.", min=low, max=f"{high:,}")
        ),
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
    packing_kg = _kg(0, 10_000, load_default=None)
    max_gross_kg = _kg(10_000, 40_000, load_default=None)
    weighed_by = fields.String(
        load_default=None, validate=validate.Length(max=64, error=_l("At most 64 characters."))
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


class DepartureCreateSchema(Schema):
    """Body of ``POST /api/v1/departures``."""

    route = fields.String(required=True)
    service_no = fields.String(
        required=True, validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters."))
    )
    departs_at = Moment(required=True)
    cutoff_at = Moment(required=True)
    capacity_teu = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=10_000, error=_l("From 1 to 10,000 TEU.")),
    )
    capacity_kg = _kg(1_000, 10_000_000, load_default=None, allow_none=True)
    border_crossing = _crossing(load_default=None)


class DepartureUpdateSchema(Schema):
    """Body of ``PATCH /api/v1/departures/{id}``: what changes, with the version read (here,
    or as the ``If-Match`` header)."""

    version = fields.Integer(load_default=None, strict=True)
    service_no = fields.String(
        validate=validate.Length(min=1, max=20, error=_l("1 to 20 characters."))
    )
    departs_at = Moment()
    cutoff_at = Moment()
    capacity_teu = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=10_000, error=_l("From 1 to 10,000 TEU."))
    )
    capacity_kg = _kg(1_000, 10_000_000, allow_none=True)
    border_crossing = _crossing()


class DepartureActionSchema(Schema):
    """Body of depart and arrive: when it actually happened (default: now)."""

    at = Moment(load_default=None)


class DepartureCancelSchema(Schema):
    version = fields.Integer(load_default=None, strict=True)
