"""dryport: the booking system of the Hengkou inland dry port, Ankang."""

import os
from pathlib import Path

from flask import Flask

from dryport import admission

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_object: object | str = "config.Config") -> Flask:
    """Build the application: configuration, extensions, blueprints, error handlers, commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_object)
    check_secret_key(app)
    check_public_url(app)
    if app.debug:  # make run serves plain http on this machine
        app.config["SESSION_COOKIE_SECURE"] = False
    os.makedirs(app.instance_path, exist_ok=True)

    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    admission.init_app(app)  # last: it reads the limits the views set
    return app


def check_secret_key(app: Flask) -> None:
    """Refuse to run in production without a secret key of its own.

    Tests use a fixed key. In debug (``make run``) a random key is made once and kept in
    ``instance/secret_key``, so even a development server never signs with a key that is
    in the repository.
    """
    from config import DEV_SECRET_KEY

    key = app.config.get("SECRET_KEY")
    if app.testing:
        app.config["SECRET_KEY"] = key or DEV_SECRET_KEY
        return
    if app.debug and not key:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
        return
    if not key or key == DEV_SECRET_KEY:
        raise RuntimeError(
            "SECRET_KEY is not set: set it in the environment to a long random value "
            "(or run with FLASK_DEBUG=1 for development)."
        )


def check_public_url(app: Flask) -> None:
    """Every waybill's QR code prints PUBLIC_URL: production must say where it is reached."""
    if app.config.get("PUBLIC_URL"):
        return
    if app.debug or app.testing:
        port = os.environ.get("PORT", "5000")
        app.config["PUBLIC_URL"] = f"http://{os.environ.get('HOST', '127.0.0.1')}:{port}"
        return
    raise RuntimeError(
        "PUBLIC_URL is not set: set it to the address the verification page is reached at "
        "(it is printed in every waybill's QR code)."
    )


def trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` reverse proxies, take the client's address and scheme from the
    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers they add, that many hops back.

    With none configured (the default) the headers are ignored: anyone can send them, and
    believing them would let a client choose its own address for the rate limits and the
    security log.
    """
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _instance_secret(path: Path) -> str:
    import secrets

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    import dryport.models  # noqa: F401 - every table on the metadata, for Alembic too
    from dryport import db as unit_of_work
    from dryport import hygiene, i18n, security_log
    from dryport.extensions import api, babel, csrf, db, limiter, login_manager, migrate
    from dryport.services import (  # noqa: F401 - channels
        mail,
        outbox,
        reference_cache,  # noqa: F401 - renews the number on changes
        waitlist,
        webhooks,
    )

    db.init_app(app)
    security_log.init_app(app)  # registered first, so its teardown runs last
    unit_of_work.init_app(app, db)
    hygiene.init_app(app)
    outbox.init_app(app)
    mail.init_app(app)
    waitlist.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    api.init_app(app)
    i18n.init_app(app)

    from dryport.web.auth import init_login

    init_login(login_manager)


def register_blueprints(app: Flask) -> None:
    from dryport import routing
    from dryport.api import register_api
    from dryport.web import register_web

    routing.init_app(app)
    register_web(app)
    register_api(app)
    if app.config.get("BENCH_BASELINE"):
        from dryport.web import bench

        bench.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Errors are answered once per interface: problem+json under /api/v1/, pages elsewhere."""
    from flask import g
    from flask_login import current_user
    from sqlalchemy.orm.exc import StaleDataError
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from dryport import hygiene, security_log
    from dryport.api.errors import api_error_response
    from dryport.db import is_lock_timeout, is_unreachable
    from dryport.routing import is_api_request
    from dryport.services.errors import Busy, DomainError, Unavailable, stale
    from dryport.web.errors import web_error_response

    def handle(error):
        if isinstance(error, StaleDataError):  # a race the services did not see coming
            error = stale()
        elif is_lock_timeout(error):  # other writers held SQLite's lock past the timeout
            error = Busy()
        elif is_unreachable(error) or is_unreachable(getattr(error, "original_exception", None)):
            # (the latter: lost while committing, after the view; Flask wraps that in a 500)
            app.logger.error("the database cannot be reached: %s", error)
            # Nothing may ask the database again, not even who is signed in (for the page
            # and its language): the user is taken as anonymous. Flask-Login keeps the
            # loaded user there; setting it does not sign anyone out.
            g._login_user = app.login_manager.anonymous_user()
            error = Unavailable()
        if isinstance(error, RequestEntityTooLarge):
            hygiene.drain_body()  # the client reads no answer before it has sent the body
        if getattr(error, "status", getattr(error, "code", None)) == 403:
            user = current_user if current_user and current_user.is_authenticated else None
            api_user = getattr(g, "api_user", None)
            actor = api_user or user
            security_log.note("denied", actor.id if actor else None, actor.email if actor else "")
        if is_api_request():
            return api_error_response(error)
        return web_error_response(error)

    app.register_error_handler(HTTPException, handle)
    app.register_error_handler(DomainError, handle)
    app.register_error_handler(Exception, handle)


def register_commands(app: Flask) -> None:
    from dryport.cli import dryport_cli

    app.cli.add_command(dryport_cli)
