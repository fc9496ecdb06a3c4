"""The role guard every page uses."""

from functools import wraps

from flask_login import current_user, login_required

from dryport.models import Role
from dryport.services.access import require_role


def role_required(*roles: Role):
    """Sign-in required; with ``roles``, one of them too (else a 403 page)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if roles:
                require_role(current_user, *roles)
            return view(*args, **kwargs)

        return wrapper

    return decorator
