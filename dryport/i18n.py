"""Language and time zone of each request: Chinese by default, English on request."""

import os
from datetime import datetime, timedelta
from decimal import Decimal

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dryport.routing import is_api_request
from dryport.services.clock import LOCAL_TZ, to_local, utcnow

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


def iso_local_time(value: str | None) -> str:
    """An ISO 8601 time as stored in an event's details, shown as ``local_time`` does."""
    return local_time(datetime.fromisoformat(value)) if value else ""


def from_now(value) -> str:
    """How far ``value`` lies from now, in the reader's words: "in 11 days" (days, never
    rounded to weeks or months), "in 5 hours", "3 days ago"."""
    if not value:
        return ""
    delta = value - utcnow()
    if abs(delta) >= timedelta(days=1):  # every larger unit's threshold out of reach
        return format_timedelta(delta, granularity="day", threshold=10**9, add_direction=True)
    return format_timedelta(delta, threshold=1, add_direction=True)


def duration(value) -> str:
    """A length of time in the reader's words ("5 hours", "2 days")."""
    return format_timedelta(value, threshold=1) if value is not None else ""


def localized_place(names: dict, code: str | None) -> str:
    """A station's or place's name in the reader's language, from ``{code: {"zh", "en"}}``
    (``services.tracking.location_names``); the code itself when unknown."""
    if not code:
        return ""
    return names.get(code, {}).get(locale_code(), code)


def money(value, currency: str | None = None) -> str:
    """An amount as people read it, exactly (a ``Decimal`` or its string, never a float):
    "9,600.00", or "9,600.00 CNY" with its currency; "" for none."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(str(value)):,.2f}"
    return f"{text} {currency}" if currency else text


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        locale_code=locale_code, localized=localized, localized_place=localized_place
    )
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["from_now"] = from_now
    app.jinja_env.filters["iso_local_time"] = iso_local_time
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["money"] = money
