"""``GET /healthz`` for load balancers and monitors: is this app server up, and can it reach
its database? No sign-in, no session, no rate limit, nothing cached; one ``SELECT 1``.

The answers are for machines: 200 ``{"status": "ok", "database": "ok"}``, or 503 as
``application/problem+json`` when the database does not answer.
"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dryport.extensions import db, limiter
from dryport.schemas.problems import PROBLEM_JSON

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("health check: the database did not answer: %s", error)
        response = jsonify(
            type="about:blank", title="Service Unavailable", status=503, database="unreachable"
        )
        response.status_code = 503
        response.mimetype = PROBLEM_JSON
    else:
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
