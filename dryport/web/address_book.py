"""The company's address book: consignees and notify parties, listed with a search box,
added, edited and removed; a booking's party saved to it from the booking's page. The
booking form offers the entries (``bookings.new_booking``)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.bookings import PartySchema
from dryport.services import address_book, bookings
from dryport.services.digits import whole_number
from dryport.services.errors import DomainError, stale
from dryport.services.pagination import paginate
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import attempt, domain_errors, load_form
from dryport.web.lists import listing

bp = Blueprint("address_book", __name__, url_prefix="/address-book")

PARTIES = ("consignee", "notify_party")


@bp.route("/")
@role_required(Role.SHIPPER)
def entry_list():
    found = listing(address_book.SORTING)
    page = paginate(
        db.session,
        address_book.entries_query(current_user, q=found.q, sort=found.sort),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "address_book/list.html", page=page, listing=found, max_entries=address_book.MAX_ENTRIES
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def new_entry():
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        data, errors = load_form(PartySchema(), form)
        status = 422
        if data:
            entry, errors, status = attempt(
                lambda: address_book.add_entry(db.session, current_user, data)
            )
            if entry:
                flash(_("%(name)s added to the address book.", name=entry.name), "success")
                return redirect(url_for("address_book.entry_list"))
    return render_template("address_book/form.html", entry=None, form=form, errors=errors), status


@bp.route("/<id:entry_id>/edit", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def edit_entry(entry_id: int):
    """Change an entry, made on the version read: a stale one is a 409 with the news."""
    entry = address_book.get_entry(db.session, current_user, entry_id)
    errors, status = {}, 200
    form = request.form if request.method == "POST" else {
        "name": entry.name, "address": entry.address, "version": str(entry.version)
    }  # fmt: skip
    if request.method == "POST":
        data, errors = load_form(PartySchema(), form)
        status = 422
        if data:
            version = form.get("version", type=whole_number)
            try:
                if version is None:  # a form without the version read: never overwrite
                    raise stale()
                address_book.update_entry(db.session, current_user, entry_id, data, version)
            except DomainError as error:
                if error.status == 404:
                    raise
                db.session.rollback()
                entry = address_book.get_entry(db.session, current_user, entry_id)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("%(name)s saved.", name=data["name"]), "success")
                return redirect(url_for("address_book.entry_list"))
    return render_template("address_book/form.html", entry=entry, form=form, errors=errors), status


@bp.route("/<id:entry_id>/delete", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def delete_entry(entry_id: int):
    """Remove after a confirmation page."""
    if request.method == "GET" or not confirmed():
        entry = address_book.get_entry(db.session, current_user, entry_id)
        return confirm_page(
            title=_("Remove %(name)s from the address book?", name=entry.name),
            consequences=[
                _(
                    "%(name)s, %(address)s is no longer offered by the booking form; bookings"
                    " made with it keep their parties.",
                    name=entry.name,
                    address=entry.address,
                ),
                _("This cannot be undone: add it again to have it back."),
            ],  # fmt: skip
            action=url_for("address_book.delete_entry", entry_id=entry_id),
            button=_("Yes, remove it"),
            back=url_for("address_book.entry_list"),
            refused=request.method == "POST",
        )
    entry = address_book.delete_entry(db.session, current_user, entry_id)
    flash(_("%(name)s removed from the address book.", name=entry.name), "success")
    return redirect(url_for("address_book.entry_list"))


@bp.route("/from-booking/<reference:reference>", methods=["POST"])
@role_required(Role.SHIPPER)
def save_party(reference: str):
    """Save a booking's consignee (or ``party=notify_party``) to the address book."""
    booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
    party = request.form.get("party")
    party = party if party in PARTIES else "consignee"
    entry, errors, _status = attempt(
        lambda: address_book.add_from_booking(db.session, current_user, booking, party)
    )
    if entry:
        flash(_("%(name)s added to the address book.", name=entry.name), "success")
    else:
        flash(" ".join(errors.get("_schema", [])), "error")
    return redirect(url_for("bookings.booking_detail", reference=reference))
