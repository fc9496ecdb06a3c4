"""A shipper's named booking templates and its company's address book."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.conditional import ETAG, IF_MATCH, etag, required_version, version_read
from dryport.api.errors import problems
from dryport.api.paging import paged
from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.booking_templates import (
    EntryQuerySchema,
    EntrySchema,
    EntryUpdateSchema,
    TemplateCreateSchema,
    TemplateQuerySchema,
    TemplateSchema,
    TemplateUpdateSchema,
)
from dryport.schemas.bookings import PartySchema
from dryport.services import address_book, booking_templates

blp = Blueprint("api_templates", __name__, description="Booking templates and the address book")

TEMPLATE = "/booking-templates/<id:template_id>"
ENTRY = "/address-book/<id:entry_id>"


@blp.route("/booking-templates")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(TemplateQuerySchema, location="query")
@blp.response(200, TemplateSchema(many=True))
@blp.paginate()
def list_templates(query, pagination_parameters):
    """Your company's booking templates, by default by name"""
    stmt = booking_templates.templates_query(current_api_user(), **query)
    return paged(stmt, pagination_parameters)


@blp.route("/booking-templates", methods=["POST"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(TemplateCreateSchema)
@blp.response(201, TemplateSchema, headers=ETAG)
@problems(404, 409, descriptions={
    404: "from_booking names no booking of yours",
    409: "A template of this name exists, or the company has as many as it may",
})  # fmt: skip
def create_template(body):
    """Save a booking as a named template: the booking given, or one of yours as a copy
    would take it (from_booking)"""
    template = booking_templates.create_template(
        db.session, current_api_user(), body["name"], body["booking"], body["from_booking"]
    )
    return template, 201, {"ETag": etag(template)}


@blp.route(TEMPLATE)
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.response(200, TemplateSchema, headers=ETAG)
@problems(404)
def get_template(template_id):
    """One template; its booking, with a departure_id added, is a body for POST /bookings"""
    template = booking_templates.get_template(db.session, current_api_user(), template_id)
    return template, 200, {"ETag": etag(template)}


@blp.route(TEMPLATE, methods=["PATCH"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(TemplateUpdateSchema)
@blp.response(200, TemplateSchema, headers=ETAG)
@problems(404, 409, descriptions={409: "Stale version, or a template of this name exists"})
def update_template(body, template_id):
    """Rename a template and/or replace its booking (send the version read, in the body or
    as If-Match)"""
    template = booking_templates.update_template(
        db.session, current_api_user(), template_id, required_version(body),
        name=body.get("name"), data=body.get("booking"),
    )  # fmt: skip
    return template, 200, {"ETag": etag(template)}


@blp.route(TEMPLATE, methods=["DELETE"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.response(204)
@problems(404, 409, 422, descriptions={409: "Stale version (If-Match)"})
def delete_template(template_id):
    """Remove a template"""
    booking_templates.delete_template(
        db.session, current_api_user(), template_id, version_read(None)
    )


@blp.route("/address-book")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(EntryQuerySchema, location="query")
@blp.response(200, EntrySchema(many=True))
@blp.paginate()
def list_entries(query, pagination_parameters):
    """Your company's consignees and notify parties, by default by name"""
    return paged(address_book.entries_query(current_api_user(), **query), pagination_parameters)


@blp.route("/address-book", methods=["POST"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(PartySchema)
@blp.response(201, EntrySchema, headers=ETAG)
@problems(409, descriptions={409: "This name and address are in the book, or it is full"})
def create_entry(body):
    """Add a consignee or notify party (checked as a booking's party is)"""
    entry = address_book.add_entry(db.session, current_api_user(), body)
    return entry, 201, {"ETag": etag(entry)}


@blp.route(ENTRY)
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.response(200, EntrySchema, headers=ETAG)
@problems(404)
def get_entry(entry_id):
    """One entry of the address book"""
    entry = address_book.get_entry(db.session, current_api_user(), entry_id)
    return entry, 200, {"ETag": etag(entry)}


@blp.route(ENTRY, methods=["PATCH"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(EntryUpdateSchema(partial=("name", "address")))
@blp.response(200, EntrySchema, headers=ETAG)
@problems(404, 409, descriptions={409: "Stale version, or this name and address exist"})
def update_entry(body, entry_id):
    """Change an entry's name and/or address (send the version read, in the body or as
    If-Match); bookings made with it keep their parties"""
    entry = address_book.update_entry(
        db.session, current_api_user(), entry_id, body, required_version(body)
    )
    return entry, 200, {"ETag": etag(entry)}


@blp.route(ENTRY, methods=["DELETE"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.response(204)
@problems(404, 409, 422, descriptions={409: "Stale version (If-Match)"})
def delete_entry(entry_id):
    """Remove an entry; bookings made with it keep their parties"""
    address_book.delete_entry(db.session, current_api_user(), entry_id, version_read(None))
