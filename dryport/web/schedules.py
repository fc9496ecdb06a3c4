"""The operator's weekly schedule: one form that plans a service's departures on one weekday
over a range of days (``services.schedules``)."""

from datetime import timedelta

from babel.dates import get_day_names
from flask import Blueprint, flash, render_template, request
from flask_babel import get_locale, ngettext
from flask_login import current_user

from dryport.extensions import db
from dryport.schemas.operations import DepartureSeriesSchema
from dryport.services import reference_data, schedules
from dryport.services.access import STAFF
from dryport.services.clock import local_today
from dryport.web.access import role_required
from dryport.web.forms import attempt, load_nested_form, unflatten

bp = Blueprint("schedules", __name__, url_prefix="/operations")

INTEGERS = frozenset({"weekday", "cutoff_hours", "capacity_teu", "capacity_kg"})
#: What a new schedule's form starts with: a quarter of a year from tomorrow.
DEFAULT_WEEKS = 13


@bp.route("/departures/series", methods=["GET", "POST"])
@role_required(*STAFF)
def new_series():
    """The form; once sent, the departures planned and those already there, listed below it."""
    form, errors, status, result = request.form, {}, 200, None
    if request.method == "POST":
        data, errors = load_nested_form(DepartureSeriesSchema(), unflatten(form, INTEGERS))
        status = 422
        if data:
            result, errors, status = attempt(
                lambda: schedules.create_series(db.session, current_user, data)
            )
        if result is not None:
            created, skipped = len(result["created"]), len(result["skipped"])
            flash(
                ngettext("%(num)d departure planned,", "%(num)d departures planned,", created)
                + " "
                + ngettext("%(num)d already there.", "%(num)d already there.", skipped),
                "success",
            )
    else:
        start = local_today() + timedelta(days=1)
        form = {
            "time": "10:00",
            "cutoff_hours": "24",
            "from": start.isoformat(),
            "to": (start + timedelta(weeks=DEFAULT_WEEKS)).isoformat(),
        }
    names = get_day_names("wide", locale=get_locale())  # 0 is Monday
    return render_template(
        "operations/series_form.html",
        form=form,
        errors=errors,
        result=result,
        routes=reference_data.list_routes(db.session),
        weekdays=[(number, names[number - 1]) for number in range(1, 8)],
        max_cutoff_hours=schedules.MAX_CUTOFF_HOURS,
    ), status
