"""Pages anyone may open: the waybill verification page a QR code leads to."""

from flask import Blueprint, render_template, request

from dryport.extensions import db
from dryport.services import tracking, waybills
from dryport.services.errors import NotFound

bp = Blueprint("public", __name__)


@bp.route("/verify/<number>")
def verify(number: str):
    """Whether a printed waybill is genuine, its revision, status, route and departure date.
    No parties and no cargo: whoever holds the paper may check it, nothing more. A link that
    matches no waybill gets a warning page that it is not genuine (404)."""
    try:
        result = waybills.verify(db.session, number, request.args.get("t", ""))
    except NotFound:
        # The same warning for an unknown number and a wrong token: it tells a forger
        # nothing, and the holder of the paper that it is not to be trusted.
        return render_template("public/not_genuine.html"), 404
    return render_template(
        "public/verify.html",
        result=result,
        waybill=result.waybill,
        legs=tracking.track(result.waybill.booking.departure),
    )
