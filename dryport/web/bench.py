"""``POST /bench/baseline``: the bare limit of the stack, for the booking-throughput
benchmark (``bench/throughput.py``).

It takes the same JSON body as ``POST /api/v1/bookings`` and does one plain INSERT of it, in
the same app, so it pays what every request pays (the request hooks, the session, the commit
at the end) and nothing of the booking rules. Registered only when ``BENCH_BASELINE`` is set;
never in production. Its table is not part of the schema: the benchmark makes it.
"""

import json

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert

from dryport.db import UTCDateTime, utcnow
from dryport.extensions import csrf, db

bp = Blueprint("bench", __name__)

#: Kept off the app's metadata, so that migrations and the schema test never see it.
baseline_rows = Table(
    "bench_baseline",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)


@bp.post("/bench/baseline")
def baseline():
    body = request.get_json()
    row_id = db.session.execute(
        insert(baseline_rows)
        .values(body=json.dumps(body), created_at=utcnow())
        .returning(baseline_rows.c.id)
    ).scalar_one()
    return jsonify(id=row_id), 201


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # called like the API, without a session
    app.register_blueprint(bp)
