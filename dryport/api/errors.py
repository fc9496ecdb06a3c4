"""Every API error as ``application/problem+json`` (RFC 9457), translated in one place."""

from http import HTTPStatus

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from dryport.extensions import db
from dryport.hygiene import too_large_message
from dryport.i18n import HTTP_TITLES
from dryport.schemas.messages import flatten_errors, localize_errors
from dryport.schemas.problems import PROBLEM_JSON, ProblemSchema
from dryport.services.errors import Busy, DomainError

PROBLEM_TYPE = "about:blank"

_documenting = Blueprint("problems", __name__)  # only its decorators are used


def problems(*statuses: int, descriptions: dict[int, str] | None = None):
    """Document the problem+json answers an operation gives besides its success: the
    shared response of each status, or one with a description of its own."""
    descriptions = descriptions or {}

    def decorator(view):
        for status in statuses:
            if status in descriptions:
                document = _documenting.alt_response(
                    status,
                    schema=ProblemSchema,
                    content_type=PROBLEM_JSON,
                    description=descriptions[status],
                )
            else:
                document = _documenting.alt_response(status, response=HTTPStatus(status).name)
            view = document(view)
        return view

    return decorator


def problem(status: int, detail: str | None = None, *, title=None, errors=None, **extra):
    body = {
        "type": extra.pop("type", PROBLEM_TYPE),
        "title": str(title or HTTP_TITLES.get(status, _("Error"))),
        "status": status,
        "detail": str(detail) if detail is not None else str(title or HTTP_TITLES.get(status)),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def api_error_response(error: Exception):
    if isinstance(error, DomainError):
        db.session.rollback()
        errors = flatten_errors(localize_errors(error.errors)) if error.errors else None
        response = problem(
            error.status,
            error.message,
            title=error.title,
            errors=errors,
            type=f"urn:dryport:problem:{type(error).__name__}",
            **error.extra,
        )
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="dryport"'
        if isinstance(error, Busy):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, HTTPException):
        status = error.code or 500
        if status == 422:  # webargs: {"json": {...}} or {"query": {...}}
            messages = getattr(error, "data", {}).get("messages", {})
            errors = {}
            for location in messages.values():
                errors.update(flatten_errors(localize_errors(location)))
            return problem(422, _("Some fields are invalid."), errors=errors)
        response = problem(status, _http_detail(status))
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, _("Something went wrong on our side; the error has been logged."))


def _http_detail(status: int) -> str:
    if status == 404:
        return _("There is nothing at %(path)s.", path=request.path)
    if status == 405:
        return _("%(method)s is not allowed here.", method=request.method)
    if status == 400:
        return _("The request could not be read; send JSON with Content-Type application/json.")
    if status == 413 and (message := too_large_message()):
        return message
    return str(HTTP_TITLES.get(status, _("Error")))
