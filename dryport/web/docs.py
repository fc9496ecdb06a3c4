"""The API reference, rendered on the server from the OpenAPI document: nothing is loaded from
elsewhere, and it is always the document the API serves."""

from flask import Blueprint, render_template

from dryport.extensions import api

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
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "tag": (op.get("tags") or [""])[0],
                "parameters": item.get("parameters", []) + op.get("parameters", []),
                "body": _schema_name(op.get("requestBody", {})),
                "responses": {code: r.get("description", "") for code, r in
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
