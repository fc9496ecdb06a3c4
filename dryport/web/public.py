"""Pages anyone may open: the waybill verification page a QR code leads to."""

from flask import Blueprint, render_template, request

from dryport.extensions import db
from dryport.services import waybills

bp = Blueprint("public", __name__)


@bp.route("/verify/<number>")
def verify(number: str):
    """Whether a printed waybill is genuine, its revision, status, route and departure date.
    No parties and no cargo: whoever holds the paper may check it, nothing more."""
    result = waybills.verify(db.session, number, request.args.get("t", ""))
    return render_template("public/verify.html", result=result, waybill=result.waybill)
