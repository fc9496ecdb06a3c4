"""Webhook endpoints and their deliveries, as the API shows them."""

from marshmallow import Schema, fields, validate

from dryport.models import DeliveryStatus
from dryport.schemas.search import Search
from dryport.schemas.sorting import Sort
from dryport.services import webhooks


class WebhookQuerySchema(Schema):
    q = Search("the URL or description")
    sort = Sort(webhooks.ENDPOINT_SORTING)


class DeliveryQuerySchema(Schema):
    q = Search("the event type or booking reference")
    sort = Sort(webhooks.DELIVERY_SORTING)


class WebhookCreateSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(max=webhooks.MAX_URL_LENGTH),
        metadata={"description": "The receiver's https:// address", "format": "uri"},
    )
    description = fields.String(load_default="", validate=validate.Length(max=100))


class WebhookSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(
        metadata={"description": "The signing secret: shown in this answer only"}
    )


class WebhookDeliverySchema(Schema):
    id = fields.Integer()
    event_id = fields.String()
    event_type = fields.String()
    booking_reference = fields.String(allow_none=True)
    status = fields.Enum(DeliveryStatus)
    attempts = fields.Integer()
    response_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_attempt_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(
        metadata={"description": "When a PENDING delivery is tried next"}
    )
    delivered_at = fields.DateTime(allow_none=True)
