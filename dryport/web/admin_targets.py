"""The administrator's page of a year's targets (on the ``admin`` blueprint): the zone's TEU
and each station's, set at once (``services.targets``)."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.targets import TargetsSetSchema
from dryport.services import reference_data, targets
from dryport.services.clock import local_today
from dryport.web.access import role_required
from dryport.web.admin import bp, submit
from dryport.web.forms import unflatten


@bp.route("/targets", defaults={"year": None}, methods=["GET", "POST"])
@bp.route("/targets/<year:year>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def annual_targets(year: int | None):
    year = year or local_today().year
    stations = reference_data.list_stations(db.session)
    current = targets.year_targets(db.session, year)
    errors, status = {}, 200
    if request.method == "POST":
        done, errors, status = submit(
            TargetsSetSchema(),
            lambda data: targets.set_targets(db.session, current_user, year, data),
            _("Targets for %(year)s saved.", year=year),
            unflatten(request.form),
        )
        if done:
            return redirect(url_for("admin.annual_targets", year=year))
        form = request.form
    else:
        form = {"target_teu": current[None].target_teu if None in current else "",
                "version": targets.targets_version(current)}  # fmt: skip
        for i, station in enumerate(stations):
            if station.code in current:
                form[f"stations.{i}.target_teu"] = current[station.code].target_teu
    return render_template(
        "admin/targets.html", year=year, stations=stations, form=form, errors=errors,
        this_year=local_today().year,
    ), status  # fmt: skip
