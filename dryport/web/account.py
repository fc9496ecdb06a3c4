"""A user's own account: personal API tokens for the programs that book on its behalf, and
the webhooks that tell a shipper's systems what happens to its bookings."""

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

from dryport import security_log
from dryport.extensions import db, limiter
from dryport.models import Role
from dryport.services import accounts, mail, webhooks
from dryport.services.digits import whole_number
from dryport.services.pagination import paginate
from dryport.web.access import role_required
from dryport.web.confirm import confirm_page, confirmed
from dryport.web.forms import attempt

bp = Blueprint("account", __name__, url_prefix="/account")

ENDPOINT = "/webhooks/<id:endpoint_id>"


@bp.route("/tokens", methods=["GET", "POST"])
@role_required()
def tokens():
    """List, name and create tokens; a new token is shown once, on this answer only."""
    errors, status, created = {}, 200, None
    if request.method == "POST":
        made, errors, status = attempt(lambda: accounts.create_personal_token(
            db.session, current_user, request.form.get("name", ""),
            request.form.get("days", type=whole_number) or 0,
        ))  # fmt: skip
        if made:
            created, _record = made
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


@bp.route("/tokens/<id:token_id>/revoke", methods=["GET", "POST"])
@role_required()
def revoke(token_id: int):
    """Revoke after a confirmation page: the programs using the token stop at once."""
    if request.method == "GET" or not confirmed():
        token = next(
            (t for t in accounts.personal_tokens(db.session, current_user) if t.id == token_id),
            None,
        )
        if token is None:
            abort(404)
        return confirm_page(
            title=_("Revoke token %(name)s?", name=token.name),
            consequences=[
                _("The programs that use it can no longer call the API, from now on."),
                _("This cannot be undone: a program needs a new token to work again."),
            ],
            action=url_for("account.revoke", token_id=token_id),
            button=_("Yes, revoke the token"),
            back=url_for("account.tokens"),
            refused=request.method == "POST",
        )
    record = accounts.revoke_token(db.session, current_user, token_id)
    security_log.note(
        "token_revoked", current_user.id, current_user.email, name=[record.name, None]
    )
    flash(_("Token %(name)s revoked: it no longer works.", name=record.name), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/notifications", methods=["GET", "POST"])
@role_required()
def notifications():
    """Which mails the user receives: a shipper each kind of booking event (all unless
    turned off), a clerk the morning digest of the station's queue (only when turned on)."""
    if request.method == "POST":
        mail.set_choices(db.session, current_user, request.form.getlist("kind"))
        flash(_("Your choice of mails is saved."), "success")
        return redirect(url_for("account.notifications"))
    return render_template(
        "account/notifications.html",
        choices=mail.choices(db.session, current_user),
        kind_label=mail.kind_label,
        mail_enabled=mail.enabled(),
        digest_hour=current_app.config["MAIL_DIGEST_HOUR"],
    )


# ---- webhooks ----------------------------------------------------------------------------


@bp.route("/webhooks", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def webhooks_page():
    """The company's endpoints, and a form to add one; a new secret is shown once."""
    errors, status, created = {}, 200, None
    if request.method == "POST":
        created, errors, status = attempt(lambda: webhooks.create_endpoint(
            db.session, current_user, request.form.get("url", ""),
            request.form.get("description", ""),
        ))  # fmt: skip
        if created:
            endpoint, _secret = created
            security_log.note(
                "webhook_created", current_user.id, current_user.email, url=[None, endpoint.url]
            )
    return render_template(
        "account/webhooks.html",
        endpoints=webhooks.endpoints(db.session, current_user),
        created=created,
        errors=errors,
        form=request.form if errors else {},
        max_endpoints=webhooks.MAX_ENDPOINTS,
    ), status


@bp.route(ENDPOINT)
@role_required(Role.SHIPPER)
def webhook(endpoint_id: int, secret: str | None = None):
    """One endpoint: its settings and its delivery log, newest first."""
    endpoint = webhooks.get_endpoint(db.session, current_user, endpoint_id)
    page = paginate(
        db.session,
        webhooks.deliveries_query(endpoint),
        request.args.get("page", 1, type=whole_number),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "account/webhook.html",
        endpoint=endpoint,
        page=page,
        secret=secret,
        errors=webhooks.ERRORS,
    )


@bp.route(ENDPOINT + "/<any(pause,resume):action>", methods=["POST"])
@role_required(Role.SHIPPER)
def webhook_switch(endpoint_id: int, action: str):
    webhooks.set_active(db.session, current_user, endpoint_id, action == "resume")
    if action == "resume":
        flash(_("Deliveries resumed; what waited is sent now."), "success")
    else:
        flash(_("Deliveries paused; events wait until you resume."), "success")
    return redirect(url_for("account.webhook", endpoint_id=endpoint_id))


@bp.route(ENDPOINT + "/secret", methods=["POST"])
@role_required(Role.SHIPPER)
def webhook_secret(endpoint_id: int):
    """A new signing secret, shown on this answer only."""
    endpoint, secret = webhooks.rotate_secret(db.session, current_user, endpoint_id)
    security_log.note("webhook_secret_rotated", current_user.id, current_user.email,
                      url=[endpoint.url, endpoint.url])  # fmt: skip
    return webhook(endpoint_id, secret=secret)


@bp.route(ENDPOINT + "/ping", methods=["POST"])
@limiter.shared_limit(webhooks.send_limit, scope="webhook-sends")
@role_required(Role.SHIPPER)
def webhook_ping(endpoint_id: int):
    webhooks.send_ping(db.session, current_user, endpoint_id)
    flash(_("A test event is on its way; its delivery shows below."), "success")
    return redirect(url_for("account.webhook", endpoint_id=endpoint_id))


@bp.route(ENDPOINT + "/delete", methods=["GET", "POST"])
@role_required(Role.SHIPPER)
def webhook_delete(endpoint_id: int):
    """Remove after a confirmation page: the endpoint and its delivery log go."""
    if request.method == "GET" or not confirmed():
        endpoint = webhooks.get_endpoint(db.session, current_user, endpoint_id)
        return confirm_page(
            title=_("Remove endpoint %(url)s?", url=endpoint.url),
            consequences=[
                _("No more events are sent to it, and its delivery log is deleted."),
                _("This cannot be undone: add it again to hear of new events."),
            ],
            action=url_for("account.webhook_delete", endpoint_id=endpoint_id),
            button=_("Yes, remove the endpoint"),
            back=url_for("account.webhook", endpoint_id=endpoint_id),
            refused=request.method == "POST",
        )
    endpoint = webhooks.delete_endpoint(db.session, current_user, endpoint_id)
    security_log.note(
        "webhook_deleted", current_user.id, current_user.email, url=[endpoint.url, None]
    )
    flash(_("Endpoint %(url)s removed.", url=endpoint.url), "success")
    return redirect(url_for("account.webhooks_page"))


@bp.route("/webhooks/deliveries/<id:delivery_id>/retry", methods=["POST"])
@limiter.shared_limit(webhooks.send_limit, scope="webhook-sends")
@role_required(Role.SHIPPER)
def webhook_retry(delivery_id: int):
    delivery = webhooks.redeliver(db.session, current_user, delivery_id)
    flash(_("Delivery queued again."), "success")
    return redirect(url_for("account.webhook", endpoint_id=delivery.endpoint_id))
