"""Sign-in, sign-out, shipper registration and the language switch."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from dryport import security_log
from dryport.extensions import db, limiter, sign_in_limits
from dryport.models import User
from dryport.schemas.accounts import (
    LoginSchema,
    PasswordResetFormSchema,
    PasswordResetRequestSchema,
    RegistrationSchema,
)
from dryport.services import accounts, password_resets
from dryport.services.digits import is_whole_number, whole_number
from dryport.services.errors import Conflict, Invalid, NotFound, Unauthorized
from dryport.web.forms import domain_errors, load_form

bp = Blueprint("auth", __name__)


def init_login(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The signed-in user, while the session's generation is still the user's: a session
        from before a sign-out, a new password or a deactivation is refused."""
        user_id, _, _generation = session_id.partition(":")
        if not is_whole_number(user_id):
            return None
        user = db.session.get(User, whole_number(user_id))
        if user is None or not user.active or user.get_id() != session_id:
            return None
        return user


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in page cannot send anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


def _start_session(user: User) -> None:
    """A fresh session on sign-in (no fixation), expiring after PERMANENT_SESSION_LIFETIME.
    A language chosen before signing in stays; otherwise the user's own applies."""
    chosen = session.get("lang")
    session.clear()
    session.permanent = True
    if chosen:
        session["lang"] = chosen
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors = load_form(LoginSchema(), request.form)
        if data:
            try:
                user = accounts.authenticate(db.session, data["email"], data["password"])
            except Unauthorized as error:
                security_log.note("sign_in_failed", summary=data["email"])
                errors = domain_errors(error)
            else:
                security_log.note("sign_in", user.id, user.email)
                _start_session(user)
                return redirect(_safe_next(request.args.get("next")))
    status = (401 if "_schema" in errors else 422) if errors else 200
    return render_template("auth/login.html", errors=errors, form=request.form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: the user's sessions end on the server (a copy of the cookie taken before
    stops working too), and the browser's session is cleared."""
    language = session.get("lang")
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
    logout_user()
    session.clear()
    if language:  # the sign-in page that follows stays in the language chosen
        session["lang"] = language
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors = load_form(RegistrationSchema(), request.form)
        if data:
            try:
                accounts.register_shipper(db.session, data)
            except (Invalid, Conflict) as error:
                db.session.rollback()
                errors = domain_errors(error)
            else:  # the same answer whether the address was new or known (no enumeration)
                flash(
                    _(
                        "Registration received, %(name)s: sign in with your email and "
                        "password. An address registered before keeps its own password.",
                        name=data["name"],
                    ),
                    "success",
                )
                return redirect(url_for("auth.login"))
    status = 422 if errors else 200
    return render_template(
        "auth/register.html",
        errors=errors,
        form=request.form,
        min_password=accounts.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/password-reset", methods=["GET", "POST"])
@sign_in_limits
def forgot_password():
    """Ask for a password reset link: the same answer whether the address is known or not."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors = load_form(PasswordResetRequestSchema(), request.form)
        if data:
            password_resets.request_reset(db.session, data["email"])
            security_log.note("password_reset_requested", summary=data["email"])
            flash(
                _(
                    "If the address belongs to an account, a link to set a new password is "
                    "on its way. It works once, within an hour."
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/forgot_password.html", errors=errors, form=request.form
    ), 422 if errors else 200


@bp.route("/password-reset/<string:token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT"], methods=["POST"])
def reset_password(token: str):
    """Set a new password with a reset link; every session and API token of the user ends.
    A link that is unknown, used or expired shows why, and a way to ask for a new one."""
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data, errors = load_form(PasswordResetFormSchema(), request.form)
        if data:
            try:
                user = password_resets.reset_password(db.session, token, data["password"])
            except (Invalid, NotFound) as error:
                db.session.rollback()
                errors = domain_errors(error)
            else:
                security_log.note("password_reset", user.id, user.email)
                if current_user.is_authenticated:
                    logout_user()
                language = session.get("lang")
                session.clear()
                if language:
                    session["lang"] = language
                flash(_("Your password is set. Sign in with it."), "success")
                return redirect(url_for("auth.login"))
        status = 422
    link_problem = None
    try:
        password_resets.check_token(db.session, token)
    except (Invalid, NotFound) as error:
        link_problem = str(error.message)
        status = 404 if request.method == "GET" else error.status
    return render_template(
        "auth/reset_password.html",
        errors=errors,
        link_problem=link_problem,
        min_password=accounts.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str):
    """Switch the language; a signed-in user keeps the choice for next time."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(_safe_next(request.form.get("next")))
