"""Typed domain errors. Each interface translates them once: the API into problem+json, the
web into a flash or an error page, the CLI into a ``click.ClickException``."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base class; ``status`` is the HTTP status an interface should answer with."""

    status = 400
    title = _l("Request not possible")

    def __init__(self, message=None, *, errors: dict | None = None, **extra):
        self.message = message if message is not None else self.title
        self.errors = errors or {}
        self.extra = extra
        # The message stays lazy: it is rendered in the user's language when shown, and
        # rendering it here could touch a session that has just failed.
        super().__init__(self.message)


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it does."""

    status = 404
    title = _l("Not found")


class Forbidden(DomainError):
    status = 403
    title = _l("Not allowed")


class Malformed(DomainError):
    """The request cannot be read at all: a body that is not JSON, or text that is none."""

    status = 400
    title = _l("Bad request")


class Invalid(DomainError):
    """Input breaks a rule; ``errors`` maps each field to its messages."""

    status = 422
    title = _l("Invalid input")


class Conflict(DomainError):
    """The request clashes with the current state (stale version, duplicate, late)."""

    status = 409
    title = _l("Conflict")


STALE_MESSAGE = _l(
    "The booking was changed by someone else since you read it; reload and try again."
)


def stale() -> "Conflict":
    """The conflict of an update made on a copy that changed meanwhile."""
    return Conflict(STALE_MESSAGE)


class TooLarge(DomainError):
    """An upload above the size a field accepts; nothing was stored."""

    status = 413
    title = _l("Request too large")


class CapacityExceeded(Conflict):
    title = _l("Not enough capacity")


class CutoffPassed(Conflict):
    title = _l("Cut-off passed")


class Unauthorized(DomainError):
    status = 401
    title = _l("Sign-in required")


class Busy(DomainError):
    """The database stayed locked by other writers past the wait (SQLite's busy timeout):
    nothing was written, and the same request may simply be sent again."""

    status = 503
    title = _l("Busy")
    retry_after = 2  # seconds, for the Retry-After header

    def __init__(self, message=None):
        super().__init__(
            message
            or _l("The system is busy with other changes and saved nothing; try again in a moment.")
        )


class Unavailable(Busy):
    """The database cannot be reached (down, restarting, out of reach, a file that cannot
    be opened): nothing was done, and the same request may be sent again once it is back.
    Answered as ``Busy`` is (503 with Retry-After), by a page that needs no database."""

    title = _l("Service unavailable")
    retry_after = 30

    def __init__(self):
        super().__init__(
            _l("The database cannot be reached just now, so nothing was saved; "
               "please try again in a minute.")
        )  # fmt: skip
