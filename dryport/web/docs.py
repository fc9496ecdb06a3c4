"""The API reference, rendered on the server from the OpenAPI document: nothing is loaded from
elsewhere, and it is always the document the API serves."""

import re

from flask import Blueprint, render_template
from flask_babel import gettext

from dryport.extensions import api
from dryport.web.api_texts import PLACES, SEARCH, SET_UP_ORDER, SORT

bp = Blueprint("docs", __name__)

METHODS = ("get", "post", "patch", "put", "delete")


@bp.route("/api/docs")
def reference():
    spec = api.spec.to_dict()
    operations = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            operations.append({
                "method": method.upper(), "path": path, "summary": local(op.get("summary")),
                "tag": (op.get("tags") or [""])[0],
                "parameters": [_parameter(p) for p in
                               item.get("parameters", []) + op.get("parameters", [])],
                "body": _schema_name(op.get("requestBody", {})),
                "responses": {code: local(r.get("description")) for code, r in
                              op.get("responses", {}).items()},
                "secured": bool(op.get("security")),
            })  # fmt: skip
    return render_template(
        "docs/reference.html", spec=spec, operations=operations,
        schemas=spec.get("components", {}).get("schemas", {}),
    )  # fmt: skip


def _schema_name(body: dict) -> str:
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").rsplit("/", 1)[-1]


_SORT = re.compile(
    r"Comma-separated keys, each at most once, a leading - for descending: (?P<keys>.*)\. "
    r"Default: (?P<default>.*)\. Rows that tie keep one fixed order, so pages neither repeat "
    r"nor skip a row\."
)
_SEARCH = re.compile(
    r"Only rows where (?P<searched>.*) contains this text \(case-insensitive; % and _ are "
    r"matched as themselves\)\. Paging and X-Pagination apply to the rows found\."
)


def local(text: str | None) -> str:
    """An English text of the OpenAPI document in the user's language (``api_texts``)."""
    if not text:
        return ""
    sort = _SORT.fullmatch(text)
    if sort:
        default = sort["default"]
        if default == "the order they were set up in":
            default = str(SET_UP_ORDER)
        return str(SORT % {"keys": sort["keys"], "default": default})
    search = _SEARCH.fullmatch(text)
    if search:
        return str(SEARCH % {"searched": gettext(search["searched"])})
    return gettext(text)


def _parameter(parameter: dict) -> dict:
    return {
        **parameter,
        "description": local(parameter.get("description")),
        "in": str(PLACES.get(parameter["in"], parameter["in"])),
    }
