"""Names of the domain's states and kinds, in the user's language, for every interface."""

from decimal import Decimal, InvalidOperation

from flask import Flask
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from dryport.i18n import locale_code
from dryport.models import (
    BookingStatus,
    ContainerOwner,
    DeliveryStatus,
    DepartureStatus,
    DocumentKind,
    DocumentType,
    EquipmentEventType,
    EventClassifier,
    EventType,
    PaymentTerm,
    PlaceKind,
    Role,
    SealedBy,
    TransportEventType,
    TransportMode,
    VgmMethod,
)
from dryport.services import waitlist
from dryport.services.containers import format_teu
from dryport.services.pricing import CHARGE_NAMES, GROUP_NAMES, group_name

LABELS = {
    Role.SHIPPER: _l("Shipper"),
    Role.CLERK: _l("Station clerk"),
    Role.OPERATOR: _l("Operator"),
    Role.ADMIN: _l("Administrator"),
    BookingStatus.WAITLISTED: _l("On the waitlist"),
    BookingStatus.RECEIVED: _l("Received"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.REJECTED: _l("Rejected"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.DEPARTED: _l("Departed"),
    BookingStatus.ARRIVED: _l("Arrived"),
    BookingStatus.EXPIRED: _l("Expired"),
    DepartureStatus.SCHEDULED: _l("Open for booking"),
    DepartureStatus.CLOSED: _l("Cut-off passed"),
    DepartureStatus.DEPARTED: _l("Departed"),
    DepartureStatus.ARRIVED: _l("Arrived"),
    DepartureStatus.CANCELLED: _l("Cancelled"),
    DeliveryStatus.PENDING: _l("Waiting"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.FAILED: _l("Failed"),
    EventType.CREATED: _l("Booking received"),
    EventType.AMENDED: _l("Booking amended"),
    EventType.CANCELLED: _l("Booking cancelled"),
    EventType.CONFIRMED: _l("Load confirmed"),
    EventType.REJECTED: _l("Load rejected"),
    EventType.ROLLED: _l("Rolled to another departure"),
    EventType.DEPARTED: _l("Departed"),
    EventType.ARRIVED: _l("Arrived"),
    EventType.WAYBILL_ISSUED: _l("Waybill issued"),
    EventType.DOCUMENT_ADDED: _l("Document attached"),
    EventType.DOCUMENT_REMOVED: _l("Document removed"),
    EventType.ORIGINALS_PRINTED: _l("Originals printed"),
    EventType.TRANSPORT: _l("Transport event"),
    EventType.EQUIPMENT: _l("Container event"),
    EventType.CUSTOMS_RELEASED: _l("Released by customs"),
    EventType.WAITLISTED: _l("Placed on the waitlist"),
    EventType.PROMOTED: _l("Promoted from the waitlist"),
    EventType.EXPIRED: _l("Expired on the waitlist"),
    TransportEventType.DEPA: _l("Departed"),
    TransportEventType.ARRI: _l("Arrived"),
    EventClassifier.PLN: _l("Planned"),
    EventClassifier.EST: _l("Estimated"),
    EventClassifier.ACT: _l("Actual"),
    EquipmentEventType.GTIN: _l("Gate in"),
    EquipmentEventType.LOAD: _l("Loaded"),
    EquipmentEventType.DISC: _l("Discharged"),
    EquipmentEventType.GTOT: _l("Gate out"),
    DocumentKind.INVOICE: _l("Commercial invoice"),
    DocumentKind.PACKING_LIST: _l("Packing list"),
    DocumentKind.CERTIFICATE: _l("Certificate"),
    DocumentKind.MSDS: _l("Safety data sheet (MSDS)"),
    DocumentKind.CUSTOMS_DECLARATION: _l("Customs declaration"),
    DocumentKind.OTHER: _l("Other document"),
    VgmMethod.METHOD_1: _l("Method 1: packed container weighed"),
    VgmMethod.METHOD_2: _l("Method 2: cargo, packing and tare added"),
    ContainerOwner.COC: _l("COC: carrier-owned"),
    ContainerOwner.SOC: _l("SOC: shipper-owned"),
    SealedBy.SHIPPER: _l("Shipper"),
    SealedBy.CARRIER: _l("Carrier"),
    SealedBy.CUSTOMS: _l("Customs"),
    DocumentType.RAIL_WAYBILL: _l("Domestic rail waybill"),
    DocumentType.CIM_SMGS: _l("CIM/SMGS consignment note"),
    DocumentType.MULTIMODAL: _l("Multimodal transport document"),
    TransportMode.ROAD: _l("Road"),
    TransportMode.RAIL: _l("Rail"),
    TransportMode.WATER: _l("Inland water"),
    TransportMode.SEA: _l("Sea"),
    PlaceKind.RAIL_STATION: _l("Railway station"),
    PlaceKind.PORT: _l("Port"),
    PlaceKind.BORDER: _l("Border station"),
    PaymentTerm.PRE: _l("Prepaid: the consignor pays"),
    PaymentTerm.COL: _l("Collect: the consignee pays"),
}


#: Names of a booking's parts, as an amendment's timeline entry lists them.
FIELDS = {
    "consignee": _l("Consignee"),
    "notify_party": _l("Notify party"),
    "cargo": _l("Cargo"),
    "gross_weight_kg": _l("Gross weight (kg)"),
    "net_weight_kg": _l("Net weight (kg)"),
    "destination": _l("Destination"),
    "packages": _l("Packages"),
    "customs": _l("Customs data"),
    "negotiable": _l("Negotiable"),
    "payment_term": _l("Charges paid by"),
    "charges": _l("Charges"),
    "sea_leg": _l("Sea continuation"),
    "declared_value": _l("Declared value"),
    "dangerous_goods": _l("Dangerous goods"),
    "reefer_temperature_c": _l("Reefer set-point (°C)"),
    "containers": _l("Containers"),
    "teu": "TEU",
    # the audit log's fields
    "name_zh": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"),
    "feeder_hours": _l("Hours to the hub"),
    "active": _l("In use"),
    "document_type": _l("Transport document"),
    "role": _l("Role"),
    "station": _l("Station"),
    "company": _l("Company"),
    "name": _l("Name"),
    "service_no": _l("Service no."),
    "departs_at": _l("Departs"),
    "cutoff_at": _l("Cut-off at the hub"),
    "capacity_teu": _l("Capacity (TEU)"),
    "capacity_kg": _l("Weight limit (kg, optional)"),
    "status": _l("Status"),
    "departed_at": _l("Departed"),
    "arrived_at": _l("Arrived"),
    "mode": _l("Mode"),
    "origin_zh": _l("From (Chinese)"),
    "origin_en": _l("From (English)"),
    "origin_locode": _l("From UN/LOCODE"),
    "destination_zh": _l("To (Chinese)"),
    "destination_en": _l("To (English)"),
    "destination_locode": _l("To UN/LOCODE"),
    "via_zh": _l("Via (Chinese)"),
    "via_en": _l("Via (English)"),
    "address": _l("Address"),
    "path": _l("Page"),
    "kind": _l("Kind"),
    "railway_code": _l("Railway station code"),
    "exit_place": _l("Exit station"),
    "entry_place": _l("Entry station"),
    "gauge_change": _l("Gauge change"),
    "destinations": _l("Destinations"),
    "border_crossings": _l("Border crossings"),
    "border_crossing": _l("Border crossing"),
    "refused_dg_classes": _l("Refused dangerous-goods classes"),
    "legs": _l("Legs"),
    "carriers": _l("Carriers"),
    "transit_hours": _l("Transit hours"),
    "carrier": _l("Carrier"),
    "planned_departure": _l("Planned departure"),
    "planned_arrival": _l("Planned arrival"),
    # a tariff's fields
    "route": _l("Route"),
    "leg_seq": _l("Leg"),
    "size_group": _l("Size group"),
    "currency": _l("Currency"),
    "amount": _l("Freight per container"),
    "dg_surcharge": _l("Dangerous goods surcharge"),
    "reefer_surcharge": _l("Reefer surcharge"),
    "overweight_surcharge": _l("Overweight surcharge"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid to"),
    "note": _l("Note"),
}

#: What the audit log speaks of, and what was done.
AUDIT = {
    "station": _l("Station"),
    "route": _l("Route"),
    "leg": _l("Leg"),
    "user": _l("User"),
    "departure": _l("Departure"),
    "place": _l("Place"),
    "border_crossing": _l("Border crossing"),
    "tariff": _l("Tariff"),
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("removed"),
    "deactivate": _l("deactivated"),
    "reset_password": _l("password reset"),
    "cancel": _l("cancelled"),
    "depart": _l("departed"),
    "arrive": _l("arrived"),
    "security": _l("Security"),
    "sign_in": _l("signed in"),
    "sign_in_failed": _l("failed sign-in"),
    "denied": _l("access refused"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "password_reset_requested": _l("password reset link asked for"),
    "password_reset": _l("password set with a reset link"),
}


def label(value) -> str:
    return str(LABELS.get(value, getattr(value, "name", value)))


def field_label(name: str) -> str:
    """The name of a recorded field; ``legs.2.mode`` (a route's leg) as "Leg 2 · Mode"."""
    if name.startswith("legs."):
        _, seq, *rest = name.split(".")
        leg = str(_l("Leg %(n)d", n=int(seq)))
        return f"{leg} · {field_label(rest[0])}" if rest else leg
    return str(FIELDS.get(name, name))


def change_value(value) -> str:
    """A value of a recorded change as the reader writes numbers (``42000.0`` becomes
    ``42,000``); text as it is, nothing as a dash."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_decimal(number) if number.is_finite() else str(value)


def audit_label(word: str) -> str:
    return str(AUDIT.get(word, word))


def status_label(name: str) -> str:
    """A booking status stored by name (in an event's details)."""
    status = BookingStatus.__members__.get(name)
    return label(status) if status else name


#: A leg's status in a departure's tracking (``services.tracking``).
LEG_STATUSES = {
    "PLANNED": _l("Planned"),
    "UNDERWAY": _l("Underway"),
    "DONE": _l("Done"),
}


#: Why a booking left the waitlist without being received (its EXPIRED event's ``reason``).
EXPIRY_REASONS = {
    waitlist.CUTOFF: _l("No room freed for it before its station's cut-off."),
    waitlist.DEPARTURE_CANCELLED: _l("Its departure was cancelled."),
    waitlist.DEPARTED: _l("Its departure left without room for it."),
}


def expiry_label(reason: str | None) -> str:
    return str(EXPIRY_REASONS.get(reason, reason or ""))


def leg_status_label(status: str) -> str:
    return str(LEG_STATUSES.get(status, status))


def event_label(name: str) -> str:
    """A transport or equipment event's type or classifier stored by name (DEPA, GTIN,
    EST...), in an event's details."""
    for kind in (TransportEventType, EquipmentEventType, EventClassifier):
        if name in kind.__members__:
            return label(kind[name])
    return name


def charge_label(line, route=None) -> str:
    """A charge line (as ``services.pricing`` stores it) in the reader's language: "运费 · 40英尺 ·
    恒口—西安国际港站"; the leg named by the route's leg when ``route`` is given."""
    locale = locale_code()
    if not isinstance(line, dict):  # a statement's line: the same fields as attributes
        line = {name: getattr(line, name, None) for name in ("code", "size_group", "leg_seq")}
    names = CHARGE_NAMES.get(line["code"])
    parts = [(names[0] if locale == "zh" else names[1]) if names else line["code"]]
    if line.get("size_group") in GROUP_NAMES:
        parts.append(group_name(line["size_group"], locale))
    leg = None
    if route is not None and line.get("leg_seq") is not None:
        leg = next((leg for leg in route.legs if leg.seq == line["leg_seq"]), None)
    if leg is not None:
        parts.append(f"{leg.origin(locale)}—{leg.destination(locale)}")
    elif line.get("leg_seq") is not None:
        parts.append(str(_l("Leg %(n)d", n=line["leg_seq"])))
    return " · ".join(parts)


def document_kind_label(name: str) -> str:
    """A document's kind stored by name (in an event's details)."""
    kind = DocumentKind.__members__.get(name)
    return label(kind) if kind else name


def file_size(size: int) -> str:
    """A file's size as the reader counts it: bytes, KB or MB (of 1,024)."""
    if size < 1024:
        return f"{format_decimal(size)} B"
    if size < 1024 * 1024:
        return f"{format_decimal(round(size / 1024, 1))} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1))} MB"


def group_label(group: str) -> str:
    """A tariff's size group in the reader's language (``40英尺``, ``40 ft``)."""
    return group_name(group, locale_code())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        label=label,
        role_label=label,
        field_label=field_label,
        status_label=status_label,
        event_label=event_label,
        leg_status_label=leg_status_label,
        expiry_label=expiry_label,
        document_kind_label=document_kind_label,
        charge_label=charge_label,
        audit_label=audit_label,
        change_value=change_value,
        group_label=group_label,
    )
    app.jinja_env.filters["teu"] = format_teu
    app.jinja_env.filters["filesize"] = file_size
