"""A user's own account: personal API tokens for the programs that book on its behalf."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dryport import security_log
from dryport.extensions import db
from dryport.services import accounts
from dryport.services.errors import DomainError
from dryport.web.access import role_required
from dryport.web.forms import domain_errors

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/tokens", methods=["GET", "POST"])
@role_required()
def tokens():
    """List, name and create tokens; a new token is shown once, on this answer only."""
    errors, status, created = {}, 200, None
    if request.method == "POST":
        try:
            created, _record = accounts.create_personal_token(
                db.session, current_user, request.form.get("name", ""),
                request.form.get("days", type=int) or 0,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            errors, status = domain_errors(error), error.status
        else:
            security_log.note(
                "token_created",
                current_user.id,
                current_user.email,
                name=[None, request.form.get("name", "")],
            )
    return render_template(
        "account/tokens.html",
        tokens=accounts.personal_tokens(db.session, current_user),
        created=created,
        errors=errors,
        form=request.form,
        choices=accounts.PERSONAL_TOKEN_DAYS,
    ), status


@bp.route("/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@role_required()
def revoke(token_id: int):
    record = accounts.revoke_token(db.session, current_user, token_id)
    security_log.note(
        "token_revoked", current_user.id, current_user.email, name=[record.name, None]
    )
    flash(_("Token %(name)s revoked: it no longer works.", name=record.name), "success")
    return redirect(url_for("account.tokens"))
