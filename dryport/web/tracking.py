"""Tracking pages: recording a departure's transport events (operators) and the hand-off
page a node's staff record containers on, from a tablet (DESIGN §12)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.labels import label
from dryport.models import EquipmentEventType, EventClassifier, Role, TransportEventType
from dryport.schemas.tracking import EquipmentEventInSchema, TransportEventInSchema
from dryport.services import departures, tracking
from dryport.services.access import STAFF
from dryport.services.clock import to_local, utcnow
from dryport.services.errors import DomainError, NotFound
from dryport.web.access import role_required
from dryport.web.forms import attempt, beijing_input, load_form, load_nested_form, unflatten

bp = Blueprint("tracking", __name__)

#: What a node records on the hand-off page: a container through its gate, or off the
#: train, barge or ship that brought it.
HANDOFF_TYPES = (EquipmentEventType.GTIN, EquipmentEventType.DISC, EquipmentEventType.GTOT)


@bp.route("/operations/departures/<id:departure_id>/events", methods=["GET", "POST"])
@role_required(*STAFF)
def departure_event(departure_id: int):
    """Record that a leg left or arrived, or is expected to."""
    departure = departures.get_departure(db.session, departure_id)
    legs = tracking.track(departure)
    form, errors, status = request.form, {}, 200
    if request.method == "POST":
        data, errors = load_nested_form(TransportEventInSchema(), _beijing(form))
        status = 422
        if data:
            _event, errors, status = attempt(
                lambda: tracking.record_transport_event(
                    db.session, current_user, departure_id, data
                )
            )
            if not errors:
                flash(_("Event recorded."), "success")
                return redirect(url_for("operations.departure_detail", departure_id=departure_id))
            departure = departures.get_departure(db.session, departure_id)
            legs = tracking.track(departure)
    else:
        current = tracking.current_leg(legs)
        form = {
            "leg_seq": str(current.seq if current else legs[-1].seq if legs else ""),
            "type": "DEPA" if current is None or current.status == "PLANNED" else "ARRI",
            "classifier": "ACT",
            "at": to_local(utcnow()).strftime("%Y-%m-%dT%H:%M"),
        }
    return render_template(
        "tracking/event_form.html",
        departure=departure,
        legs=legs,
        form=form,
        errors=errors,
        types=[(t.name, label(t)) for t in TransportEventType],
        classifiers=[(c.name, label(c)) for c in (EventClassifier.ACT, EventClassifier.EST)],
        locations=tracking.location_choices(db.session),
    ), status


@bp.route("/handoff")
@role_required(Role.CLERK, *STAFF)
def handoff_search():
    """Type or scan a waybill number, a container number or a booking reference."""
    key = request.args.get("q", "").strip()
    if key:
        try:
            booking = tracking.handoff_booking(db.session, current_user, key)
        except NotFound:
            return render_template("tracking/handoff_search.html", key=key, missing=True), 404
        return redirect(url_for("tracking.handoff", reference=booking.reference))
    return render_template("tracking/handoff_search.html", key="", missing=False)


@bp.route("/handoff/<reference:reference>", methods=["GET", "POST"])
@role_required(Role.CLERK, *STAFF)
def handoff(reference: str):
    """A booking's containers, each with two buttons: seal intact, seal broken. The event
    (gate-in, discharge, gate-out) is chosen once above them."""
    booking = _handoff_booking(reference)
    errors, status = {}, 200
    chosen = request.values.get("type", EquipmentEventType.GTIN.name)
    if chosen not in {t.name for t in HANDOFF_TYPES}:
        chosen = EquipmentEventType.GTIN.name
    location = _location()
    if request.method == "POST":
        number, _sep, seal = request.form.get("record", "").partition("|")
        if number not in {c.number for c in booking.containers} or seal not in ("ok", "broken"):
            abort(400)
        note = request.form.get(f"note-{number}", "")
        data, errors = load_form(
            EquipmentEventInSchema(),
            {"type": chosen, "location": location or "", "seal_intact": seal == "ok", "note": note},
        )
        if data:
            event, errors, status = attempt(
                lambda: tracking.record_equipment_event(db.session, current_user, number, data)
            )
        else:
            status = 422
        if not errors:
            message = _(
                "%(event)s recorded for %(number)s.", event=label(event.type), number=number
            )
            flash(message, "success" if event.seal_intact else "error")
            return redirect(url_for("tracking.handoff", reference=reference, type=chosen))
        errors = {f"{key}-{number}": value for key, value in errors.items()}
        booking = _handoff_booking(reference)
    return render_template(
        "tracking/handoff.html",
        booking=booking,
        chosen=chosen,
        types=[(t.name, label(t)) for t in HANDOFF_TYPES],
        location=location,
        locations=tracking.location_choices(db.session),
        tracking=tracking.tracking_of(db.session, booking),
        form=request.form,
        errors=errors,
    ), status


@bp.route("/handoff/location", methods=["POST"])
@role_required(*STAFF)
def handoff_location():
    """Where an operator's tablet stands: remembered for the session."""
    code = request.form.get("location", "")
    if code in {c for c, _name in tracking.location_choices(db.session)}:
        session["handoff_location"] = code
    target = request.form.get("next", "")
    if not target.startswith("/handoff"):
        target = url_for("tracking.handoff_search")
    return redirect(target)


def _handoff_booking(reference: str):
    try:
        return tracking.handoff_booking(db.session, current_user, reference)
    except DomainError:
        abort(404)


def _location() -> str | None:
    """A clerk's own station; an operator's chosen node."""
    if current_user.role is Role.CLERK:
        return current_user.station.code
    return session.get("handoff_location")


def _beijing(form) -> dict:
    """The event form nested, its leg a number and its time Beijing time."""
    data = unflatten(form, frozenset({"leg_seq"}))
    if "at" in data:
        data["at"] = beijing_input(data["at"])
    return data
