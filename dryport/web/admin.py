"""The administrator's pages: stations, places and border crossings, routes with their legs,
users, and the audit log."""

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
from flask_babel import gettext as _
from flask_login import current_user

from dryport.extensions import db
from dryport.i18n import localized
from dryport.models import DocumentType, Role, TransportMode
from dryport.schemas.admin import (
    LegEditSchema,
    PasswordResetSchema,
    RouteCreateSchema,
    RouteEditSchema,
    StationCreateSchema,
    StationEditSchema,
    UserCreateSchema,
    UserEditSchema,
)
from dryport.schemas.bookings import DG_CLASSES
from dryport.services import accounts, admin, places, reference_data
from dryport.services import routes as route_admin
from dryport.services.digits import whole_number
from dryport.services.errors import DomainError
from dryport.services.pagination import paginate
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import attempt, domain_errors, load_form, load_nested_form, unflatten
from dryport.web.lists import listing

bp = Blueprint("admin", __name__, url_prefix="/admin")


def submit(schema, action, success: str, form=None):
    """Load the form, run the service, flash; return ``(done, errors, status)``."""
    data, errors = load_form(schema, form if form is not None else request.form)
    if errors:
        return False, errors, 422
    try:
        action(data)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        return False, domain_errors(error), error.status
    flash(success, "success")
    return True, {}, 200


def with_checkboxes(*names):
    """An unticked checkbox sends nothing: say so explicitly."""
    form = request.form.to_dict()
    for name in names:
        form[name] = "true" if name in request.form else "false"
    return form


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    return redirect(url_for("admin.stations"))


@bp.route("/stations", methods=["GET"])
@role_required(Role.ADMIN)
def stations():
    return render_template("admin/stations.html", stations=reference_data.list_stations(db.session))


@bp.route("/stations/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_station():
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        form = with_checkboxes("active")
        done, errors, status = submit(
            StationCreateSchema(),
            lambda data: admin.create_station(db.session, current_user, data),
            _("Station %(code)s added.", code=form.get("code", "").strip().upper()), form,
        )  # fmt: skip
        if done:
            return redirect(url_for("admin.stations"))
    else:
        form = {"active": True}
    return render_template("admin/station.html", station=None, form=form, errors=errors), status


@bp.route("/stations/<code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_station(code: str):
    station = admin.get_station(db.session, code)
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        form = with_checkboxes("active")
        done, errors, status = submit(
            StationEditSchema(),
            lambda data: admin.update_station(db.session, current_user, code, data),
            _("Station %(code)s saved.", code=code), form,
        )  # fmt: skip
        if done:
            return redirect(url_for("admin.stations"))
    return render_template("admin/station.html", station=station, form=form, errors=errors), status


@bp.route("/routes")
@role_required(Role.ADMIN)
def routes():
    return render_template("admin/routes.html", routes=reference_data.list_routes(db.session))


@bp.route("/routes/<code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_route(code: str):
    route = route_admin.get_route(db.session, code)
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        form = _route_form()
        done, errors, status = submit(
            RouteEditSchema(),
            lambda data: route_admin.update_route(db.session, current_user, code, data),
            _("Route %(code)s saved.", code=code), form,
        )  # fmt: skip
        if done:
            return redirect(url_for("admin.edit_route", code=code))
    return _route_page(route, form, errors, status)


@bp.route("/routes/<code>/legs/<int(max=99):seq>", methods=["POST"])
@bp.route("/routes/<code>/legs", methods=["POST"], defaults={"seq": None})
@role_required(Role.ADMIN)
def save_leg(code: str, seq: int | None):
    route = route_admin.get_route(db.session, code)
    if request.form.get("action") == "remove" and seq is not None:
        return remove_leg(code, seq)  # refused there without the confirmation
    action = (
        (lambda data: route_admin.update_leg(db.session, current_user, code, seq, data))
        if seq is not None
        else (lambda data: route_admin.add_leg(db.session, current_user, code, data))
    )
    done, errors, status = submit(LegEditSchema(), action, _("Leg saved."), _leg_form())
    if done:
        return redirect(url_for("admin.edit_route", code=code))
    return _route_page(route_admin.get_route(db.session, route.code), {}, errors, status, seq,
                       typed=request.form)  # fmt: skip


@bp.route("/routes/<code>/legs/<int(max=99):seq>/up", methods=["POST"])
@role_required(Role.ADMIN)
def move_leg_up(code: str, seq: int):
    """Swap a leg with the one before it."""
    version = request.form.get("version", type=whole_number)
    try:
        route_admin.move_leg_up(db.session, current_user, code, seq, version)
    except DomainError as error:
        if error.status == 404:
            raise
        db.session.rollback()
        return _route_page(route_admin.get_route(db.session, code), {}, domain_errors(error),
                           error.status, seq)  # fmt: skip
    flash(_("Leg moved up."), "success")
    return redirect(url_for("admin.edit_route", code=code))


@bp.route("/routes/<code>/legs/<int(max=99):seq>/remove", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def remove_leg(code: str, seq: int):
    """Remove a leg after a confirmation page."""
    route = route_admin.get_route(db.session, code)
    leg = next((leg for leg in route.legs if leg.seq == seq), None)
    if leg is None:
        abort(404)
    if request.method == "GET" or not confirmed():
        return confirm_page(
            title=_("Remove leg %(n)d of %(route)s?", n=seq, route=route.code),
            consequences=[
                _(
                    "The leg %(origin)s → %(destination)s leaves the route; the legs after"
                    " it move up. Waybills printed from now on no longer show it.",
                    origin=localized(leg, "origin"),
                    destination=localized(leg, "destination"),
                ),
                _("This cannot be undone: add the leg again to restore it."),
            ],
            action=url_for("admin.remove_leg", code=code, seq=seq),
            button=_("Yes, remove the leg"),
            back=url_for("admin.edit_route", code=code),
            fields={"version": request.values.get("version", route.version, type=whole_number)},
            refused=request.method == "POST",
        )
    try:
        route_admin.remove_leg(
            db.session, current_user, code, seq, request.form.get("version", type=whole_number)
        )
    except DomainError as error:
        db.session.rollback()
        return _route_page(route_admin.get_route(db.session, code), {}, domain_errors(error),
                           error.status, seq)  # fmt: skip
    flash(_("Leg removed."), "success")
    return redirect(url_for("admin.edit_route", code=code))


def _route_page(route, form, errors, status, leg_seq=None, typed=None):
    """The route's page; ``typed``, the leg form refused, shows again as it was sent."""
    return render_template(
        "admin/route.html", route=route, form=form, errors=errors, leg_seq=leg_seq,
        typed=typed, typed_carriers=typed_carriers(typed or {}), **_route_choices(),
    ), status  # fmt: skip


def typed_carriers(form, prefix: str = "") -> list[dict]:
    """The carrier rows of a form sent (``<prefix>carriers.<n>.<field>``), blank ones left
    out as the form's loading leaves them out, so that a row's errors (by position) land on
    it."""
    rows: dict[int, dict] = {}
    for key, value in form.items():
        name = key.removeprefix(prefix)
        if key.startswith(prefix) and name.startswith("carriers."):
            _, n, field = (name.split(".", 2) + ["", ""])[:3]
            if n.isdigit() and field:
                rows.setdefault(int(n), {})[field] = value
    return [rows[n] for n in sorted(rows) if any(v.strip() for v in rows[n].values())]


def _route_choices() -> dict:
    """What a route's forms offer: its places, border crossings and IMDG classes."""
    return {
        "document_types": list(DocumentType),
        "modes": list(TransportMode),
        "place_options": [
            (p.code, f"{p.code} {localized(p)}") for p in places.destination_candidates(db.session)
        ],
        "crossing_options": [
            (c.code, f"{localized(c)} ({c.code})") for c in places.list_crossings(db.session)
        ],
        "dg_options": [(c, c) for c in DG_CLASSES],
    }


LISTS = ("destinations", "border_crossings", "refused_dg_classes")


def _route_form() -> dict:
    """The route form: its checkbox lists as lists (none ticked: an empty one)."""
    form = with_checkboxes("active")
    for name in LISTS:
        form[name] = request.form.getlist(name)
    return form


def _leg_form() -> dict:
    """A leg's form with its carrier rows (``carriers.0.name_en`` ...) nested; the blank
    rows left out, so that an empty list removes every carrier."""
    form = unflatten(request.form)
    form["carriers"] = form.get("carriers") or []
    return form


@bp.route("/routes/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_route():
    """A new route with its first leg; more legs are added on its page."""
    errors, status = {}, 200
    form = {"active": True, "document_type": "RAIL_WAYBILL", "legs.0.mode": "RAIL"}
    chosen = {"refused_dg_classes": list(reference_data.REFUSED_DG_CLASSES)}
    if request.method == "POST":
        form = _route_form()
        chosen = {name: form[name] for name in LISTS}
        data = {**unflatten(request.form), "active": form["active"], **chosen}
        data["legs"] = data.get("legs") or []
        for leg in data["legs"]:
            leg["carriers"] = leg.get("carriers") or []
        loaded, errors = load_nested_form(RouteCreateSchema(), data)
        status = 422
        if loaded:
            route, errors, status = attempt(
                lambda: route_admin.create_route(db.session, current_user, loaded)
            )
            if route is not None:
                flash(_("Route %(code)s added.", code=route.code), "success")
                return redirect(url_for("admin.edit_route", code=route.code))
    return render_template(
        "admin/route_new.html", form=form, chosen=chosen, errors=errors,
        typed_carriers=typed_carriers(form, "legs.0."), **_route_choices(),
    ), status  # fmt: skip


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    found = listing(admin.USER_SORTING)
    page = paginate(
        db.session,
        admin.users_query(found.q, found.sort),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("admin/users.html", page=page, listing=found)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    errors, status = {}, 200
    if request.method == "POST":
        created = {}
        done, errors, status = submit(
            UserCreateSchema(),
            lambda data: created.setdefault("user", admin.create_user(db.session, current_user,
                                                                      data)),
            _("User created."),
        )  # fmt: skip
        if done:
            return redirect(url_for("admin.edit_user", user_id=created["user"].id))
    return _user_page(None, request.form, errors, status)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = admin.get_user(db.session, user_id)
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        if request.form.get("action") == "password":
            done, errors, status = submit(
                PasswordResetSchema(),
                lambda data: admin.reset_password(db.session, current_user, user_id,
                                                  data["password"]),
                _("Password reset; the user's API tokens no longer work."),
            )  # fmt: skip
        else:
            form = with_checkboxes("active")
            done, errors, status = submit(
                UserEditSchema(),
                lambda data: admin.update_user(db.session, current_user, user_id, data),
                _("User saved."), form,
            )  # fmt: skip
        if done:
            return redirect(url_for("admin.edit_user", user_id=user_id))
        user = admin.get_user(db.session, user_id)
    else:
        form = {
            "name": user.name, "role": user.role.name, "active": user.active,
            "station": user.station.code if user.station else "",
            "company_name": user.company.name if user.company else "",
            "credit_code": user.company.credit_code if user.company else "",
        }  # fmt: skip
    return _user_page(user, form, errors, status)


def _user_page(user, form, errors, status):
    return render_template(
        "admin/user.html", user=user, form=form, errors=errors, roles=list(Role),
        stations=reference_data.list_stations(db.session),
        min_password=accounts.MIN_PASSWORD_LENGTH,
    ), status  # fmt: skip


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit():
    found = listing(admin.AUDIT_SORTING)
    page = paginate(
        db.session,
        admin.audit_query(found.q, found.sort),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("admin/audit.html", page=page, listing=found)


# their pages, on this blueprint
from dryport.web import admin_places, admin_targets, admin_tariffs  # noqa: E402, F401
