"""Bookings as each role sees them (a shipper its company's, a clerk its station's), and the
shipper's booking form, amendment and cancellation."""

import functools
from datetime import date

from babel.numbers import get_currency_name
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from dryport import booking_formats
from dryport.db import lock_at_first_write
from dryport.extensions import db
from dryport.i18n import local_time, locale_code, localized
from dryport.models import Booking, BookingStatus, Departure, DepartureStatus, EventType, Role
from dryport.responses import csv_response, pdf_response
from dryport.schemas.bookings import BookingAmendSchema, BookingCreateSchema
from dryport.schemas.quotes import QuoteRequestSchema
from dryport.services import (
    address_book,
    booking_templates,
    bookings,
    capacity,
    customs,
    departures,
    originals,
    pricing,
    reference_data,
    shipment,
    tracking,
    waitlist,
    waybills,
)
from dryport.services.access import STAFF
from dryport.services.containers import SIZE_TYPES, format_teu
from dryport.services.departures import station_cutoff
from dryport.services.digits import record_id, whole_number
from dryport.services.errors import CapacityExceeded, DomainError
from dryport.services.pagination import SEARCH_WINDOW
from dryport.web import documents
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import domain_errors, flatten, load_nested_form, route_filter, unflatten
from dryport.web.lists import listing

bp = Blueprint("bookings", __name__, url_prefix="/bookings")

FORM_INTEGERS = frozenset({"departure_id", "quantity", "count", "version"})
FORM_ROWS = 4  # container lines on the form; more size-types than that is unheard of


@bp.route("/")
@role_required()
def list_bookings():
    status, routes, route, month, found = _filters()
    page = bookings.bookings_page(
        db.session,
        current_user,
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
        cursor=request.args.get("cursor") or None,
        q=found.q,
        sort=found.sort,
        status=status,
        route=route,
        month=month,
        details=False,
    )
    return render_template(
        "bookings/list.html",
        page=page,
        positions=waitlist.positions(db.session, page.items),
        status=status,
        statuses=list(BookingStatus),
        routes=routes,
        route=route,
        month=month,
        listing=found,
        search_window=SEARCH_WINDOW,
    )


#: At most this many bookings in one export; a narrower filter gets the rest.
EXPORT_LIMIT = 10_000


@bp.route("/export.csv")
@role_required()
def export_bookings():
    """The bookings of the list, as filtered and ordered, with their shipment detail."""
    status, _routes, route, month, found = _filters()
    stmt = (
        bookings.bookings_query(
            current_user, status=status, route=route, month=month, q=found.q, sort=found.sort,
            details=False,
        )
        .options(selectinload(Booking.lines))
        .limit(EXPORT_LIMIT)
    )  # fmt: skip
    return csv_response(booking_formats.as_csv(db.session.scalars(stmt)), "bookings.csv")


def _filters():
    """The list's filters from the query string: status, routes and the route chosen, the
    departure month, search and order."""
    status = BookingStatus.__members__.get(request.args.get("status", ""))
    routes, route = route_filter(db.session)
    month = _month(request.args.get("month", ""))
    return status, routes, route, month, listing(bookings.SORTING)


def _month(value: str) -> date | None:
    try:
        year, month = (whole_number(part) for part in value.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


@bp.route("/<reference:reference>")
@role_required()
def booking_detail(reference: str):
    booking = bookings.get_booking(db.session, current_user, reference)
    return detail_page(booking)


def detail_page(booking, status: int = 200, **documents_section):
    """The booking's page; ``documents_section`` carries an upload's errors and choices."""
    waiting = booking.status is BookingStatus.WAITLISTED
    expired = [e for e in booking.events if e.type is EventType.EXPIRED]
    return render_template(
        "bookings/detail.html",
        booking=booking,
        position=waitlist.ahead(db.session, booking) + 1 if waiting else None,
        expiry=expired[-1].details.get("reason") if expired else None,
        cutoff=station_cutoff(booking.departure, booking.origin_station),
        actions=bookings.shipper_actions(current_user, booking),
        customs_open=customs.customs_open(current_user, booking),
        package_kind=shipment.package_kind_name(booking.package_kind, locale_code()),
        sea_leg=shipment.sea_leg(booking),
        tracking=tracking.page_tracking(db.session, booking),
        **documents.section(booking, **documents_section),
    ), status


@bp.route("/<reference:reference>/customs", methods=["GET", "POST"])
@role_required(*customs.CUSTOMS_ROLES)
def booking_customs(reference: str):
    """Give or change the customs data alone, until the departure leaves."""
    booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
    errors: dict[str, list[str]] = {}
    status = 200
    form = request.form if request.method == "POST" else customs_form(booking)
    if request.method == "POST":
        nested = {"customs": None, **unflatten(form, FORM_INTEGERS)}
        data, errors = load_nested_form(BookingAmendSchema(only=("version", "customs")), nested)
        status = 422
        if data:
            try:
                customs.set_customs(
                    db.session, current_user, reference, data["customs"], data["version"]
                )
            except DomainError as error:
                if error.status == 404:
                    raise
                db.session.rollback()
                booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Customs data of %(reference)s saved.", reference=reference), "success")
                return redirect(url_for("bookings.booking_detail", reference=reference))
    return render_template(
        "bookings/customs.html",
        booking=booking,
        form=form,
        errors=errors,
        open=customs.customs_open(current_user, booking),
        **shipment_choices(),
    ), status


@bp.route("/<reference:reference>/waybill.pdf")
@role_required(Role.SHIPPER, *STAFF)
def waybill_pdf(reference: str):
    """The booking's current waybill (its owner's copy, or the operator's print)."""
    waybill = waybills.waybill_for(db.session, current_user, reference)
    return pdf_response(waybills.render_pdf([waybill]), f"{waybill.number}.pdf")


@bp.route("/<reference:reference>/waybill/originals", methods=["POST"])
@lock_at_first_write
@role_required(*STAFF)
def waybill_originals(reference: str):
    """Print the current revision's originals, once; a second time says when and by whom."""
    try:
        printed = originals.print_originals(db.session, current_user, reference)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("bookings.booking_detail", reference=reference))
    waybill = printed.waybill
    return pdf_response(printed.pdf, f"{waybill.number}-r{waybill.revision}-originals.pdf")


@bp.route("/new", methods=["GET", "POST"])
@lock_at_first_write
@role_required(Role.SHIPPER)
def new_booking():
    errors: dict[str, list[str]] = {}
    form = request.form
    if request.method == "POST" and request.form.get("fill") in PARTIES:
        return _form_page("new", _filled(form), errors, 200)
    if request.method == "POST":
        data, errors = load_nested_form(BookingCreateSchema(), unflatten(form, FORM_INTEGERS))
        if data:
            try:
                booking = bookings.place_booking(db.session, current_user, data)
            except DomainError as error:
                db.session.rollback()
                errors = domain_errors(error)
                status = error.status
                if isinstance(error, CapacityExceeded):  # the way to wait, beside its box
                    errors["waitlist"] = [_("Tick this box and book again to wait for room.")]
            else:
                flash(_placed(booking), "success")
                return redirect(url_for("bookings.booking_detail", reference=booking.reference))
        else:
            status = 422
    else:
        form = {**_reused(request.args), **_prefill(request.args)}
        status = 200
    return _form_page("new", form, errors, status)


#: The booking form's parties an address book entry fills in.
PARTIES = ("consignee", "notify_party")


def _filled(form) -> dict:
    """The form as sent, with the party named by its ``fill`` button filled in from the
    address book entry chosen in its picker (``pick_<party>``): the picker without script."""
    party = form["fill"]
    filled = {key: value for key, value in form.items() if key != "fill"}
    entry_id = record_id(form.get(f"pick_{party}", ""))
    if entry_id is not None:
        entry = address_book.get_entry(db.session, current_user, entry_id)
        filled[f"{party}.name"], filled[f"{party}.address"] = entry.name, entry.address
    return filled


def _reused(args) -> dict:
    """The new booking form filled in from a template (``?template=``) or as a copy of a
    booking (``?copy=``): what ``services.booking_templates`` keeps of either."""
    template_id = record_id(args.get("template", ""))
    if template_id is not None:
        template = booking_templates.get_template(db.session, current_user, template_id)
        return flatten(template.body)
    if args.get("copy"):
        booking = bookings.get_booking(db.session, current_user, args["copy"], timeline=False)
        try:
            return flatten(booking_templates.as_body(booking_templates.booking_data(booking)))
        except DomainError as error:
            flash(str(error.message), "error")
    return {}


def _placed(booking) -> str:
    """What placing ``booking`` did: TEU held, or a place on the waitlist."""
    if booking.status is BookingStatus.WAITLISTED:
        return _(
            "Booking %(reference)s is on the waitlist of %(service)s, position %(n)d: it is"
            " received as soon as room frees.",
            reference=booking.reference,
            service=booking.departure.service_no,
            n=waitlist.ahead(db.session, booking) + 1,
        )
    return _(
        "Booking %(reference)s received: %(teu)s TEU held on %(service)s.",
        reference=booking.reference,
        teu=format_teu(booking.teu),
        service=booking.departure.service_no,
    )


@bp.route("/room", methods=["POST"])
@role_required(Role.SHIPPER)
def room_fragment():
    """What the chosen departure has free for the chosen station (its quota and the open
    pool), for the booking form to show as the shipper chooses."""
    stations = reference_data.list_stations(db.session, active_only=True)
    return render_template("bookings/_room.html", room=_room_of(request.form, stations))


def _room_of(form, stations, offered=None) -> dict | None:
    """The room on the form's departure for its origin station (``services.capacity``), and
    the TEU its container lines ask for; None while no bookable departure is chosen.
    ``offered``: the departures the form lists, when loaded already."""
    try:
        nested = unflatten(form, FORM_INTEGERS)
    except DomainError:
        return None
    departure_id = nested.get("departure_id")
    if not isinstance(departure_id, int):
        return None
    if offered is None:
        offered = [db.session.get(Departure, departure_id)]
    departure = next((d for d in offered if d is not None and d.id == departure_id), None)
    if departure is None or departure.status is not DepartureStatus.SCHEDULED:
        return None
    station = next((s for s in stations if s.code == nested.get("origin_station")), None)
    lines = [
        line for line in nested.get("containers") or []
        if isinstance(line, dict) and line.get("size_type") in SIZE_TYPES
        and isinstance(line.get("quantity"), int) and 0 < line["quantity"] <= 100
    ]  # fmt: skip
    states = capacity.quota_state(departure)
    available = capacity.available_for(departure, station.id) if station else None
    teu = bookings.booking_teu(lines) if lines else None
    return {
        "departure": departure,
        "station": station,
        "quotas": bool(states),
        "quota": next((q for q in states if station and q.station.id == station.id), None),
        "pool": capacity.pool_available(departure),
        "available": available,
        "teu": teu,
        "short": teu is not None and available is not None and teu > available,
    }


@bp.route("/quote", methods=["POST"])
@role_required(Role.SHIPPER)
def quote_fragment():
    """The price of the booking form as filled, for the form to show as the shipper types
    (``?reference=`` for an amendment: priced as the amendment will be)."""
    reference = request.args.get("reference")
    booking = (
        bookings.get_booking(db.session, current_user, reference, timeline=False)
        if reference
        else None
    )
    return render_template("bookings/_charges.html", **_price_of(request.form, booking))


def _price_of(form, booking=None) -> dict:
    """The charges of the form as filled, or a note saying why there is no price yet."""
    try:
        nested = unflatten(form, FORM_INTEGERS)
    except DomainError:
        nested = {}
    cargo = nested.get("cargo") if isinstance(nested.get("cargo"), dict) else {}
    body = {
        "containers": [
            line for line in nested.get("containers") or []
            if isinstance(line, dict) and line.get("size_type") and line.get("quantity")
        ],
        "cargo": {
            "gross_weight_kg": cargo.get("gross_weight_kg"),
            "dangerous_goods": cargo.get("has_dangerous_goods") == "true",
        },
    }  # fmt: skip
    if booking is None:
        body["departure_id"] = nested.get("departure_id")
        body["origin_station"] = nested.get("origin_station")
    else:
        body["departure_id"], body["origin_station"] = booking.departure_id, "-"
    data, errors = load_nested_form(QuoteRequestSchema(), body)
    if not data and errors and all(name.startswith("cargo.") for name in errors):
        # a weight typed half-way: priced without it (it only decides overweight boxes)
        body["cargo"]["gross_weight_kg"] = None
        data, errors = load_nested_form(QuoteRequestSchema(), body)
    if not data:
        return {"charges_note": _("Choose the departure, your station and the containers to"
                                  " see the price.")}  # fmt: skip
    lines = [(line["size_type"], line["quantity"]) for line in data["containers"]]
    cargo = data["cargo"]
    try:
        if booking is not None:
            quoted = pricing.requote(db.session, booking, lines, cargo["dangerous_goods"],
                                     cargo["gross_weight_kg"])  # fmt: skip
            return {"charges": quoted, "route": booking.departure.route}
        quoted = pricing.request_quote(db.session, data)
    except DomainError as error:
        said = domain_errors(error)  # a field's own words before the request's title
        return {"charges_note": next(iter(said.values()))[0] if said else str(error.message)}
    route = db.session.get(Departure, quoted["departure_id"]).route
    return {"charges": quoted, "valid_until": quoted["valid_until"], "route": route}


#: The query parameters a link to the booking form may fill it in with (the corridor
#: comparison's "book this"), and the inputs they fill; the shipper checks and sends the rest.
PREFILL = {
    "departure": "departure_id",
    "origin_station": "origin_station",
    "destination": "destination",
    "size_type": "containers.0.size_type",
    "quantity": "containers.0.quantity",
    "gross_weight_kg": "cargo.gross_weight_kg",
}


def _prefill(args) -> dict:
    """The new booking form's inputs as a link's query parameters fill them in."""
    return {name: args[key].strip() for key, name in PREFILL.items() if args.get(key)}


@bp.route("/<reference:reference>/amend", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def amend_booking(reference: str):
    booking = bookings.get_booking(db.session, current_user, reference)
    errors: dict[str, list[str]] = {}
    status = 200
    form = request.form if request.method == "POST" else _booking_form(booking)
    if request.method == "POST" and request.form.get("fill") in PARTIES:
        return _form_page("amend", _filled(form), errors, status, booking=booking)
    if request.method == "POST":
        # The form always shows every part: a part left blank is a part removed, and a
        # required part left blank is refused (not taken as "unchanged").
        blank = {
            "consignee": {}, "notify_party": None, "cargo": {}, "containers": [], "customs": None,
            "negotiable": False, "sea_leg": None, "declared_value": None,
        }  # fmt: skip
        nested = {**blank, **unflatten(form, FORM_INTEGERS)}
        data, errors = load_nested_form(BookingAmendSchema(), nested)
        status = 422
        if data:
            try:
                bookings.amend_booking(db.session, current_user, reference, data)
            except DomainError as error:
                db.session.rollback()
                booking = bookings.get_booking(db.session, current_user, reference)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Booking %(reference)s amended.", reference=reference), "success")
                return redirect(url_for("bookings.booking_detail", reference=reference))
    return _form_page("amend", form, errors, status, booking=booking)


@bp.route("/<reference:reference>/cancel", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def cancel_booking(reference: str):
    """Cancel after a confirmation page that says what the cancellation gives up."""
    if request.method == "GET" or not confirmed():
        booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
        return _cancel_page(booking, refused=request.method == "POST")
    version = request.form.get("version", type=whole_number)
    try:
        booking = bookings.cancel_booking(db.session, current_user, reference, version)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        left = booking.events[-1].details.get("from") == BookingStatus.WAITLISTED.name
        message = (
            _("Booking %(reference)s has left the waitlist.", reference=reference)
            if left
            else _("Booking %(reference)s cancelled; its TEU are free again.", reference=reference)
        )
        flash(message, "success")
    return redirect(url_for("bookings.booking_detail", reference=reference))


def _cancel_page(booking, refused: bool):
    departure = booking.departure
    if booking.status is BookingStatus.WAITLISTED:
        return _leave_waitlist_page(booking, refused)
    consequences = [
        _(
            "Booking %(reference)s is cancelled and its %(teu)s TEU on %(service)s"
            " (%(time)s) are given up for other shippers.",
            reference=booking.reference,
            teu=format_teu(booking.teu),
            service=departure.service_no,
            time=local_time(departure.departs_at),
        )
    ]
    if booking.waybill_no:
        consequences.append(
            _(
                "Waybill %(number)s is no longer valid: its verification page will say the"
                " booking is cancelled.",
                number=booking.waybill_no,
            )
        )
    consequences.append(_("This cannot be undone: to ship after all, book again."))
    back = url_for("bookings.booking_detail", reference=booking.reference)
    return confirm_page(
        title=_("Cancel booking %(reference)s?", reference=booking.reference),
        consequences=consequences,
        action=url_for("bookings.cancel_booking", reference=booking.reference),
        button=_("Yes, cancel the booking"),
        back=back,
        fields={"version": request.values.get("version", booking.version, type=whole_number)},
        refused=refused,
    )


def _leave_waitlist_page(booking, refused: bool):
    """The cancellation of a waiting booking: it gives up its place in the queue."""
    departure = booking.departure
    return confirm_page(
        title=_("Leave the waitlist of %(service)s?", service=departure.service_no),
        consequences=[
            _(
                "Booking %(reference)s leaves the waitlist of %(service)s (%(time)s): it will"
                " not be received when room frees, and those behind it move up.",
                reference=booking.reference,
                service=departure.service_no,
                time=local_time(departure.departs_at),
            ),
            _("This cannot be undone: to ship after all, book again."),
        ],
        action=url_for("bookings.cancel_booking", reference=booking.reference),
        button=_("Yes, leave the waitlist"),
        back=url_for("bookings.booking_detail", reference=booking.reference),
        fields={"version": request.values.get("version", booking.version, type=whole_number)},
        refused=refused,
    )


def _form_page(mode: str, form, errors, status: int, booking=None):
    open_departures = departures.bookable_departures(db.session) if mode == "new" else []
    stations = reference_data.list_stations(db.session, active_only=True)
    room = _room_of(form, stations, open_departures) if mode == "new" else None
    return render_template(
        "bookings/form.html",
        mode=mode,
        form=form,
        errors=errors,
        booking=booking,
        departures=open_departures,
        stations=stations,
        cutoffs=departures.cutoff_table(open_departures, stations),
        size_types=SIZE_TYPES.values(),
        size_type_teu={
            code: format_teu(bookings.booking_teu([{"size_type": code, "quantity": 1}]))
            for code in SIZE_TYPES
        },
        rows=range(max(FORM_ROWS, len(booking.lines) if booking else 0)),
        **_price_of(form, booking),
        room=room,
        entries=address_book.picker(db.session, current_user),
        destination_groups=destination_groups(
            [booking.departure.route] if booking else reference_data.list_routes(db.session)
        ),
        **shipment_choices(),
    ), status


def destination_groups(routes) -> list:
    """The destinations a form offers, by route: ``(route name, [(code, label)])``."""
    offered = [(route, shipment.offered_destinations(route)) for route in routes]
    return [
        (localized(route), [(p.code, f"{p.code} · {localized(p)}") for p in places])
        for route, places in offered
        if places
    ]


def shipment_choices() -> dict:
    """The lists of the booking form's shipment inputs, named in the user's language."""
    return _shipment_choices(locale_code())


@functools.cache
def _shipment_choices(locale: str) -> dict:
    """``shipment_choices`` in ``locale``, made once per language (the lists are constant)."""
    currencies = list(shipment.COMMON_CURRENCIES) + [
        code for code in shipment.CURRENCIES if code not in shipment.COMMON_CURRENCIES
    ]
    return {
        "package_kinds": [
            (code, f"{code} · {shipment.package_kind_name(code, locale)}")
            for code in shipment.PACKAGE_KINDS
        ],
        "dg_classes": [(c, c) for c in shipment.DG_CLASSES],
        "packing_groups": [(g, g) for g in shipment.PACKING_GROUPS],
        "currencies": [
            (code, f"{code} · {get_currency_name(code, locale=locale)}") for code in currencies
        ],
    }


def _booking_form(booking) -> dict:
    """The booking's current values under the form's input names."""
    form = {
        "version": str(booking.version),
        "consignee.name": booking.consignee_name,
        "consignee.address": booking.consignee_address,
        "notify_party.name": booking.notify_name or "",
        "notify_party.address": booking.notify_address or "",
        "cargo.description": booking.cargo_description,
        "cargo.hs_code": booking.hs_code,
        "destination": booking.destination or "",
        "cargo.packages.count": "" if booking.package_count is None else str(booking.package_count),
        "cargo.packages.kind": booking.package_kind or "",
        "cargo.packages.marks": booking.package_marks or "",
        "cargo.gross_weight_kg": f"{booking.gross_weight_kg:f}",
        "cargo.net_weight_kg": ""
        if booking.net_weight_kg is None
        else f"{booking.net_weight_kg:f}",
        "cargo.has_dangerous_goods": "true" if booking.has_dangerous_goods else "false",
        "cargo.dangerous_goods.un_number": booking.un_number or "",
        "cargo.dangerous_goods.class": booking.dg_class or "",
        "cargo.dangerous_goods.packing_group": booking.dg_packing_group or "",
        "cargo.dangerous_goods.proper_shipping_name": booking.dg_proper_shipping_name or "",
        "cargo.dangerous_goods.emergency_contact": booking.dg_emergency_contact or "",
        **customs_form(booking),
        "negotiable": "true" if booking.negotiable else "",
        "payment_term": booking.payment_term.name if booking.payment_term else "PRE",
        "sea_leg.ocean_booking_no": booking.ocean_booking_no or "",
        "sea_leg.vessel": booking.sea_vessel or "",
        "sea_leg.voyage": booking.sea_voyage or "",
        "sea_leg.port_of_discharge": booking.port_of_discharge or "",
        "declared_value.amount": (
            "" if booking.declared_value is None else f"{booking.declared_value:f}"
        ),
        "declared_value.currency": booking.declared_value_currency or "",
        "cargo.reefer_temperature_c": (
            "" if booking.reefer_temp_c is None else f"{booking.reefer_temp_c:f}"
        ),
    }
    for row, line in enumerate(booking.lines):
        form[f"containers.{row}.size_type"] = line.size_type
        form[f"containers.{row}.quantity"] = str(line.quantity)
    return form


def customs_form(booking) -> dict:
    """The booking's customs data under the form's input names."""
    return {
        "version": str(booking.version),
        "customs.declaration_no": booking.customs_declaration_no or "",
        "customs.invoice_value": (
            "" if booking.customs_invoice_value is None else f"{booking.customs_invoice_value:f}"
        ),
        "customs.currency": booking.customs_currency or "",
    }
