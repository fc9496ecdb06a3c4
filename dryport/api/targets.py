"""Annual targets: the TEU a year should ship, in all and per station. Staff read them;
administrators set a year's at once (``PUT``)."""

from flask_smorest import Blueprint

from dryport.api.auth import BEARER, current_api_user, token_required
from dryport.api.errors import problems
from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.targets import TargetsSchema, TargetsSetSchema
from dryport.services import targets
from dryport.services.access import STAFF

blp = Blueprint("api_targets", __name__, description="Annual targets")


@blp.route("/targets/<year:year>")
@token_required(*STAFF)
@blp.doc(security=BEARER)
@blp.response(200, TargetsSchema)
@problems(404)
def get_targets(year):
    """A year's targets: the zone's and the stations' that have one"""
    return targets.targets_summary(year, targets.year_targets(db.session, year))


@blp.route("/targets/<year:year>", methods=["PUT"])
@token_required(Role.ADMIN)
@blp.doc(security=BEARER)
@blp.arguments(TargetsSetSchema)
@blp.response(200, TargetsSchema)
@problems(404, 409, descriptions={409: "The year's targets were changed since the version sent"})
def set_targets(body, year):
    """Set a year's targets (administrators): the zone's and each station's; a station not
    listed has none. The stations' may add up to less than the zone's, never more (422)"""
    done = targets.set_targets(db.session, current_api_user(), year, body)
    return targets.targets_summary(year, done)
