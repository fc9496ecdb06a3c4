"""Copy of a booking, booking templates and the address book: input and output. A
template's booking and an address book entry are checked by the booking's own schemas."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from dryport.schemas.bookings import (
    ID_RANGE,
    BookingCreateSchema,
    PartySchema,
    Stripped,
    _text,
)
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services import address_book, booking_templates


class CopySchema(Schema):
    """Body of ``POST /bookings/{reference}/copy``."""

    departure_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    waitlist = BookingCreateSchema._declared_fields["waitlist"]


class TemplateBookingSchema(BookingCreateSchema):
    """A template's booking: ``POST /bookings``'s body without the departure and what
    belongs to one shipment only (customs, the sea continuation)."""

    class Meta:
        exclude = ("departure_id", "customs", "sea_leg", "waitlist")


def _name(required: bool) -> fields.String:
    field = _text(booking_templates.MAX_NAME_LENGTH)
    field.required = required
    return field


class TemplateNameSchema(Stripped):
    """A template's name (the web's save and rename forms)."""

    name = _name(required=True)


class TemplateCreateSchema(TemplateNameSchema):
    """Body of ``POST /booking-templates``: a name, and the booking or the reference of one
    of your bookings to take it from (as a copy would)."""

    booking = fields.Nested(TemplateBookingSchema, load_default=None)
    from_booking = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=20),
        metadata={
            "description": "The reference of one of your bookings",
            "example": "HK2612-00042",
        },
    )

    @validates_schema
    def one_source(self, data, **kwargs):
        if (data.get("booking") is None) == (data.get("from_booking") is None):
            raise ValidationError(
                str(_l("Give the booking, or the reference of a booking to take it from.")),
                field_name="booking",
            )


class TemplateUpdateSchema(Stripped):
    """Body of ``PATCH /booking-templates/{template_id}``: a new name and/or booking, with
    the version read (here, or as ``If-Match``)."""

    version = fields.Integer(load_default=None, strict=True)
    name = _name(required=False)
    booking = fields.Nested(TemplateBookingSchema)


class TemplateSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    version = fields.Integer()
    booking = fields.Dict(
        attribute="body",
        metadata={"description": "The booking as POST /bookings takes it, without "
                  "departure_id: add one and post it"},
    )  # fmt: skip
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class TemplateQuerySchema(Schema):
    q = Search("the name")
    sort = Sort(booking_templates.SORTING)


class EntryUpdateSchema(PartySchema):
    """Body of ``PATCH /address-book/{entry_id}``: name and/or address, with the version
    read (here, or as ``If-Match``)."""

    version = fields.Integer(load_default=None, strict=True)


class EntrySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EntryQuerySchema(Schema):
    q = Search("the name or address")
    sort = Sort(address_book.SORTING)
