"""Error pages and messages for the web, translated in one place."""

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dryport.extensions import db
from dryport.hygiene import too_large_message
from dryport.i18n import HTTP_TITLES
from dryport.services.errors import Busy, DomainError, NotFound, Unavailable

TITLES = {
    **HTTP_TITLES,
    404: _l("Page not found"),
    500: _l("Something went wrong"),
}

DETAILS = {
    400: _l("The request could not be understood."),
    403: _l("Your role does not allow this page."),
    404: _l("There is no such page, or it is not yours to see."),
    405: _l("This page does not accept that kind of request."),
    413: _l("What was sent is larger than this page accepts (a document: at most 10 MB)."),
    500: _l("The error has been logged. Please try again in a moment."),
}


def web_error_response(error: Exception):
    if isinstance(error, CSRFError):
        status, detail = 400, _("The form had expired. Go back, reload the page and send it again.")
    elif isinstance(error, DomainError):
        db.session.rollback()
        status, detail = error.status, str(error.message)
        if isinstance(error, NotFound) and detail == str(NotFound.title):  # nothing more said
            detail = str(DETAILS[404])
    elif isinstance(error, HTTPException):
        status = error.code or 500
        detail = str(DETAILS.get(status, TITLES.get(status, _("Error"))))
        if status == 413:
            detail = too_large_message() or detail
    else:
        db.session.rollback()
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        status, detail = 500, str(DETAILS[500])
    title = str(error.title if isinstance(error, Busy) else TITLES.get(status, _("Error")))
    # The usual page asks the database who is signed in: not when it cannot be reached.
    template = "errors/unavailable.html" if isinstance(error, Unavailable) else "errors/error.html"
    page = render_template(template, status=status, title=title, detail=detail)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Busy) else {}
    return page, status, headers
