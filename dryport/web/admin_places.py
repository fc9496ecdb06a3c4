"""The administrator's pages of places and border crossings (on the ``admin`` blueprint)."""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.models import PlaceKind, Role
from dryport.schemas.admin import (
    CrossingCreateSchema,
    CrossingEditSchema,
    PlaceCreateSchema,
    PlaceEditSchema,
)
from dryport.services import places
from dryport.services.digits import whole_number
from dryport.services.pagination import paginate
from dryport.web.access import role_required
from dryport.web.admin import bp, submit, with_checkboxes
from dryport.web.lists import listing


@bp.route("/places")
@role_required(Role.ADMIN)
def place_list():
    found = listing(places.PLACE_SORTING)
    page = paginate(
        db.session,
        places.places_query(found.q, found.sort),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "admin/places.html", page=page, listing=found,
        crossings=places.list_crossings(db.session),
    )  # fmt: skip


@bp.route("/places/new", methods=["GET", "POST"])
@bp.route("/places/<place_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_place(place_code: str | None = None):
    place = places.get_place(db.session, place_code) if place_code else None
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        form = with_checkboxes("active")
        if place is None:
            schema = PlaceCreateSchema()
            action = lambda data: places.create_place(db.session, current_user, data)  # noqa: E731
        else:
            schema = PlaceEditSchema()
            action = lambda data: places.update_place(db.session, current_user, place_code, data)  # noqa: E731
        done, errors, status = submit(schema, action, _("Place saved."), form)
        if done:
            return redirect(url_for("admin.place_list"))
    elif place is not None:
        form = {
            "name_zh": place.name_zh, "name_en": place.name_en, "kind": place.kind.name,
            "railway_code": place.railway_code or "", "active": place.active,
        }  # fmt: skip
    else:
        form = {"active": True}
    return render_template(
        "admin/place.html", place=place, form=form, errors=errors, kinds=list(PlaceKind)
    ), status


@bp.route("/crossings/new", methods=["GET", "POST"])
@bp.route("/crossings/<crossing_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_crossing(crossing_code: str | None = None):
    crossing = places.get_crossing(db.session, crossing_code) if crossing_code else None
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        form = with_checkboxes("gauge_change")
        if crossing is None:
            schema = CrossingCreateSchema()
            action = lambda data: places.create_crossing(db.session, current_user, data)  # noqa: E731
        else:
            schema = CrossingEditSchema()
            action = lambda data: places.update_crossing(  # noqa: E731
                db.session, current_user, crossing_code, data
            )
        done, errors, status = submit(schema, action, _("Border crossing saved."), form)
        if done:
            return redirect(url_for("admin.place_list"))
    elif crossing is not None:
        form = {
            "exit_place": crossing.exit_place.code, "entry_place": crossing.entry_place.code,
            "gauge_change": crossing.gauge_change,
        }  # fmt: skip
    borders = db.session.scalars(places.places_query(kind=PlaceKind.BORDER)).all()
    return render_template(
        "admin/crossing.html", crossing=crossing, form=form, errors=errors, borders=borders
    ), status
