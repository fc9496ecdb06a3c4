"""Quotes: what a shipment would cost, priced now from the tariffs in force."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.schemas.quotes import QuoteRequestSchema, QuoteSchema
from dryport.services import pricing

blp = Blueprint("api_quotes", __name__, description="Quotes")


@blp.route("/quotes", methods=["POST"])
@token_required()
@blp.doc(security=BEARER)
@blp.arguments(QuoteRequestSchema)
@blp.response(200, QuoteSchema)
@problems(
    409,
    422,
    descriptions={
        409: "The departure has left, was cancelled or is past the station's cut-off, or no"
        " tariff prices the shipment today",
    },
)
def create_quote(body):
    """Price a shipment on a departure from a station at today's tariffs (writes nothing)"""
    return pricing.request_quote(db.session, body)
