"""HTML forms validated by the same marshmallow schemas as the API."""

from marshmallow import EXCLUDE, Schema, ValidationError

from dryport.schemas.messages import flatten_errors, localize_errors
from dryport.services.errors import DomainError


def load_form(schema: Schema, form) -> tuple[dict | None, dict[str, list[str]]]:
    """``(data, {})`` when the form is valid, else ``(None, errors by field)``.

    Empty inputs count as not given, as a browser sends every field of a form; inputs the
    schema does not know (a browser extension's, say) are left out.
    """
    raw = {key: value for key, value in form.items() if key != "csrf_token" and value != ""}
    try:
        return schema.load(raw, unknown=EXCLUDE), {}
    except ValidationError as error:
        return None, flatten_errors(localize_errors(error.messages))


def domain_errors(error: DomainError) -> dict[str, list[str]]:
    """A domain error's messages by field, with its message under ``_schema``."""
    errors = flatten_errors(localize_errors(error.errors)) if error.errors else {}
    errors.setdefault("_schema", []).append(str(error.message))
    return errors
