"""The home page and the departures board."""

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from dryport.extensions import db
from dryport.models import Role
from dryport.services import departures
from dryport.services.containers import format_teu
from dryport.services.digits import whole_number
from dryport.services.pagination import paginate
from dryport.web.access import role_required
from dryport.web.forms import route_filter
from dryport.web.lists import listing

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    home = {
        Role.CLERK: "station.queue",
        Role.OPERATOR: "operations.board",
        Role.ADMIN: "admin.index",
    }
    return redirect(url_for(home.get(current_user.role, "main.departures_board")))


@bp.route("/departures/availability.json")
@role_required()
def availability():
    """Free TEU of the departures still taking bookings (capacity not held, station quotas
    included: the booking form shows each station its room from ``/bookings/room``)."""
    return jsonify(
        [
            {"id": d.id, "free_teu": format_teu(d.free_teu), "status": d.status.name}
            for d in departures.bookable_departures(db.session)
        ]
    )


@bp.route("/departures")
@role_required()
def departures_board():
    """Every departure from today on with its cut-off and free TEU."""
    routes, route = route_filter(db.session)
    found = listing(departures.SORTING)
    page = paginate(
        db.session,
        departures.departures_query(route, q=found.q, sort=found.sort),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "main/departures.html", page=page, routes=routes, route=route, listing=found
    )
