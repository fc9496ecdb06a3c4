"""Password reset by mail, for programs and apps: ask for a link, then set a new password
with its token (the web has the same pages)."""

from flask import current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint

from dryport import security_log
from dryport.api.errors import problems
from dryport.extensions import db, limiter, sign_in_limits
from dryport.schemas.accounts import (
    PasswordResetRequestedSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
)
from dryport.services import password_resets

blp = Blueprint(
    "api_password_resets", __name__, description="Password reset: a one-use link by mail"
)


def requested() -> dict:
    """The one answer to a request, whether the address is known or not."""
    return {
        "detail": _(
            "If the address belongs to an account, a link to set a new password is on its "
            "way. It works once, within an hour."
        )
    }


@blp.route("/password-reset", methods=["POST"])
@sign_in_limits
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202, PasswordResetRequestedSchema)
@problems(429, descriptions={429: "Too many requests: wait"})
def request_password_reset(body):
    """Mail a password reset link (the same answer for an unknown address)"""
    password_resets.request_reset(db.session, body["email"])
    security_log.note("password_reset_requested", summary=body["email"])
    return requested()


@blp.route("/password-reset/<string:token>", methods=["POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT"], methods=["POST"])
@blp.arguments(PasswordResetSchema)
@blp.response(204)
@problems(
    404,
    422,
    429,
    descriptions={
        404: "No such link",
        422: "The link is used or expired, or the password breaks a rule",
        429: "Too many requests: wait",
    },
)
def reset_password(body, token):
    """Set a new password with the link's token; every session and token of the user ends"""
    user = password_resets.reset_password(db.session, token, body["password"])
    security_log.note("password_reset", user.id, user.email)
