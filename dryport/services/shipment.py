"""Every rule about what a booking says of its shipment: where it goes, how it is packed, what
it weighs against what its containers can carry, the dangerous goods it declares and its
customs data; and its transport terms: whether its document is negotiable, the sea
continuation booked with an ocean carrier, and the value declared for the carrier's liability.

The rules that need only the input (formats, code lists, the packing group a class takes)
are checked by the booking schemas with the lists kept here; the rules that need the route
or the booked lines are ``check_shipment``'s.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dryport.models import Booking, DocumentType, Place, PlaceKind, Route
from dryport.services.containers import cargo_limit_kg
from dryport.services.errors import Conflict, Invalid

HS_CODE = re.compile(r"^(?:[0-9]{6}|[0-9]{8}|[0-9]{10})$")
UN_NUMBER = re.compile(r"^(?:UN)?\s*([0-9]{4})$", re.IGNORECASE)
#: The UN numbers assigned by the UN Model Regulations: UN0004 (ammonium picrate) to UN3550.
UN_NUMBER_RANGE = (4, 3550)
CUSTOMS_DECLARATION_NO = re.compile(r"^[0-9]{18}$")

# IMDG classes and divisions.
DG_CLASSES = (
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "4.3",
    "5.1", "5.2", "6.1", "6.2", "7", "8", "9",
)  # fmt: skip
#: Classes whose goods are assigned a packing group (IMDG 2.0.1.3): the declaration must
#: state it (IMDG 5.4.1.4.1). Classes 1, 2, 5.2, 6.2 and 7 have none, so none is stated.
#: (Self-reactive substances of 4.1 have none either; they are declared without one only
#: when their entry says so, which this list cannot tell: 4.1 asks for one.)
PACKING_GROUP_CLASSES = frozenset({"3", "4.1", "4.2", "4.3", "5.1", "6.1", "8", "9"})
PACKING_GROUPS = ("I", "II", "III")

#: A common part of UN/ECE Recommendation 21 (kinds of package): code, Chinese, English.
PACKAGE_KINDS = {
    code: (zh, en)
    for code, zh, en in (
        ("CT", "纸箱", "Carton"),
        ("BX", "箱", "Box"),
        ("CS", "箱(货箱)", "Case"),
        ("CR", "板条箱", "Crate"),
        ("PK", "件(包装件)", "Package"),
        ("PX", "托盘", "Pallet"),
        ("BG", "袋", "Bag"),
        ("SA", "麻袋", "Sack"),
        ("BL", "捆(压缩)", "Bale, compressed"),
        ("BE", "捆扎件", "Bundle"),
        ("DR", "桶", "Drum"),
        ("BA", "琵琶桶", "Barrel"),
        ("TN", "听", "Tin"),
        ("JR", "罐(坛)", "Jar"),
        ("CY", "钢瓶", "Cylinder"),
        ("RO", "卷", "Roll"),
        ("NE", "无包装", "Unpacked or unpackaged"),
    )
}
MAX_PACKAGES = 1_000_000
#: What the documents print for a field a booking made before it existed leaves empty.
NOT_STATED = "未填写 Not stated"
MAX_MARKS = 255

#: ISO 4217 codes of the currencies legal tender somewhere today (from CLDR).
CURRENCIES = (
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD",
    "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN",
    "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
    "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES",
    "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN",
    "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP",
    "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
    "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS", "TMT", "TND",
    "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND", "VUV",
    "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
)  # fmt: skip
#: Offered first on the form: the currencies of this port's trade.
COMMON_CURRENCIES = ("CNY", "USD", "EUR", "RUB", "KZT", "PLN", "GBP", "SGD")


def package_kind_name(code: str | None, locale: str) -> str:
    """The kind's name in ``locale`` ("" for none; the code itself for one not listed)."""
    if not code:
        return ""
    names = PACKAGE_KINDS.get(code)
    return (names[0] if locale == "zh" else names[1]) if names else code


def offered_destinations(route: Route) -> list:
    """The places a booking on ``route`` may go to: its destinations still in use."""
    return [place for place in route.destinations if place.active]


def check_shipment(booking: Booking | None, route: Route, data: dict, lines) -> None:
    """The rules that need the route or the lines, on the booking as it will be.

    ``data`` is what a booking schema loaded (a new booking's, or an amendment's parts of
    ``booking``); ``lines`` the ``(size_type, quantity)`` pairs it will have. Raises
    ``Invalid``: for a destination not on the route's list, a dangerous-goods class the route
    refuses, or a gross weight over what the containers can carry (the message says the
    limit).
    """
    errors: dict = {}
    offered = [place.code for place in offered_destinations(route)]
    if data.get("destination") is not None and data["destination"] not in offered:
        errors["destination"] = [
            _l(
                "Choose one of this route's destinations: %(codes)s.",
                codes=", ".join(offered) or "—",
            )
        ]
    cargo = data.get("cargo")
    if cargo is not None:
        dangerous = cargo.get("dangerous_goods") or {}
        if dangerous.get("class_") in (route.refused_dg_classes or ()):
            errors.setdefault("cargo", {})["dangerous_goods"] = {
                "class": [
                    _l(
                        "The %(route)s service does not carry class %(dg_class)s.",
                        route=route.code,
                        dg_class=dangerous["class_"],
                    )
                ]
            }
    gross = cargo["gross_weight_kg"] if cargo is not None else booking.gross_weight_kg
    limit = cargo_limit_kg(lines)
    if gross > limit and (cargo is not None or "containers" in data):
        errors.setdefault("cargo", {})["gross_weight_kg"] = [
            _l(
                "The containers booked can carry at most %(limit)s kg of cargo"
                " (maximum gross less typical tare of each).",
                limit=f"{limit:,}",
            )
        ]
    if errors:
        raise Invalid(errors=errors)


def apply_cargo(booking: Booking, cargo: dict) -> None:
    """Set the booking's cargo as ``CargoSchema`` loaded it: description, HS code, packages,
    weights, the dangerous-goods answer and declaration, the reefer set-point."""
    booking.cargo_description = cargo["description"]
    booking.hs_code = cargo["hs_code"]
    booking.gross_weight_kg = cargo["gross_weight_kg"]
    booking.net_weight_kg = cargo.get("net_weight_kg")
    packages = cargo["packages"]
    booking.package_count = packages["count"]
    booking.package_kind = packages["kind"]
    booking.package_marks = packages.get("marks")
    dangerous = cargo.get("dangerous_goods") or {}
    booking.has_dangerous_goods = bool(dangerous)
    booking.un_number = dangerous.get("un_number")
    booking.dg_class = dangerous.get("class_")
    booking.dg_packing_group = dangerous.get("packing_group")
    booking.dg_proper_shipping_name = dangerous.get("proper_shipping_name")
    booking.dg_emergency_contact = dangerous.get("emergency_contact")
    booking.reefer_temp_c = cargo.get("reefer_temperature_c")


def apply_customs(booking: Booking, customs: dict | None) -> None:
    """Set (or, with none, clear) the booking's customs data as ``CustomsSchema`` loaded it.
    Once customs has released the booking (``services.customs_release``), its declaration
    number stays: another, or none, is a ``Conflict``."""
    customs = customs or {}
    released = booking.customs_released_at is not None
    if released and customs.get("declaration_no") != booking.customs_declaration_no:
        number = booking.customs_declaration_no
        raise Conflict(
            _l("Customs released this booking under declaration %(number)s: that number can"
               " no longer change.", number=number),
            errors={"customs.declaration_no": [_l("Released under %(number)s.", number=number)]},
        )  # fmt: skip
    booking.customs_declaration_no = customs.get("declaration_no")
    booking.customs_invoice_value = customs.get("invoice_value")
    booking.customs_currency = customs.get("currency")


def customs_text(booking: Booking) -> str:
    """The customs data in one line, for the timeline ("" when none is given)."""
    if not booking.customs_declaration_no:
        return ""
    return (
        f"{booking.customs_declaration_no} · "
        f"{booking.customs_invoice_value:f} {booking.customs_currency}"
    )


#: A consignee "to order" (of the shipper, or of a bank): only a negotiable document has one.
TO_ORDER = re.compile(r"^\s*(?:to\s+(?:the\s+)?order\b|凭.{0,60}指示)", re.IGNORECASE)
#: The documents that may continue by sea (EAST from Ningbo, WHSEA from Shanghai); a CIM/SMGS
#: note ends at a rail station.
SEA_DOCUMENTS = (DocumentType.RAIL_WAYBILL, DocumentType.MULTIMODAL)
SEA_LEG_FIELDS = {  # the API's names -> the booking's columns
    "ocean_booking_no": "ocean_booking_no",
    "vessel": "sea_vessel",
    "voyage": "sea_voyage",
    "port_of_discharge": "port_of_discharge",
}


def is_to_order(name: str | None) -> bool:
    """Whether a consignee's name makes the goods deliverable "to order" (TO ORDER, TO ORDER
    OF ..., 凭指示, 凭...指示) instead of to a named consignee."""
    return bool(name and TO_ORDER.match(name))


def check_transport_terms(
    session: Session, booking: Booking | None, route: Route, data: dict
) -> None:
    """The rules of the transport terms on the booking as it will be, keyed by the route's
    document (``data`` as a booking schema loaded it).

    Raises ``Invalid``: ``negotiable`` on a route whose document is not a multimodal transport
    document; a consignee "to order" on a document that is not negotiable; a ``sea_leg`` on
    a CIM/SMGS route; a port of discharge that is no port in use; on a multimodal document,
    a destination that is not a port with no port of discharge named.
    """
    errors: dict = {}
    document = route.document_type
    negotiable = data.get("negotiable", booking.negotiable if booking else False)
    if negotiable and document is not DocumentType.MULTIMODAL:
        errors["negotiable"] = [
            _l(
                "The %(route)s document is not negotiable: only a multimodal transport"
                " document is.",
                route=route.code,
            )
        ]
    consignee = data["consignee"]["name"] if "consignee" in data else None
    if consignee is None and booking is not None and "negotiable" in data:
        consignee = booking.consignee_name
    if not negotiable and is_to_order(consignee):
        errors["consignee"] = {
            "name": [_l("A consignee 'to order' needs a negotiable document: name the consignee.")]
        }
    sea_leg = data.get("sea_leg")
    if sea_leg and document not in SEA_DOCUMENTS:
        errors["sea_leg"] = [
            _l("A %(route)s consignment ends at a rail station: it has no sea leg.",
               route=route.code)
        ]  # fmt: skip
    elif sea_leg and sea_leg.get("port_of_discharge"):
        port = session.scalar(select(Place).where(Place.code == sea_leg["port_of_discharge"]))
        if port is None or not port.active or port.kind is not PlaceKind.PORT:
            errors["sea_leg"] = {
                "port_of_discharge": [_l("A port in use: the code of a place of kind port.")]
            }
    if document is DocumentType.MULTIMODAL and "sea_leg" not in errors:
        _check_discharge(session, booking, data, errors)
    if errors:
        raise Invalid(errors=errors)


def _check_discharge(session: Session, booking: Booking | None, data: dict, errors: dict):
    """A multimodal document names its port of discharge: the one given, else the booking's
    destination, which must then be a port."""
    sea_leg = data["sea_leg"] if "sea_leg" in data else (_sea_leg(booking) if booking else None)
    if sea_leg and sea_leg.get("port_of_discharge"):
        return
    code = data.get("destination", booking.destination if booking else None)
    if code is None:
        return  # a booking made before destinations: nothing to check it against
    place = session.scalar(select(Place).where(Place.code == code))
    if place is not None and place.kind is not PlaceKind.PORT:
        errors["sea_leg"] = {
            "port_of_discharge": [_l("The destination is not a port: name the port of discharge.")]
        }


def apply_transport_terms(booking: Booking, data: dict) -> None:
    """Set what ``data`` gives of ``negotiable``, ``sea_leg`` and ``declared_value`` (a group
    given as None is cleared)."""
    if "negotiable" in data:
        booking.negotiable = data["negotiable"]
    if "sea_leg" in data:
        sea_leg = data["sea_leg"] or {}
        for name, column in SEA_LEG_FIELDS.items():
            setattr(booking, column, sea_leg.get(name))
    if "declared_value" in data:
        value = data["declared_value"] or {}
        booking.declared_value = value.get("amount")
        booking.declared_value_currency = value.get("currency")


def _sea_leg(booking: Booking) -> dict | None:
    values = {name: getattr(booking, column) for name, column in SEA_LEG_FIELDS.items()}
    return values if any(values.values()) else None


def discharge_port(booking: Booking) -> Place | None:
    """The port where the sea leg ends: the one the booking names, else on a multimodal
    document its destination when that is a port (WHSEA's destinations are its ports of
    discharge); None without either."""
    if booking.discharge_place is not None:
        return booking.discharge_place
    place = booking.destination_place
    multimodal = booking.departure.route.document_type is DocumentType.MULTIMODAL
    if multimodal and place is not None and place.kind is PlaceKind.PORT:
        return place
    return None


def sea_leg(booking: Booking) -> dict | None:
    """The sea continuation as the API shows it (the port of discharge as ``discharge_port``
    finds it); None when there is none."""
    port = discharge_port(booking)
    values = _sea_leg(booking) or {}
    if not values and port is None:
        return None
    return {
        **dict.fromkeys(SEA_LEG_FIELDS),
        **values,
        "port_of_discharge": port.code if port else None,
    }


def sea_leg_text(booking: Booking) -> str:
    """The sea continuation in one line, for the timeline ("" when none is given)."""
    values = _sea_leg(booking)
    return " · ".join(v for v in values.values() if v) if values else ""


def declared_value_text(booking: Booking) -> str:
    if booking.declared_value is None:
        return ""
    return f"{booking.declared_value:f} {booking.declared_value_currency}"


def snapshot(booking: Booking) -> dict:
    """The cargo and customs as the timeline records a change of them."""
    return {
        "cargo": f"{booking.cargo_description} · HS {booking.hs_code}",
        "packages": (
            f"{booking.package_count} {booking.package_kind}"
            + (f" · {booking.package_marks}" if booking.package_marks else "")
            if booking.package_kind
            else ""
        ),
        "gross_weight_kg": str(booking.gross_weight_kg),
        "net_weight_kg": "" if booking.net_weight_kg is None else str(booking.net_weight_kg),
        "dangerous_goods": (
            " ".join(filter(None, (booking.un_number, booking.dg_class, booking.dg_packing_group)))
            if booking.un_number
            else ""
        ),
        "customs": customs_text(booking),
        "negotiable": "✓" if booking.negotiable else "",
        "sea_leg": sea_leg_text(booking),
        "declared_value": declared_value_text(booking),
        "reefer_temperature_c": (
            "" if booking.reefer_temp_c is None else str(booking.reefer_temp_c)
        ),
    }
