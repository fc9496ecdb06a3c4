from flask import current_app
from flask_smorest import Blueprint

from dryport.extensions import db, limiter
from dryport.schemas.accounts import TokenRequestSchema, TokenSchema
from dryport.services import accounts

blp = Blueprint(
    "api_tokens", __name__, description="Sign in: exchange email and password for a token"
)


@blp.route("/tokens", methods=["POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong email or password")
def create_token(body):
    """Sign in and get a bearer token"""
    user = accounts.authenticate(db.session, body["email"], body["password"])
    token, record = accounts.issue_api_token(db.session, user, current_app.config["API_TOKEN_TTL"])
    return {"token": token, "expires_at": record.expires_at}
