"""Extension instances, created unbound and initialised in ``create_app``."""

import http

from apispec import BasePlugin
from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from marshmallow import fields

from dryport import rate_limits  # registers the sqlitefile:// store
from dryport.db import Base
from dryport.schemas.problems import PROBLEM_JSON, ProblemSchema


class Api(_Api):
    """flask-smorest's Api without its app-wide JSON error handler, its error responses
    documented as the problem+json they are.

    Its handler would answer every HTTP error of the web pages in JSON too; errors are
    handled once per interface in ``dryport.errors`` instead.
    """

    ERROR_SCHEMA = ProblemSchema
    # No catch-all "default" answer: each operation names the statuses it gives, so that a
    # status nobody documented is an error of the document (and the fuzz test catches it).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """A response component per error status (``NOT_FOUND``...) and ``DEFAULT_ERROR``,
        all ``application/problem+json``."""
        named = [(status.name, status.phrase) for status in http.HTTPStatus if status >= 400]
        for name, description in [*named, ("DEFAULT_ERROR", "Any other error")]:
            response = {"description": description, "schema": ProblemSchema}
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(name, response, lazy=True)

    def _register_pagination_header(self):
        """``X-Pagination`` holds JSON: in OpenAPI 3 a header with an object value is
        described by its content, not by a schema (which would say the string is an object)."""
        header = {
            "description": "Pagination metadata (JSON): total, total_pages, first_page, "
            "last_page, page, previous_page, next_page; total_capped (the count stopped at "
            "10,000: there are more); on the bookings list next_cursor and next_link (the "
            "same link as the Link rel=next header) while the list goes on",
            "content": {"application/json": {"schema": PaginationSchema}},
        }
        self.spec.components.header("PAGINATION", header, lazy=True)


class PaginationSchema(PaginationMetadataSchema):
    """flask-smorest's page metadata, and what ``api.paging`` adds to it."""

    total_capped = fields.Boolean()
    next_cursor = fields.String()
    next_link = fields.String()


class BodyProblems(BasePlugin):
    """Every operation that takes a JSON body may answer 400 (not JSON at all) and 413 (over
    ``MAX_CONTENT_LENGTH``): documented once here rather than on each operation."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if isinstance(operation, dict) and "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                responses.setdefault("400", "BAD_REQUEST")
                responses.setdefault("413", "REQUEST_ENTITY_TOO_LARGE")


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()  # Flask-Mail: MAIL_* settings; services.mail sends through the outbox
api = Api(spec_kwargs={"extra_plugins": [BodyProblems()]})
# Sign-in, registration and token requests, per client address (and sign-ins per account too,
# ``sign_in_limits``). Counted in a file shared by the host's workers by default
# (``rate_limits.SQLiteFileStorage``); set RATELIMIT_STORAGE_URI (redis://) when several hosts
# must share the counts.
limiter = Limiter(get_remote_address)


def sign_in_limits(view):
    """The limits of a request that signs in with an email and password: ``SIGN_IN_LIMIT``
    per client address on this route, and ``SIGN_IN_ACCOUNT_LIMIT`` per account named, shared
    by the sign-in page and the token request. A limited request gets 429 whatever it holds."""
    per_account = limiter.shared_limit(
        lambda: current_app.config["SIGN_IN_ACCOUNT_LIMIT"],
        scope="sign-in-account",
        key_func=rate_limits.account_key,
        methods=["POST"],
    )
    per_address = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT"], methods=["POST"])
    return per_address(per_account(view))
