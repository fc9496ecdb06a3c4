"""The tariff pages of administrators and operators (on the ``admin`` blueprint): the price
lists with their history, a new tariff, a change of one not yet in force or the end of one in
force, and a new price from a day (``services.tariffs``)."""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from dryport.extensions import db
from dryport.i18n import locale_code, localized
from dryport.models import SIZE_GROUPS
from dryport.schemas.tariffs import (
    Day,
    TariffCreateSchema,
    TariffEditSchema,
    TariffReviseSchema,
)
from dryport.services import reference_data, tariffs
from dryport.services.clock import local_today
from dryport.services.digits import whole_number
from dryport.services.errors import Invalid
from dryport.services.pagination import paginate
from dryport.services.pricing import group_name
from dryport.services.shipment import COMMON_CURRENCIES, CURRENCIES
from dryport.web.access import role_required
from dryport.web.admin import bp, submit

#: The history of each route, leg and group together, its latest validity first.
PAGE_ORDER = ("route", "leg_seq", "size_group", "-valid_from")
#: Inputs a form sends blank to clear: a through rate, an open end, no note.
CLEARABLE = ("leg_seq", "valid_to", "note")


@bp.route("/tariffs")
@role_required(*tariffs.TARIFF_ADMINS)
def tariff_list():
    route = request.args.get("route") or None
    group = request.args.get("size_group")
    group = group if group in SIZE_GROUPS else None
    on = None
    if request.args.get("on"):
        try:
            on = Day().deserialize(request.args["on"])
        except ValidationError:  # a bad day in a link: say so, as a list's search does
            raise Invalid(_("A date, YYYY-MM-DD.")) from None
    page = paginate(
        db.session,
        tariffs.tariffs_query(route=route, size_group=group, on=on, sort=PAGE_ORDER),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "admin/tariffs.html", page=page, route=route, group=group, on=on, today=local_today(),
        routes=reference_data.list_routes(db.session), groups=_groups(),
        args={"route": route, "size_group": group, "on": on.isoformat() if on else None},
    )  # fmt: skip


@bp.route("/tariffs/new", methods=["GET", "POST"])
@bp.route("/tariffs/<id:tariff_id>", methods=["GET", "POST"])
@role_required(*tariffs.TARIFF_ADMINS)
def edit_tariff(tariff_id: int | None = None):
    tariff = tariffs.get_tariff(db.session, tariff_id) if tariff_id else None
    started = tariff is not None and tariffs.has_started(tariff)
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        if tariff is None:
            schema = TariffCreateSchema()
            action = lambda data: tariffs.create_tariff(db.session, current_user, data)  # noqa: E731
        else:
            schema = TariffEditSchema()
            action = lambda data: tariffs.update_tariff(  # noqa: E731
                db.session, current_user, tariff_id, _cleared(data)
            )
        done, errors, status = submit(schema, action, _("Tariff saved."), form)
        if done:
            route = tariff.route.code if tariff else form.get("route", "").upper()
            return redirect(url_for("admin.tariff_list", route=route or None))
    elif tariff is not None:
        form = _form_of(tariff)
    else:
        form = {"route": request.args.get("route", ""), "valid_from": local_today().isoformat()}
    return render_template(
        "admin/tariff.html", tariff=tariff, started=started, form=form, errors=errors,
        **_choices(),
    ), status  # fmt: skip


@bp.route("/tariffs/<id:tariff_id>/revise", methods=["GET", "POST"])
@role_required(*tariffs.TARIFF_ADMINS)
def revise_tariff(tariff_id: int):
    tariff = tariffs.get_tariff(db.session, tariff_id)
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        done, errors, status = submit(
            TariffReviseSchema(),
            lambda data: tariffs.revise_tariff(db.session, current_user, tariff_id, data),
            _("New price saved; the tariff before it ends the day before."), form,
        )  # fmt: skip
        if done:
            return redirect(url_for("admin.tariff_list", route=tariff.route.code))
    else:
        form = _form_of(tariff) | {"valid_from": "", "valid_to": "", "note": ""}
    return render_template(
        "admin/tariff_revise.html", tariff=tariff, form=form, errors=errors, **_choices()
    ), status


def _cleared(data: dict) -> dict:
    """A blank input of the form clears its field (``load_form`` leaves blanks out)."""
    blank = {name: None for name in CLEARABLE if request.form.get(name, None) == ""}
    return blank | data


def _form_of(tariff) -> dict:
    return {
        "route": tariff.route.code, "leg_seq": tariff.leg_seq or "",
        "size_group": tariff.size_group, "currency": tariff.currency,
        **{name: f"{getattr(tariff, name):f}" for name in tariffs.AMOUNTS},
        "valid_from": tariff.valid_from.isoformat(),
        "valid_to": tariff.valid_to.isoformat() if tariff.valid_to else "",
        "note": tariff.note or "", "version": tariff.version,
    }  # fmt: skip


def _groups() -> list[tuple[str, str]]:
    return [(group, group_name(group, locale_code())) for group in SIZE_GROUPS]


def _choices() -> dict:
    routes = reference_data.list_routes(db.session)
    currencies = list(COMMON_CURRENCIES) + [c for c in CURRENCIES if c not in COMMON_CURRENCIES]
    return {
        "routes": [(r.code, f"{r.code} · {localized(r)}") for r in routes],
        "legs": [(f"{r.code}", [(leg.seq, _leg_text(leg)) for leg in r.legs]) for r in routes],
        "groups": _groups(),
        "currencies": [(c, c) for c in currencies],
    }


def _leg_text(leg) -> str:
    if locale_code() == "zh":
        return f"{leg.seq} · {leg.origin_zh}—{leg.destination_zh}"
    return f"{leg.seq} · {leg.origin_en}–{leg.destination_en}"
