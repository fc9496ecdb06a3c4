"""A shipper's named booking templates: the list, saving a booking as one, renaming and
removing one; a new booking from one is the booking form, filled in
(``bookings.new_booking``)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.models import Role
from dryport.schemas.booking_templates import TemplateNameSchema
from dryport.services import booking_templates, bookings
from dryport.services.digits import whole_number
from dryport.services.errors import DomainError, stale
from dryport.services.pagination import paginate
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import attempt, domain_errors, load_form
from dryport.web.lists import listing

bp = Blueprint("booking_templates", __name__, url_prefix="/templates")


@bp.route("/")
@role_required(Role.SHIPPER)
def template_list():
    found = listing(booking_templates.SORTING)
    page = paginate(
        db.session,
        booking_templates.templates_query(current_user, q=found.q, sort=found.sort),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "booking_templates/list.html",
        page=page,
        listing=found,
        max_templates=booking_templates.MAX_TEMPLATES,
    )


@bp.route("/from-booking/<reference:reference>", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def new_template(reference: str):
    """Save one of the company's bookings as a named template."""
    booking = bookings.get_booking(db.session, current_user, reference, timeline=False)
    errors, status = {}, 200
    form = request.form
    if request.method == "POST":
        data, errors = load_form(TemplateNameSchema(), form)
        status = 422
        if data:
            template, errors, status = attempt(lambda: booking_templates.create_template(
                db.session, current_user, data["name"], reference=booking.reference
            ))  # fmt: skip
            if template:
                flash(_("Template “%(name)s” saved.", name=template.name), "success")
                return redirect(url_for("booking_templates.template_list"))
    else:
        form = {"name": booking.cargo_description[: booking_templates.MAX_NAME_LENGTH]}
    return render_template(
        "booking_templates/new.html", booking=booking, form=form, errors=errors
    ), status


@bp.route("/<id:template_id>/edit", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def edit_template(template_id: int):
    """Rename a template, made on the version read: a stale one is a 409 with the news."""
    template = booking_templates.get_template(db.session, current_user, template_id)
    errors, status = {}, 200
    form = request.form if request.method == "POST" else {
        "name": template.name, "version": str(template.version)
    }  # fmt: skip
    if request.method == "POST":
        version = request.form.get("version", type=whole_number)
        data, errors = load_form(TemplateNameSchema(), form)
        status = 422
        if data:
            name = data["name"]
            try:
                if version is None:  # a form without the version read: never overwrite
                    raise stale()
                booking_templates.update_template(
                    db.session, current_user, template_id, version, name=name
                )
            except DomainError as error:
                if error.status == 404:
                    raise
                db.session.rollback()
                template = booking_templates.get_template(db.session, current_user, template_id)
                errors, status = domain_errors(error), error.status
            else:
                flash(_("Template “%(name)s” saved.", name=name), "success")
                return redirect(url_for("booking_templates.template_list"))
    return render_template(
        "booking_templates/edit.html", template=template, form=form, errors=errors
    ), status


@bp.route("/<id:template_id>/delete", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def delete_template(template_id: int):
    """Remove after a confirmation page."""
    if request.method == "GET" or not confirmed():
        template = booking_templates.get_template(db.session, current_user, template_id)
        return confirm_page(
            title=_("Remove template “%(name)s”?", name=template.name),
            consequences=[
                _(
                    "The template is removed for everyone of your company; bookings made from"
                    " it are not concerned."
                ),  # fmt: skip
                _("This cannot be undone: save a booking as a template again to have it back."),
            ],
            action=url_for("booking_templates.delete_template", template_id=template_id),
            button=_("Yes, remove the template"),
            back=url_for("booking_templates.template_list"),
            refused=request.method == "POST",
        )
    template = booking_templates.delete_template(db.session, current_user, template_id)
    flash(_("Template “%(name)s” removed.", name=template.name), "success")
    return redirect(url_for("booking_templates.template_list"))
