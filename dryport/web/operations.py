"""The operator's pages: the departures board, planning departures, rolling bookings, and
running departures to departure and arrival."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from dryport.extensions import db
from dryport.hygiene import upload_limit
from dryport.i18n import local_time
from dryport.models import Booking, BookingStatus
from dryport.responses import csv_response, pdf_file_response, pdf_response
from dryport.schemas.operations import (
    DepartureCreateSchema,
    DepartureUpdateSchema,
    LegPlanUpdateSchema,
)
from dryport.services import (
    capacity,
    customs_release,
    departures,
    leg_plans,
    manifest,
    operations,
    places,
    print_jobs,
    railway_list,
    reference_data,
    rolls,
    tracking,
    waitlist,
)
from dryport.services.access import STAFF
from dryport.services.clock import to_local, utcnow
from dryport.services.containers import format_teu
from dryport.services.digits import whole_number
from dryport.services.errors import DomainError, Invalid
from dryport.services.pagination import paginate
from dryport.web import customs
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import (
    beijing_input,
    domain_errors,
    load_nested_form,
    route_filter,
    unflatten,
)
from dryport.web.lists import listing

bp = Blueprint("operations", __name__, url_prefix="/operations")

INTEGERS = frozenset({"capacity_teu", "capacity_kg", "version", "teu"})
QUOTA_ROWS = 4  # at least this many quota rows on the form, two of them blank at least


@bp.route("/")
@role_required(*STAFF)
def board():
    routes, route = route_filter(db.session)
    found = listing(departures.SORTING)
    page = paginate(
        db.session,
        departures.departures_query(
            route, start=departures.recent_start(), q=found.q, sort=found.sort
        ),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "operations/board.html",
        page=page,
        rows=operations.board(db.session, page.items),
        routes=routes,
        route=route,
        listing=found,
        crossings={c.code: c for c in places.list_crossings(db.session)},
    )


@bp.route("/departures/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_departure():
    form, errors, status = _quota_rows_compacted(request.form), {}, 200
    if request.method == "POST":
        data, errors = load_nested_form(DepartureCreateSchema(), _times(form))
        status = 422
        if data:
            try:
                departure = operations.create_departure(db.session, current_user, data)
            except DomainError as error:
                db.session.rollback()
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Departure %(service)s planned.", service=departure.service_no), "success")
                return redirect(url_for("operations.departure_detail", departure_id=departure.id))
    return _departure_form(None, form, errors, status)


@bp.route("/departures/<id:departure_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_departure(departure_id: int):
    departure = departures.get_departure(db.session, departure_id)
    try:
        operations.check_plannable(departure)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("operations.departure_detail", departure_id=departure_id))
    form, errors, status = _quota_rows_compacted(request.form), {}, 200
    if request.method == "POST":
        data, errors = load_nested_form(DepartureUpdateSchema(), _times(form))
        status = 422
        if data:
            data.setdefault("capacity_kg", None)
            data.setdefault("border_crossing", None)  # "none" chosen
            if "quota_rows" in form:  # the form showed the quotas: every row blank removes them
                data.setdefault("quotas", [])
            try:
                operations.update_departure(db.session, current_user, departure_id, data)
            except DomainError as error:
                db.session.rollback()
                departure = departures.get_departure(db.session, departure_id)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Departure %(service)s saved.", service=departure.service_no), "success")
                return redirect(url_for("operations.departure_detail", departure_id=departure_id))
    else:
        form = {
            "version": str(departure.version),
            "service_no": departure.service_no,
            "departs_at": _local_input(departure.departs_at),
            "cutoff_at": _local_input(departure.cutoff_at),
            "capacity_teu": str(departure.capacity_teu),
            "capacity_kg": "" if departure.capacity_kg is None else str(departure.capacity_kg),
            "border_crossing": departure.border_crossing or "",
        }
        for row, quota in enumerate(departure.quotas):
            form[f"quotas.{row}.station"] = quota.station.code
            form[f"quotas.{row}.teu"] = str(quota.teu)
    return _departure_form(departure, form, errors, status)


@bp.route("/departures/<id:departure_id>")
@role_required(*STAFF)
def departure_detail(departure_id: int):
    return departure_page(departure_id)


def departure_page(departure_id: int, status: int = 200, railway_errors=None, **release):
    """The departure's page; after a refused form, ``railway_errors`` are the railway list's
    errors by line, ``release`` a refused customs release's errors and inputs
    (``customs.section``)."""
    departure = departures.get_departure(db.session, departure_id)
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.departure_id == departure_id)
        .order_by(Booking.status, Booking.reference)
    ).all()
    return render_template(
        "operations/departure.html",
        departure=departure,
        row=operations.board(db.session, [departure])[0],
        bookings=bookings,
        positions=waitlist.positions(db.session, bookings),
        rollable=(BookingStatus.RECEIVED, BookingStatus.CONFIRMED),
        targets=rolls.roll_targets(db.session, departure),
        legs=tracking.track(departure),
        railway_errors=railway_errors,
        **customs.section(departure, **release),
    ), status


@bp.route("/departures/<id:departure_id>/railway-list", methods=["POST"])
@upload_limit(railway_list.MAX_REQUEST_BYTES)
@role_required(*STAFF)
def railway_list_upload(departure_id: int):
    """The railway's loading list, uploaded: all its lines are taken, or the page shows the
    errors of each bad line beside the file input."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Invalid(errors={"file": [_l("Choose the railway's loading list (a CSV file).")]})
        data = upload.stream.read(railway_list.MAX_BYTES + 1)
        result = railway_list.apply_loading_list(db.session, current_user, departure_id, data)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        return departure_page(departure_id, error.status, railway_errors=_line_errors(error))
    message = ngettext(
        "%(num)d container matched.", "%(num)d containers matched.", result["matched"]
    )
    if not result["changed"]:
        message += " " + _("No number changed.")
    elif result["changed"] < result["matched"]:
        message += " " + _("%(num)d of them changed.", num=result["changed"])
    flash(message, "success")
    return redirect(
        url_for("operations.departure_detail", departure_id=departure_id, _anchor="railway-list")
    )


def _line_errors(error: DomainError) -> dict:
    """A refused list's messages: ``summary`` (the error's own), ``file`` (about the file as
    a whole) and ``lines`` as (line label, messages) in the file's order."""
    errors = domain_errors(error)
    lines = [
        (_("Line %(n)s", n=key.removeprefix("line ")), messages)
        for key, messages in errors.items()
        if key.startswith("line ")
    ]
    return {
        "summary": errors.get("_schema", []),
        "file": [m for key, ms in errors.items() if key == "file" for m in ms],
        "lines": lines,
    }


@bp.route("/departures/<id:departure_id>/legs/<id:seq>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_leg(departure_id: int, seq: int):
    """One leg's plan: a blank input puts the field back to the route's default."""
    departure = departures.get_departure(db.session, departure_id)
    default = departures.leg_default(departure, seq)
    if default is None:
        abort(404)
    try:
        operations.check_plannable(departure)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("operations.departure_detail", departure_id=departure_id))
    row = next((r for r in departure.leg_plans if r.seq == seq), None)
    form, errors, status = request.form, {}, 200
    if request.method == "POST":
        data, errors = load_nested_form(
            LegPlanUpdateSchema(), _times(form, ("planned_departure", "planned_arrival"))
        )
        status = 422
        if data:
            for name in leg_plans.LEG_PLAN_FIELDS:
                data.setdefault(name, None)  # left blank: the default
            try:
                leg_plans.update_leg_plan(db.session, current_user, departure_id, seq, data)
            except DomainError as error:
                db.session.rollback()
                departure = departures.get_departure(db.session, departure_id)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Leg %(n)d saved.", n=seq), "success")
                return redirect(url_for("operations.departure_detail", departure_id=departure_id))
    else:
        form = {
            "version": str(departure.version),
            "carrier": (row.carrier if row else None) or "",
            "service_no": (row.service_no if row else None) or "",
            "planned_departure": _local_input(row.planned_departure) if row else "",
            "planned_arrival": _local_input(row.planned_arrival) if row else "",
        }
    return render_template(
        "operations/leg_form.html",
        departure=departure,
        plan=default,
        default=default,
        form=form,
        errors=errors,
    ), status


@bp.route("/departures/<id:departure_id>/waybills.pdf")
@role_required(*STAFF)
def departure_waybills(departure_id: int):
    """The departure's print job: its manifest, then every current waybill as a copy."""
    departure = departures.get_departure(db.session, departure_id)
    try:
        job = print_jobs.departure_job(db.session, departure_id)
    except DomainError:
        flash(_("No waybills yet: no booking of this departure is confirmed."), "info")
        return redirect(url_for("operations.departure_detail", departure_id=departure_id))
    return pdf_file_response(job, f"waybills-{departure.service_no}.pdf")


@bp.route("/departures/<id:departure_id>/manifest.<any(pdf, csv):fmt>")
@role_required(*STAFF)
def departure_manifest(departure_id: int, fmt: str):
    """The departure manifest (装车清单), as PDF or CSV."""
    found = manifest.departure_manifest(db.session, departure_id)
    filename = f"manifest-{found.service_no}.{fmt}"
    if fmt == "csv":
        return csv_response(manifest.as_csv(found), filename)
    return pdf_response(manifest.render_pdf(found), filename)


@bp.route("/departures/<id:departure_id>/<action>", methods=["GET", "POST"])
@role_required(*STAFF)
def departure_action(departure_id: int, action: str):
    """Depart, arrive, cancel (each after a confirmation page), or roll the selected
    bookings to another departure."""
    done = {
        "depart": (operations.depart, _("Departed: its confirmed bookings are on their way.")),
        "arrive": (operations.arrive, _("Arrived: its bookings are delivered.")),
        "cancel": (operations.cancel_departure, _("Departure cancelled.")),
    }
    if action not in done and action != "roll":
        abort(404)
    if action in done and (request.method == "GET" or not confirmed()):
        departure = departures.get_departure(db.session, departure_id)
        return _confirm_departure_action(departure, action, refused=request.method == "POST")
    if request.method == "GET":
        abort(405)
    try:
        if action == "roll":
            target = request.form.get("target", type=whole_number)
            references = request.form.getlist("references")
            rolls.roll_bookings(db.session, current_user, references, target or 0)
            message = ngettext(
                "%(num)d booking rolled.", "%(num)d bookings rolled.", len(references)
            )
        else:
            act, message = done[action]
            act(db.session, current_user, departure_id)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        messages = [str(error.message)] + [
            str(m) for ms in (error.errors or {}).values() for m in ms
        ]
        flash(" ".join(dict.fromkeys(messages)), "error")
    else:
        flash(message, "success")
    return redirect(url_for("operations.departure_detail", departure_id=departure_id))


def _confirm_departure_action(departure, action: str, refused: bool):
    """What recording a departure or an arrival, or cancelling, will do to this one."""
    row = operations.board(db.session, [departure])[0]
    blocked = None
    name = f"{departure.service_no} ({local_time(departure.departs_at)})"
    if action == "depart":
        title = _("Record that %(service)s has departed?", service=departure.service_no)
        consequences = [
            _(
                "%(service)s is recorded as departed now; its confirmed bookings"
                " (%(teu)s TEU) become departed and count in this month's shipped volume.",
                service=name,
                teu=format_teu(row["confirmed"]),
            )
        ]
        waiting = len(operations.waiting_references(db.session, departure))
        if waiting:
            blocked = ngettext(
                "Not yet possible: %(num)d booking still waits for its load check; roll"
                " or reject it first.",
                "Not yet possible: %(num)d bookings still wait for their load check; roll"
                " or reject them first.",
                waiting,
            )
        unreleased = customs_release.unreleased_references(db.session, departure)
        if unreleased and not blocked:  # the service refuses for waiting bookings first
            blocked = _(
                "Not yet possible: customs has not released %(refs)s; record their release"
                " (below the bookings on the departure's page) or roll them first.",
                refs=", ".join(unreleased),
            )
        if operations.crossing_missing(departure):
            blocked = _(
                "Not yet possible: name the border crossing this train takes (edit the"
                " departure) first."
            )
        early = departure.departs_at - utcnow()
        if early > timedelta(hours=1):
            consequences.append(
                _(
                    "It is planned to leave at %(time)s (%(when)s): record it only if the"
                    " train has really left.",
                    time=local_time(departure.departs_at),
                    when=format_timedelta(early, threshold=1, add_direction=True),
                )
            )
        button = _("Yes, it has departed")
    elif action == "arrive":
        title = _("Record that %(service)s has arrived?", service=departure.service_no)
        consequences = [
            _("%(service)s is recorded as arrived now; its bookings become arrived.", service=name)
        ]
        button = _("Yes, it has arrived")
    else:
        title = _("Cancel departure %(service)s?", service=departure.service_no)
        consequences = [
            _(
                "%(service)s is cancelled: it takes no more bookings and cannot be run.",
                service=name,
            )
        ]
        live = operations.live_references(db.session, departure)
        if live:
            blocked = _("Roll or reject its bookings first: %(refs)s.", refs=", ".join(live))
        button = _("Yes, cancel the departure")
    consequences.append(_("This cannot be undone."))
    return confirm_page(
        title=title,
        consequences=consequences,
        action=url_for("operations.departure_action", departure_id=departure.id, action=action),
        button=button,
        back=url_for("operations.departure_detail", departure_id=departure.id),
        refused=refused,
        blocked=blocked,
    )


def _departure_form(departure, form, errors, status):
    states = {s.station.code: s for s in capacity.quota_state(departure)} if departure else {}
    rows = [key for key in form if key.startswith("quotas.") and key.endswith(".station")]
    hints = {}  # by row: the quota as it stands, beside the first row of its station
    for key in rows:
        if form[key] in states and states[form[key]] not in hints.values():
            hints[key] = states[form[key]]
    return render_template(
        "operations/departure_form.html",
        departure=departure,
        form=form,
        errors=errors,
        routes=reference_data.list_routes(db.session),
        stations=[
            s
            for s in reference_data.list_stations(db.session)
            if s.active or s.code in states  # a quota's station, even one no longer in use
        ],
        quota_hints=hints,
        quota_rows=range(max(QUOTA_ROWS, len(rows) + 2)),
        release_hours=current_app.config["QUOTA_RELEASE_HOURS"],
    ), status


def _quota_rows_compacted(form) -> dict:
    """The form with its quota rows renumbered 0, 1, ... without the blank ones, so that a
    refusal's row numbers (of the list the service was given) are those of the page shown
    again."""
    rows = {}
    for key, value in form.items():
        if key.startswith("quotas."):
            _, row, name = (key.split(".", 2) + ["", ""])[:3]
            rows.setdefault(row, {})[name] = value
    compacted = {key: value for key, value in form.items() if not key.startswith("quotas.")}
    filled = [row for row in rows.values() if any(v.strip() for v in row.values())]
    for number, row in enumerate(filled):
        for name, value in row.items():
            compacted[f"quotas.{number}.{name}"] = value
    return compacted


def _times(form, keys=("departs_at", "cutoff_at")) -> dict:
    """The form nested, its Beijing-time inputs (``keys``) given their offset."""
    data = unflatten(form, INTEGERS)
    for key in keys:
        if key in data:
            data[key] = beijing_input(data[key])
    return data


def _local_input(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""
