"""The corridor comparison page: a shipment's routes side by side by time, price and CO2e,
each with a link to book its departure."""

from decimal import Decimal

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from dryport.extensions import db
from dryport.i18n import locale_code
from dryport.models import Role
from dryport.schemas.corridors import CorridorQuerySchema
from dryport.services import corridors, reference_data
from dryport.services.containers import SIZE_TYPES
from dryport.web.access import role_required
from dryport.web.bookings import destination_groups
from dryport.web.forms import attempt, load_form

bp = Blueprint("corridors", __name__)

HUNDRED = Decimal(100)


@bp.route("/corridors")
@role_required()
def compare():
    """The form, and once a station, size-type and quantity are given, each route's answer."""
    form = request.args
    query, entries, errors, status = None, None, {}, 200
    if any(form.get(name) for name in ("origin_station", "size_type", "quantity")):
        query, errors = load_form(CorridorQuerySchema(), form)
        status = 422 if errors else 200
        if query:
            entries, errors, status = attempt(lambda: corridors.compare(
                db.session, query["origin_station"], query["size_type"], query["quantity"],
                query["from_"], query["destination"], query["gross_weight_kg"],
                sort=query["sort"],
            ))  # fmt: skip
            if len(errors) > 1:  # messages beside their fields, not the general "invalid"
                errors.pop("_schema")
    routes = reference_data.list_routes(db.session)
    return render_template(
        "corridors/compare.html",
        form=form,
        errors=errors,
        rows=None if entries is None else rows(entries, query),
        best=corridors.best(entries or []),
        intensities={mode.name: f"{value:f}" for mode, value in corridors.intensities().items()},
        stations=reference_data.list_stations(db.session, active_only=True),
        size_types=[
            (
                code,
                f"{code} · {kind.description_zh if locale_code() == 'zh' else kind.description_en}",
            )
            for code, kind in SIZE_TYPES.items()
        ],
        destination_groups=destination_groups(routes),
        can_book=current_user.role is Role.SHIPPER,
    ), status


def rows(entries, query: dict) -> list:
    """Each entry with its bar widths and its link to the booking form."""
    widths = bars(entries)
    return [(e, widths[id(e)], book_link(e, query)) for e in entries]


def bars(entries) -> dict:
    """Each entry's bar widths (per cent, as text) for days, price and CO2e: its value over
    the largest of its column; prices over the largest of the same currency."""
    top_days = max((e.transit_days for e in entries if e.transit_days is not None), default=0)
    top_co2e = max((e.co2e_kg for e in entries if e.co2e_kg is not None), default=0)
    top_price: dict[str, Decimal] = {}
    for e in entries:
        if e.quote is not None:
            total = e.quote.total
            top_price[e.quote.currency] = max(top_price.get(e.quote.currency, total), total)
    return {
        id(e): {
            "days": _width(e.transit_days, top_days),
            "co2e": _width(e.co2e_kg, top_co2e),
            "price": _width(e.quote.total, top_price[e.quote.currency]) if e.quote else None,
        }
        for e in entries
    }


def _width(value, top) -> str | None:
    if value is None:
        return None
    if not top:
        return "0"
    return f"{(HUNDRED * value / top).quantize(Decimal('0.1'))}"


def book_link(entry, query: dict) -> str | None:
    """The booking form for the entry's departure, with the shipment filled in."""
    if entry.departure is None:
        return None
    prefill = {
        "departure": entry.departure.id,
        "origin_station": query["origin_station"],
        "size_type": query["size_type"],
        "quantity": query["quantity"],
    }
    if entry.destination:
        prefill["destination"] = entry.destination
    if query["gross_weight_kg"] is not None:
        prefill["gross_weight_kg"] = f"{query['gross_weight_kg']:f}"
    return url_for("bookings.new_booking", **prefill)
