"""The clerk's pages: the station's load queue, and checking a load (confirm or reject)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from dryport.extensions import db
from dryport.models import ContainerOwner, Role, SealedBy, VgmMethod
from dryport.schemas.operations import ConfirmSchema, LoadDraftRowSchema, RejectSchema
from dryport.services import bookings, load_drafts, loading
from dryport.services.containers import format_teu, number_from_line
from dryport.services.departures import station_cutoff
from dryport.services.digits import is_whole_number, whole_number
from dryport.services.errors import DomainError
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import (
    attempt,
    beijing_input,
    domain_errors,
    load_nested_form,
    unflatten,
)
from dryport.web.lists import listing

bp = Blueprint("station", __name__, url_prefix="/station")

DRAFT_INPUTS = frozenset(LoadDraftRowSchema().fields)
ROW_INTEGERS = frozenset({"tare_kg", "vgm_kg", "cargo_kg", "packing_kg", "max_gross_kg", "version"})


@bp.route("/")
@role_required(Role.CLERK)
def queue():
    """RECEIVED bookings from this station, the earliest cut-off first."""
    found = listing(loading.QUEUE_SORTING)
    waiting = loading.station_queue(db.session, current_user, q=found.q, sort=found.sort)
    return render_template(
        "station/queue.html",
        waiting=[(b, station_cutoff(b.departure, b.origin_station)) for b in waiting],
        listing=found,
    )


@bp.route("/bookings/<reference:reference>/check", methods=["GET", "POST"])
@role_required(Role.CLERK)
def check_load(reference: str):
    """Check a load: its container rows, confirmed, or saved as a draft to finish later."""
    booking = bookings.get_booking(db.session, current_user, reference)
    units = [line.size_type for line in booking.lines for _ in range(line.quantity)]
    draft = load_drafts.draft_of(db.session, booking)
    form = dict(request.form) if request.method == "POST" else _restored(booking, draft)
    errors: dict[str, list[str]] = {}
    status = 200
    action = request.form.get("action")
    if request.method == "POST" and action == "fill":
        _fill_numbers(form, request.form.get("numbers", ""), len(units))
    elif request.method == "POST" and action == "draft":
        saved, errors, status = attempt(
            lambda: load_drafts.save_draft(
                db.session, current_user, reference, _draft_rows(form, len(units))
            )
        )
        if saved is not None:
            flash(_("The rows are saved; finish the check when you come back."), "success")
            return redirect(url_for("station.check_load", reference=reference))
    elif request.method == "POST":
        nested = unflatten(form, ROW_INTEGERS)
        nested.setdefault("containers", [])
        for row in nested["containers"]:
            if isinstance(row, dict) and isinstance(row.get("weighed_at"), str):
                row["weighed_at"] = beijing_input(row["weighed_at"])
        data, errors = load_nested_form(ConfirmSchema(), nested)
        status = 422
        if data:
            try:
                loading.confirm_load(
                    db.session,
                    current_user,
                    reference,
                    data["containers"],
                    data["version"],
                    accept_weighed_mass=data["accept_weighed_mass"],
                )
            except DomainError as error:
                db.session.rollback()
                booking = bookings.get_booking(db.session, current_user, reference)
                draft = load_drafts.draft_of(db.session, booking)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Load of %(reference)s confirmed.", reference=reference), "success")
                return redirect(url_for("station.queue"))
    return render_template(
        "station/check.html",
        booking=booking,
        units=units,
        form=form,
        errors=errors,
        draft=draft,
        weighed=_typed_weighed_kg(form, len(units)),
        tolerance=format_teu(loading.tolerance_pct()),
        methods=list(VgmMethod),
        owners=list(ContainerOwner),
        sealers=list(SealedBy),
        cutoff=station_cutoff(booking.departure, booking.origin_station),
    ), status


@bp.route("/bookings/<reference:reference>/reject", methods=["GET", "POST"])
@role_required(Role.CLERK)
def reject_load(reference: str):
    """Reject with a reason, after a confirmation page that shows the reason and what the
    rejection does."""
    booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
    data, errors = load_nested_form(RejectSchema(), unflatten(request.values, ROW_INTEGERS))
    if errors:
        flash(" ".join(m for messages in errors.values() for m in messages), "error")
        return redirect(url_for("station.check_load", reference=reference))
    if request.method == "GET" or not confirmed():
        return _confirm_reject(booking, data, refused=request.method == "POST")
    try:
        loading.reject_load(db.session, current_user, reference, data["reason"], data["version"])
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("station.check_load", reference=reference))
    flash(
        _("%(reference)s rejected; the shipper sees your reason.", reference=reference), "success"
    )
    return redirect(url_for("station.queue"))


def _confirm_reject(booking, data: dict, refused: bool):
    return confirm_page(
        title=_("Reject load %(reference)s?", reference=booking.reference),
        consequences=[
            _(
                "Booking %(reference)s of %(company)s is rejected; its %(teu)s TEU on"
                " %(service)s are given up.",
                reference=booking.reference,
                company=booking.company.name,
                teu=format_teu(booking.teu),
                service=booking.departure.service_no,
            ),
            _("The shipper reads your reason: “%(reason)s”", reason=data["reason"]),
            _("This cannot be undone: the shipper must book again."),
        ],
        action=url_for("station.reject_load", reference=booking.reference),
        button=_("Yes, reject the load"),
        back=url_for("station.check_load", reference=booking.reference),
        fields={"reason": data["reason"], "version": data["version"]},
        refused=refused,
    )


def _restored(booking, draft) -> dict:
    """The check form as first shown: the saved draft's rows, if any."""
    form = {"version": str(booking.version)}
    for index, row in enumerate(draft.rows if draft else []):
        for name, value in row.items():
            form[f"containers.{index}.{name}"] = str(value)
    return form


def _draft_rows(form: dict, units: int) -> list[dict]:
    """The rows typed so far, one per container, blanks left out; a value a draft cannot
    keep (a number with a stray character) is left for the clerk to type again."""
    schema = LoadDraftRowSchema()
    rows = []
    for index in range(units):
        prefix = f"containers.{index}."
        row = {
            key.removeprefix(prefix): value.strip()
            for key, value in form.items()
            if key.startswith(prefix) and key.removeprefix(prefix) in DRAFT_INPUTS
        }
        row = {key: value for key, value in row.items() if value}
        try:
            rows.append(schema.load(row))
        except ValidationError as error:
            rows.append(schema.load({k: v for k, v in row.items() if k not in error.messages}))
    return rows


def _typed_weighed_kg(form: dict, units: int) -> int:
    """The cargo mass of the rows typed so far (``loading.typed_cargo_kg``), as the page's
    script adds them up."""
    rows = []
    for index in range(units):
        row = {"vgm_method": form.get(f"containers.{index}.vgm_method")}
        for name in ("tare_kg", "vgm_kg", "cargo_kg", "packing_kg"):
            value = str(form.get(f"containers.{index}.{name}", "")).strip()
            row[name] = whole_number(value) if is_whole_number(value) else None
        rows.append(row)
    return loading.typed_cargo_kg(rows)


def _fill_numbers(form: dict, pasted: str, rows: int) -> None:
    """Numbers pasted from a yard sheet, one per line, fill the rows in order."""
    numbers = [n for n in map(number_from_line, pasted.splitlines()) if n]
    for index, number in enumerate(numbers[:rows]):
        form[f"containers.{index}.number"] = number
