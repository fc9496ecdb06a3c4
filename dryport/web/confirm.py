"""The confirmation step before an irreversible action (cancel a booking or a departure,
reject a load, record a departure or an arrival, revoke a token, remove a webhook endpoint
or a route's leg).

The action's URL answers GET with a page that says what will happen and carries the form
that does it; the POST is refused (400, nothing changed) unless it carries ``confirmed=yes``,
which only that page sends. It needs no script, so it works the same with JavaScript off.
The JSON API is not concerned: its clients decided already (docs/DECISIONS.md).
"""

from flask import render_template, request

FIELD = "confirmed"


def confirmed() -> bool:
    """Whether the POST came from the confirmation page."""
    return request.form.get(FIELD) == "yes"


def confirm_page(
    *,
    title: str,
    consequences: list[str],
    action: str,
    button: str,
    back: str,
    fields: dict | None = None,
    refused: bool = False,
    blocked: str | None = None,
):
    """The confirmation page: ``consequences`` in plain words, a ``button`` that POSTs the
    action with ``fields`` and the confirmation, and a way ``back``. A POST that came
    without the confirmation gets the same page with a 400, saying nothing was done. An
    action that cannot be done yet says why (``blocked``) and offers no button."""
    return render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        action=action,
        button=button,
        back=back,
        fields=fields or {},
        field=FIELD,
        refused=refused,
        blocked=blocked,
    ), (400 if refused else 200)
