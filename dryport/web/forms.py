"""HTML forms validated by the same marshmallow schemas as the API."""

from flask import request
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from dryport.extensions import db
from dryport.schemas.messages import flatten_errors, localize_errors
from dryport.services.digits import is_whole_number, whole_number
from dryport.services.errors import DomainError, Invalid
from dryport.services.reference_data import routes_query


def load_form(schema: Schema, form) -> tuple[dict | None, dict[str, list[str]]]:
    """``(data, {})`` when the form is valid, else ``(None, errors by field)``.

    Empty inputs count as not given, as a browser sends every field of a form; inputs the
    schema does not know (a browser extension's, say) are left out.
    """
    raw = {key: value for key, value in form.items() if key != "csrf_token" and value != ""}
    return load_nested_form(schema, raw)


def attempt(action):
    """Run a form's service call: ``(result, {}, 200)``, or, when the service refuses,
    ``(None, errors by field, status)`` with its work rolled back."""
    try:
        return action(), {}, 200
    except DomainError as error:
        db.session.rollback()
        return None, domain_errors(error), error.status


def domain_errors(error: DomainError) -> dict[str, list[str]]:
    """A domain error's messages by field, with its message under ``_schema``."""
    errors = flatten_errors(localize_errors(error.errors)) if error.errors else {}
    errors.setdefault("_schema", []).append(str(error.message))
    return errors


def unflatten(form, integers: frozenset[str] = frozenset()) -> dict:
    """Nest a flat HTML form: ``cargo.hs_code`` becomes ``{"cargo": {"hs_code": ...}}`` and
    ``containers.0.size_type`` an item of the ``containers`` list.

    Blank inputs are left out, and a group whose inputs are all blank disappears, so optional
    parts (a notify party, dangerous goods, unused container rows) are simply absent. Leaves
    named in ``integers`` holding digits become ints, as a JSON client would send them.
    """
    nested: dict = {}
    for name, value in form.items():
        value = value.strip()
        if name == "csrf_token" or value == "":
            continue
        parts = name.split(".")
        if parts[-1] in integers and is_whole_number(value, signed=True):
            value = whole_number(value, signed=True)
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # "a" and "a.b" both sent: not our form's shape
                raise Invalid(_l("The form was not sent as the page made it; reload the page."))
        if isinstance(node.get(parts[-1]), dict):
            raise Invalid(_l("The form was not sent as the page made it; reload the page."))
        node[parts[-1]] = value
    return _lists(nested)


def _lists(node):
    """Dicts keyed by row numbers become lists, in row order."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(is_whole_number(key) for key in converted):
        return [converted[key] for key in sorted(converted, key=whole_number)]
    return converted


def load_nested_form(schema: Schema, data: dict) -> tuple[dict | None, dict[str, list[str]]]:
    """Like ``load_form`` for a form already nested by ``unflatten``."""
    try:
        return schema.load(data, unknown=EXCLUDE), {}
    except ValidationError as error:
        return None, flatten_errors(localize_errors(onto_inputs(schema, error.messages)))


def onto_inputs(schema: Schema, messages):
    """Put each message where the form has an input: a message about a whole group (a
    required consignee or cargo left blank, so absent from what ``unflatten`` built) goes to
    every required input of that group, as the page has no input named after the group.

    Every form loads through here, so no error can come back under a name the page never
    shows."""
    if not isinstance(messages, dict):
        return messages
    by_key = {field.data_key or name: field for name, field in schema.fields.items()}
    placed: dict = {}
    for key, value in messages.items():
        field = by_key.get(key)
        inner = field.inner if isinstance(field, fields.List) else None
        if isinstance(field, fields.Nested) and isinstance(value, dict):
            placed[key] = onto_inputs(field.schema, value)
        elif isinstance(inner, fields.Nested) and isinstance(value, dict):
            placed[key] = {
                row: onto_inputs(inner.schema, errors) if is_whole_number(str(row)) else errors
                for row, errors in value.items()
            }
        elif isinstance(field, fields.Nested) and _required_inputs(field.schema):
            placed[key] = {name: value for name in _required_inputs(field.schema)}
        elif isinstance(inner, fields.Nested) and _required_inputs(inner.schema):
            # about the rows as a whole (none given, too many): beside the first row
            placed[key] = {"0": {_required_inputs(inner.schema)[0]: value}}
        else:
            placed[key] = value
    return placed


def _required_inputs(schema: Schema) -> list[str]:
    """The input names (relative to the group) of the required fields of ``schema``, nested
    groups included."""
    names = []
    for name, field in schema.fields.items():
        if not field.required or field.dump_only:
            continue
        key = field.data_key or name
        if isinstance(field, fields.Nested):
            names += [f"{key}.{inner}" for inner in _required_inputs(field.schema)]
        else:
            names.append(key)
    return names


LOCAL_OFFSET = "+08:00"  # a form's datetime-local inputs are Beijing time


def beijing_input(value: str) -> str:
    """A datetime-local input's value (``2026-12-01T10:00``, Beijing time) given its offset,
    as the schemas' ``Moment`` reads a time; any other value unchanged, for the schema to
    refuse."""
    return value + LOCAL_OFFSET if len(value) == 16 else value


def route_filter(session) -> tuple[list, str | None]:
    """The routes for a list's filter, and the one the ``route`` query parameter chose
    (none when it names no route)."""
    routes = list(session.scalars(routes_query(legs=False)))
    chosen = request.args.get("route")
    return routes, chosen if chosen in {r.code for r in routes} else None


def flatten(body: dict, prefix: str = "") -> dict[str, str]:
    """The inverse of ``unflatten``: a JSON body under a form's input names, as text
    (``{"cargo": {"hs_code": "090210"}}`` → ``{"cargo.hs_code": "090210"}``, the items of a
    list by row, a truth as ``true``/``false``); empty parts are left out."""
    flat: dict[str, str] = {}
    items = enumerate(body) if isinstance(body, list) else body.items()
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, dict | list):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        elif value is not None:
            flat[name] = str(value)
    return flat
