from flask import current_app
from flask_smorest import Blueprint

from dryport import security_log
from dryport.api.errors import problems
from dryport.extensions import db, sign_in_limits
from dryport.schemas.accounts import TokenRequestSchema, TokenSchema
from dryport.services import accounts
from dryport.services.errors import Unauthorized

blp = Blueprint(
    "api_tokens", __name__, description="Sign in: exchange email and password for a token"
)


@blp.route("/tokens", methods=["POST"])
@sign_in_limits
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@problems(401, 429, descriptions={401: "Wrong email or password", 429: "Too many attempts: wait"})
def create_token(body):
    """Sign in and get a bearer token"""
    try:
        user = accounts.authenticate(db.session, body["email"], body["password"])
    except Unauthorized:
        security_log.note("sign_in_failed", summary=body["email"])
        raise
    security_log.note("token_created", user.id, user.email)
    token, record = accounts.issue_api_token(db.session, user, current_app.config["API_TOKEN_TTL"])
    return {"token": token, "expires_at": record.expires_at}
