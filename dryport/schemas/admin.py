"""Input of the administrator's pages."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, pre_load, validate

from dryport.models import DocumentType, Role, TransportMode
from dryport.schemas.numbers import WholeNumber

LOCODE = validate.Regexp(
    r"^[A-Z]{2}[A-Z2-9]{3}$", error=_l("A UN/LOCODE is 5 characters, e.g. CNNGB.")
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


class StationEditSchema(_Stripped):
    version = WholeNumber(load_default=None)
    name_zh = _name(64)
    name_en = _name(64)
    feeder_hours = WholeNumber(
        required=True, validate=validate.Range(min=0, max=72, error=_l("From 0 to 72 hours."))
    )
    active = fields.Boolean(load_default=False)


class RouteEditSchema(_Stripped):
    version = WholeNumber(load_default=None)
    name_zh = _name(64)
    name_en = _name(96)
    document_type = fields.Enum(DocumentType, required=True)
    active = fields.Boolean(load_default=False)


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
