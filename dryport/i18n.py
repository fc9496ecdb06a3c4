"""Language and time zone of each request: Chinese by default, English on request."""

import os

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dryport.routing import is_api_request
from dryport.services.clock import LOCAL_TZ, to_local

#: Titles of the HTTP errors, shared by the API's problems and the web's error pages.
HTTP_TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in required"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    406: _l("Not acceptable"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid input"),
    429: _l("Too many requests"),
    500: _l("Internal error"),
    503: _l("Busy"),
}


def select_locale() -> str:
    """Web: the language chosen with the switch, else the user's own, else Chinese.
    API: the best match of ``Accept-Language``, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # the command line: DRYPORT_LOCALE=en for English
        chosen = os.environ.get("DRYPORT_LOCALE")
        return chosen if chosen in languages else default
    if is_api_request():
        return request.accept_languages.best_match(languages) or default
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return default


def select_timezone() -> str:
    return LOCAL_TZ.key


def locale_code() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]


def localized(obj, attr: str = "name") -> str:
    """``obj.name_zh`` or ``obj.name_en`` by the current language."""
    return getattr(obj, attr)(locale_code())


def local_time(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC datetime shown in Asia/Shanghai (converted by ``to_local``, which never
    overflows; Babel's own conversion would)."""
    return format_datetime(to_local(value), fmt, rebase=False) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(locale_code=locale_code, localized=localized)
    app.jinja_env.filters["local_time"] = local_time
