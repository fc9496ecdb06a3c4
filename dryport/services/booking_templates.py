"""Booking again: a copy of a booking on another departure, and named booking templates of
a company. Both keep what a shipper ships week after week (origin, destination, parties,
cargo, container lines, transport terms) and leave out what belongs to one shipment only:
the containers and seals, the customs declaration, the sea continuation booked with the
ocean carrier, the status, the charges, the documents and the waybill (docs/DECISIONS.md).

A copy is placed by ``services.bookings.place_booking``, as any booking is: the same
capacity, cut-off, quota and waitlist rules, the same answers.
"""

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dryport.models import Booking, BookingTemplate, Role, User
from dryport.services import bookings, company_rows
from dryport.services.access import require_role
from dryport.services.errors import Conflict, Invalid
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search

#: Templates a company may keep: a week's routine, with room to spare.
MAX_TEMPLATES = 50
MAX_NAME_LENGTH = 64
#: What a copy and a template keep of a booking: ``POST /bookings``'s fields but these.
KEPT = (
    "origin_station", "destination", "consignee", "notify_party", "cargo", "containers",
    "negotiable", "payment_term", "declared_value",
)  # fmt: skip

SORTING = Sorting(
    columns={
        "name": BookingTemplate.name,
        "created_at": BookingTemplate.created_at,
        "updated_at": BookingTemplate.updated_at,
    },
    default=("name",),
    tiebreak=BookingTemplate.id,
)


def booking_data(booking: Booking) -> dict:
    """What a copy of ``booking`` is placed with (``KEPT``), as ``BookingCreateSchema``
    loads a body. A booking made before destinations or packages were asked cannot be
    copied: ``Invalid``, saying what to give."""
    if booking.destination is None or booking.package_kind is None:
        raise Invalid(_l("This booking was made before destinations and packages were asked:"
                         " book anew with the form."))  # fmt: skip
    dangerous = None
    if booking.un_number:
        dangerous = {
            "un_number": booking.un_number,
            "class_": booking.dg_class,
            "packing_group": booking.dg_packing_group,
            "proper_shipping_name": booking.dg_proper_shipping_name,
            "emergency_contact": booking.dg_emergency_contact,
        }
    declared = None
    if booking.declared_value is not None:
        declared = {"amount": booking.declared_value, "currency": booking.declared_value_currency}
    return {
        "origin_station": booking.origin_station.code,
        "destination": booking.destination,
        "consignee": {"name": booking.consignee_name, "address": booking.consignee_address},
        "notify_party": (
            {"name": booking.notify_name, "address": booking.notify_address}
            if booking.notify_name
            else None
        ),
        "cargo": {
            "description": booking.cargo_description,
            "hs_code": booking.hs_code,
            "packages": {
                "count": booking.package_count,
                "kind": booking.package_kind,
                "marks": booking.package_marks,
            },
            "gross_weight_kg": booking.gross_weight_kg,
            "net_weight_kg": booking.net_weight_kg,
            "has_dangerous_goods": dangerous is not None,
            "dangerous_goods": dangerous,
            "reefer_temperature_c": booking.reefer_temp_c,
        },
        "containers": [
            {"size_type": ln.size_type, "quantity": ln.quantity} for ln in booking.lines
        ],
        "negotiable": booking.negotiable,
        "payment_term": booking.payment_term,
        "declared_value": declared,
    }


def copy_booking(
    session: Session,
    user: User,
    reference: str,
    departure_id: int,
    waitlist: bool = False,
    now: datetime | None = None,
) -> Booking:
    """A new booking of the user's company on ``departure_id`` with what ``booking_data``
    keeps of booking ``reference`` (one of the company's: any other is ``NotFound``).

    Placed by ``place_booking``: it raises what placing a booking raises (``CapacityExceeded``
    unless ``waitlist``, ``CutoffPassed``, ``Conflict`` for a departure that takes no more
    bookings, ``Invalid`` for a destination or cargo the departure's route does not take)."""
    require_role(user, Role.SHIPPER)
    source = bookings.get_booking(session, user, reference, timeline=False)
    data = {**booking_data(source), "departure_id": departure_id, "waitlist": waitlist}
    return bookings.place_booking(session, user, data, now)


def as_body(data: dict) -> dict:
    """Loaded booking data (``booking_data``, or ``BookingCreateSchema``'s) as the JSON body
    ``POST /bookings`` takes: amounts as decimal strings, choices by name, the dangerous
    goods' ``class`` under its own name, empty parts left out."""
    return {key: _json(value) for key, value in data.items() if key in KEPT and value is not None}


def _json(value):
    if isinstance(value, dict):
        return {
            ("class" if key == "class_" else key): _json(item)
            for key, item in value.items()
            if item is not None
        }
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, enum.Enum):
        return value.name
    return value


# ---- templates ------------------------------------------------------------------------------


def _duplicate() -> Conflict:
    return Conflict(
        _l("Your company has a template of this name already."),
        errors={"name": [_l("Choose another name: this one is taken.")]},
    )


def templates_query(user: User, q: str | None = None, sort: Sequence[str] | None = None) -> Select:
    """The templates of the user's company, by name unless ``sort`` says otherwise; with
    ``q``, those whose name contains it (``services.search``)."""
    require_role(user, Role.SHIPPER)
    stmt = select(BookingTemplate).where(BookingTemplate.company_id == user.company_id)
    return order_by(search(stmt, q, BookingTemplate.name), sort, SORTING)


def get_template(session: Session, user: User, template_id: int) -> BookingTemplate:
    """One template of the user's company; another company's is ``NotFound``."""
    return company_rows.get_owned(session, user, BookingTemplate, template_id)


def create_template(
    session: Session,
    user: User,
    name: str,
    data: dict | None = None,
    reference: str | None = None,
) -> BookingTemplate:
    """A template named ``name`` of loaded booking ``data``, or of booking ``reference``
    (one of the company's, else ``NotFound``) as a copy would take it.

    Raises ``Conflict`` when the company has ``MAX_TEMPLATES`` (counted safely under races)
    or a template of this name already."""
    require_role(user, Role.SHIPPER)
    if reference is not None:
        data = booking_data(bookings.get_booking(session, user, reference, timeline=False))
    company_rows.check_room(
        session, user, BookingTemplate, MAX_TEMPLATES,
        _l("Your company has %(n)d templates, as many as it may: remove one first.",
           n=MAX_TEMPLATES),
    )  # fmt: skip
    template = BookingTemplate(
        company_id=user.company_id, name=name, body=as_body(data), created_by_id=user.id
    )
    session.add(template)
    company_rows.save(session, template, _duplicate())
    return template


def update_template(
    session: Session,
    user: User,
    template_id: int,
    version: int | None,
    name: str | None = None,
    data: dict | None = None,
) -> BookingTemplate:
    """Rename a template and/or replace its booking, made on the ``version`` read (a stale
    one is a ``Conflict``, as is a name the company uses already)."""
    template = get_template(session, user, template_id)
    company_rows.check_version(template, version)
    body = as_body(data) if data is not None else template.body
    if (name is not None and name != template.name) or body != template.body:
        template.name = name if name is not None else template.name
        template.body = body
        company_rows.save(session, template, _duplicate())
    return template


def delete_template(
    session: Session, user: User, template_id: int, version: int | None = None
) -> BookingTemplate:
    """Remove a template (bookings made from it are not concerned)."""
    template = get_template(session, user, template_id)
    company_rows.check_version(template, version)
    session.delete(template)
    session.flush()
    return template
