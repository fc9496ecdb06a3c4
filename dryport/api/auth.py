"""Bearer-token authentication for the API."""

from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l

from dryport.api.errors import problems
from dryport.extensions import db
from dryport.models import Role, User
from dryport.services import accounts
from dryport.services.access import require_role
from dryport.services.errors import Unauthorized

BEARER = [{"bearerAuth": []}]


def current_api_user() -> User:
    return g.api_user


def token_required(*roles: Role):
    """Authenticate the request by its bearer token; with ``roles``, also require one of them.
    The operation's 401 (and 403) answers are documented here too."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized(_l("Send your token as 'Authorization: Bearer <token>'."))
            g.api_user = accounts.user_for_token(db.session, token.strip())
            if roles:
                require_role(g.api_user, *roles)
            return view(*args, **kwargs)

        wrapper.roles = roles  # who may call it, for tools that walk the operations
        return problems(401, *([403] if roles else []))(wrapper)

    return decorator
