"""A shipper's webhook endpoints and their delivery logs (the Webhooks page, for programs)."""

from flask_smorest import Blueprint

from dryport import security_log
from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.api.paging import WHOLE, paged
from dryport.extensions import db, limiter
from dryport.models import Role
from dryport.schemas.webhooks import (
    DeliveryQuerySchema,
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookDeliverySchema,
    WebhookQuerySchema,
    WebhookSchema,
)
from dryport.services import webhooks

blp = Blueprint("api_webhooks", __name__, description="Webhooks: booking events to your systems")

ENDPOINT = "/webhooks/<id:endpoint_id>"


@blp.route("/webhooks")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(WebhookQuerySchema, location="query")
@blp.response(200, WebhookSchema(many=True))
@blp.paginate(**WHOLE)
def list_webhooks(query, pagination_parameters):
    """Your company's endpoints, by default oldest first"""
    return paged(webhooks.endpoints_query(current_api_user(), **query), pagination_parameters)


@blp.route("/webhooks", methods=["POST"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(WebhookCreateSchema)
@blp.response(201, WebhookCreatedSchema)
@problems(409, descriptions={409: "The company has as many endpoints as it may"})
def create_webhook(body):
    """Register an HTTPS endpoint; its signing secret is in this answer only"""
    user = current_api_user()
    endpoint, _secret = webhooks.create_endpoint(db.session, user, body["url"], body["description"])
    security_log.note("webhook_created", user.id, user.email, url=[None, endpoint.url])
    return endpoint  # its secret is dumped by this answer's schema, and by no other


@blp.route(ENDPOINT)
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.response(200, WebhookSchema)
@problems(404)
def get_webhook(endpoint_id):
    """One endpoint"""
    return webhooks.get_endpoint(db.session, current_api_user(), endpoint_id)


@blp.route(ENDPOINT, methods=["DELETE"])
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.response(204)
@problems(404)
def delete_webhook(endpoint_id):
    """Remove an endpoint with its delivery log"""
    user = current_api_user()
    endpoint = webhooks.delete_endpoint(db.session, user, endpoint_id)
    security_log.note("webhook_deleted", user.id, user.email, url=[endpoint.url, None])


@blp.route(ENDPOINT + "/ping", methods=["POST"])
@limiter.shared_limit(webhooks.send_limit, scope="webhook-sends")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.response(202, WebhookDeliverySchema)
@problems(404, 429)
def ping_webhook(endpoint_id):
    """Queue a ping event to the endpoint"""
    return webhooks.send_ping(db.session, current_api_user(), endpoint_id)


@blp.route(ENDPOINT + "/deliveries")
@token_required(Role.SHIPPER)
@blp.doc(security=BEARER)
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, WebhookDeliverySchema(many=True))
@blp.paginate()
@problems(404)
def list_deliveries(query, endpoint_id, pagination_parameters):
    """The endpoint's delivery log, by default newest first"""
    endpoint = webhooks.get_endpoint(db.session, current_api_user(), endpoint_id)
    return paged(webhooks.deliveries_query(endpoint, **query), pagination_parameters)
