from flask_babel import lazy_gettext as _l
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from dryport.services import accounts
from dryport.services.errors import Invalid

PASSWORDS = ("password", "password_confirm")  # taken as typed, spaces and all


def _strip_strings(data):
    if not isinstance(data, dict):
        return data
    return {
        key: value.strip() if isinstance(value, str) and key not in PASSWORDS else value
        for key, value in data.items()
    }


class LoginSchema(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True)

    @pre_load
    def strip(self, data, **kwargs):
        return _strip_strings(data)


class TokenRequestSchema(LoginSchema):
    """Body of ``POST /api/v1/tokens``."""


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class RegistrationSchema(Schema):
    """A shipper registering itself and its company."""

    company_name = fields.String(
        required=True, validate=validate.Length(min=2, max=128, error=_l("2 to 128 characters."))
    )
    credit_code = fields.String(required=True)
    address = fields.String(
        load_default=None, validate=validate.Length(max=255, error=_l("At most 255 characters."))
    )
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error=_l("1 to 64 characters."))
    )
    phone = fields.String(
        load_default=None, validate=validate.Length(max=32, error=_l("At most 32 characters."))
    )
    email = fields.Email(
        required=True, validate=validate.Length(max=254, error=_l("At most 254 characters."))
    )
    password = fields.String(required=True)
    password_confirm = fields.String(required=True)
    locale = fields.String(
        load_default="zh", validate=validate.OneOf(("zh", "en"), error=_l("Choose zh or en."))
    )

    @pre_load
    def strip(self, data, **kwargs):
        return _strip_strings(data)

    @validates("credit_code")
    def check_credit_code(self, value, **kwargs):
        try:
            accounts.normalise_credit_code(value)
        except Invalid as error:
            raise ValidationError(str(error.message)) from None

    @validates_schema(skip_on_field_errors=False)
    def check_password(self, data, **kwargs):
        """The password rule (``accounts.check_password_rule``), which needs the email too;
        checked even when other fields are wrong, so that every error shows at once."""
        if "password" not in data:
            return
        try:
            accounts.check_password_rule(data["password"], data.get("email"))
        except Invalid as error:
            messages = error.errors.get("password") or [error.message]
            raise ValidationError([str(m) for m in messages], field_name="password") from None

    @validates_schema
    def check_confirmation(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError(
                str(_l("The two passwords differ.")), field_name="password_confirm"
            )


class PasswordResetRequestSchema(Schema):
    """Body of ``POST /api/v1/password-reset``."""

    email = fields.Email(
        required=True, validate=validate.Length(max=254, error=_l("At most 254 characters."))
    )

    @pre_load
    def strip(self, data, **kwargs):
        return _strip_strings(data)


class PasswordResetRequestedSchema(Schema):
    detail = fields.String(required=True)


class PasswordResetSchema(Schema):
    """Body of ``POST /api/v1/password-reset/{token}``: the new password (the password
    rules are checked with the link's user, ``accounts.check_password_rule``)."""

    password = fields.String(required=True)


class PasswordResetFormSchema(PasswordResetSchema):
    """The web's set-new-password form: typed twice."""

    password_confirm = fields.String(required=True)

    @validates_schema
    def check_confirmation(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError(
                str(_l("The two passwords differ.")), field_name="password_confirm"
            )
