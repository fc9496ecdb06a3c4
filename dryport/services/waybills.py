"""Waybills: issued when a load is confirmed, numbered per route, re-issued as a new revision
when the booking changes after issue, and verifiable by anyone holding the printed QR code.

The verification token is an HMAC of the number and revision under the application's
secret, stored at issue; an older revision stays verifiable and is shown as superseded.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager, object_session, selectinload

from dryport.models import (
    Booking,
    BookingStatus,
    Departure,
    DocumentKind,
    DocumentType,
    EventType,
    PaymentTerm,
    Place,
    SealedBy,
    StationKind,
    TransportMode,
    User,
    VgmMethod,
    Waybill,
)
from dryport.pdf.fonts import cjk_font
from dryport.pdf.typeset import grouped
from dryport.pdf.waybill import ContainerRow, WaybillDoc, render
from dryport.pdf.waybill import Leg as PdfLeg
from dryport.services import sequences
from dryport.services.access import booking_scope
from dryport.services.bookings import record_event
from dryport.services.clock import local_stamp, to_local, utcnow
from dryport.services.containers import MAX_GROSS_KG, format_teu
from dryport.services.departures import LegPlan, leg_plan
from dryport.services.documents import documents_of
from dryport.services.errors import NotFound
from dryport.services.shipment import NOT_STATED, discharge_port, package_kind_name

TOKEN = re.compile(r"[0-9a-f]{32}")


def issue_waybill(
    session: Session, booking: Booking, actor: User | None, now: datetime | None = None
) -> Waybill:
    """Issue the booking's waybill, or its next revision (the previous one is superseded).

    Numbers run per route and month: ``WB-XAEU-2612-0007``.
    """
    now = now or utcnow()
    current = latest(session, booking.id)
    if current is None:
        route = booking.departure.route.code
        month = to_local(now).strftime("%y%m")
        serial = sequences.reserve(session, f"waybill:{route}:{month}")[0]
        number, revision = f"WB-{route}-{month}-{serial:04d}", 1
    else:
        current.superseded_at = now
        number, revision = current.number, current.revision + 1
    waybill = Waybill(
        number=number,
        booking=booking,
        revision=revision,
        issued_at=now,
        issued_by=actor,
        token=token_for(number, revision),
    )
    session.add(waybill)
    record_event(
        session, booking, actor, EventType.WAYBILL_ISSUED, at=now, number=number,
        revision=revision,
    )  # fmt: skip
    return waybill


def token_for(number: str, revision: int) -> str:
    """The verification token printed in the QR code."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"waybill:{number}:{revision}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def latest(session: Session, booking_id: int) -> Waybill | None:
    return session.scalar(
        select(Waybill)
        .where(Waybill.booking_id == booking_id)
        .order_by(Waybill.revision.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Verification:
    waybill: Waybill
    latest_revision: int

    @property
    def superseded(self) -> bool:
        return self.waybill.revision < self.latest_revision


def verify(session: Session, number: str, token: str) -> Verification:
    """The waybill revision this token was printed for. Raises ``NotFound`` for an unknown
    number or a token that matches no revision of it."""
    if not TOKEN.fullmatch(token or ""):
        raise NotFound()
    revisions = session.scalars(
        select(Waybill)
        .where(Waybill.number == number)
        .options(selectinload(Waybill.booking).selectinload(Booking.departure))
        .order_by(Waybill.revision)
    ).all()
    match = next((w for w in revisions if hmac.compare_digest(w.token, token)), None)
    if match is None:
        raise NotFound()
    return Verification(match, revisions[-1].revision)


def waybill_for(session: Session, user: User, reference: str) -> Waybill:
    """The current waybill of a booking the user may see; ``NotFound`` when there is none."""
    booking = session.scalar(
        select(Booking).where(Booking.reference == reference, booking_scope(user))
    )
    waybill = latest(session, booking.id) if booking else None
    if waybill is None:
        raise NotFound()
    return waybill


def departure_waybills(session: Session, departure_id: int) -> list[Waybill]:
    """The current waybill of every confirmed (or departed, arrived) booking of a departure,
    in booking order."""
    if session.get(Departure, departure_id) is None:
        raise NotFound()
    # the bookings come with their waybills, so that they stay loaded (the session keeps
    # objects only while they are referenced) with all that each document reads
    return list(
        session.scalars(
            select(Waybill)
            .join(Waybill.booking)
            .where(
                Booking.departure_id == departure_id,
                Booking.status.in_(
                    (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)
                ),
                Waybill.superseded_at.is_(None),
            )
            .options(
                contains_eager(Waybill.booking).options(
                    selectinload(Booking.lines),
                    selectinload(Booking.containers),
                    selectinload(Booking.company),
                    selectinload(Booking.origin_station),
                    selectinload(Booking.events),
                    selectinload(Booking.destination_place),
                    selectinload(Booking.discharge_place),
                )
            )
            .order_by(Booking.reference)
        )
    )


MODES = {"ROAD": "公路 Road", "RAIL": "铁路 Rail", "WATER": "内河 Inland water", "SEA": "海运 Sea"}
ISSUER = "陕西安康恒口无水港 Hengkou Dry Port, Ankang, Shaanxi"
ISSUE_PLACE = "安康恒口 Hengkou, Ankang"
NOT_RECORDED = "未登记 not recorded"
PAYMENT_TERMS = {
    PaymentTerm.PRE: "预付 · 发货人付 Prepaid · payable by the consignor",
    PaymentTerm.COL: "到付 · 收货人付 Collect · payable by the consignee",
}
NOT_SET = "未定 not yet set"
SEALED_BY = {
    SealedBy.SHIPPER: "发货人 Shipper",
    SealedBy.CARRIER: "承运人 Carrier",
    SealedBy.CUSTOMS: "海关 Customs",
}
DOCUMENT_KINDS = {
    DocumentKind.INVOICE: "商业发票 Invoice",
    DocumentKind.PACKING_LIST: "装箱单 Packing list",
    DocumentKind.CERTIFICATE: "证书 Certificate",
    DocumentKind.MSDS: "安全技术说明书 MSDS",
    DocumentKind.CUSTOMS_DECLARATION: "报关单 Customs declaration",
    DocumentKind.OTHER: "其他 Other",
}
# Box 21: how the mass was determined, in the railway's terms (the SOLAS method is in the VGM
# block beside it).
MASS_METHODS = {
    VgmMethod.METHOD_1: "发货人过秤 На весах отправителя weighed on scales by the consignor",
    VgmMethod.METHOD_2: "计算确定 Расчётным путём calculated by the consignor",
}
VGM_METHODS = {VgmMethod.METHOD_1: "方法一 Method 1", VgmMethod.METHOD_2: "方法二 Method 2"}


def verify_url(waybill: Waybill) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/verify/{waybill.number}?t={waybill.token}"


#: The customary full set of a negotiable transport document: whoever holds one original
#: may claim the goods, so the set is counted and printed once.
NEGOTIABLE_SET = 3


def originals_for(booking: Booking) -> int:
    """How many originals a revision of the booking's document is printed in: a negotiable
    ("to order") multimodal transport document (WHSEA) the full set of three, as bills of
    lading go; every other document one."""
    multimodal = booking.departure.route.document_type is DocumentType.MULTIMODAL
    return NEGOTIABLE_SET if multimodal and booking.negotiable else 1


def document(waybill: Waybill) -> WaybillDoc:
    """Everything the route's document says, in both languages (three on the CIM/SMGS note),
    from the booking and its departure as they are; printed as a copy unless the caller sets
    the original's number."""
    booking = waybill.booking
    departure = booking.departure
    route = departure.route
    places = _places(booking, route.legs)
    plans = leg_plan(departure)
    legs = _printed_legs(booking, places, plans)
    company = booking.company
    units = sum(line.quantity for line in booking.lines)
    vgm_total = sum(c.vgm_kg for c in booking.containers)
    own = next(plan for plan in plans if plan.own)
    doc = WaybillDoc(
        document_type=route.document_type.name,
        number=waybill.number,
        revision=waybill.revision,
        booking_reference=booking.reference,
        verify_url=verify_url(waybill),
        issued_at=local_stamp(waybill.issued_at),
        issue_place=ISSUE_PLACE,
        issuer=ISSUER,
        consignor=[
            company.name,
            company.address or "",
            f"统一社会信用代码 USCC {company.credit_code}",
            " ".join(filter(None, (company.contact_name, company.contact_phone))),
        ],
        consignee=[booking.consignee_name, booking.consignee_address],
        notify_party=[p for p in (booking.notify_name, booking.notify_address) if p],
        station_of_departure=[],
        station_of_destination=_station(_destination_place(booking, route.legs[-1], places)),
        train=f"{departure.service_no} · {local_stamp(departure.departs_at)}",
        cargo=[
            booking.cargo_description,
            f"HS {booking.hs_code}",
            _dangerous_goods(booking),
            f"冷藏 Reefer {booking.reefer_temp_c} °C" if booking.reefer_temp_c is not None else "",
        ],
        packages=_packages(booking),
        gross_kg=grouped(booking.gross_weight_kg, 1),
        totals=(
            f"{units:,} 箱 units · {format_teu(booking.teu)} TEU · "
            f"毛重 gross {grouped(booking.gross_weight_kg, 1)} kg · VGM {vgm_total:,} kg"
        ),
        vgm=_vgm(booking),
        legs=legs,
        containers=[
            ContainerRow(
                number=c.number,
                size_type=c.size_type,
                seal=c.seal_no,
                sealed_by=SEALED_BY[c.sealed_by],
                owner=c.owner.name,
                tare_kg=c.tare_kg,
                vgm_kg=c.vgm_kg,
                max_gross_kg=c.max_gross_kg or MAX_GROSS_KG,
                wagon=c.wagon_no or "",
                railway_waybill=c.railway_waybill_no or "",
            )
            for c in booking.containers
        ],
        number_of_originals=originals_for(booking),
        charges=_charges(booking),
    )
    filler = {"CIM_SMGS": _smgs, "RAIL_WAYBILL": _order, "MULTIMODAL": _mtd}
    filler[doc.document_type](doc, booking, places, own)
    return doc


def _charges(booking: Booking) -> list[str]:
    """The charges box: each line as priced, the total, and who pays (art. 8 (l) of the UN
    multimodal convention; SMGS box 23); "as agreed" for a booking priced on request."""
    term = PAYMENT_TERMS[booking.payment_term or PaymentTerm.PRE]
    charges = booking.charges
    if not charges:
        return ["按协议 As agreed", term]
    currency = charges["currency"]
    lines = [
        f"{line['description']}: {line['quantity']} × {grouped(Decimal(line['unit_amount']), 2)}"
        f" = {grouped(Decimal(line['amount']), 2)} {currency}"
        for line in charges["lines"]
    ]
    return [*lines, f"合计 Total {grouped(Decimal(charges['total']), 2)} {currency}", term]


def _smgs(doc: WaybillDoc, booking: Booking, places: dict, own) -> None:
    """The CIM/SMGS note starts at the international train's station (Xi'an International
    Port); what comes before it is pre-carriage with its own train number."""
    route = booking.departure.route
    own_leg = next(leg for leg in route.legs if leg.seq == own.seq)
    doc.station_of_departure = _station(_leg_place(own_leg, "origin", places))
    after = sum(1 for leg in route.legs if leg.seq > own.seq)
    before = doc.legs[: len(doc.legs) - 1 - after]
    doc.pre_carriage = [
        f"{leg.mode} {leg.origin} → {leg.destination}"
        + (f" · 车次 train {leg.service or NOT_SET}" if leg.mode == MODES["RAIL"] else "")
        + (f" · {leg.departs}" if leg.departs else "")
        for leg in before
    ] or ["无 Нет None"]
    doc.train = f"{own.service_no} · {local_stamp(own.planned_departure)}"
    doc.border_crossing = _crossing(booking.departure.crossing)
    overrides = {row.seq: row.carrier for row in booking.departure.leg_plans if row.carrier}
    for leg in route.legs:
        if leg.seq in overrides:
            section = f"{leg.origin_zh}—{leg.destination_zh} {leg.origin_en} – {leg.destination_en}"
            doc.carriers.append(f"{section}: {overrides[leg.seq]}")
            doc.payers.append(f"{section}: {NOT_RECORDED}")
            continue
        for carrier in leg.carriers:
            section = " ".join(filter(None, (carrier.section_zh, carrier.section_en)))
            doc.carriers.append(f"{section}: {carrier.name_zh} {carrier.name_en}")
            doc.payers.append(f"{section}: 代码 код code {carrier.payer_code or NOT_RECORDED}")
    methods = sorted({c.vgm_method for c in booking.containers}, key=lambda m: m.name)
    doc.mass_method = "; ".join(MASS_METHODS[m] for m in methods) or NOT_STATED
    kinds = sorted({d.kind for d in documents_of(object_session(booking), booking)},
                   key=lambda k: k.name)  # fmt: skip
    doc.attached = [DOCUMENT_KINDS[k] for k in kinds] or ["无 Нет None"]
    declaration = booking.customs_declaration_no or NOT_STATED
    doc.attached.append(f"报关单号 № декларации Customs declaration no. {declaration}")


def _order(doc: WaybillDoc, booking: Booking, places: dict, own) -> None:
    """The consignment order: what the railway needs to issue its waybill, and Ningbo to put
    the boxes on the ship."""
    route = booking.departure.route
    rail = [leg for leg in route.legs if leg.mode is TransportMode.RAIL]
    first_rail = rail[0] if rail else route.legs[0]  # a route drawn without rail: its start
    doc.station_of_departure = _station(_leg_place(first_rail, "origin", places))
    hours = [leg.transit_hours for leg in rail or route.legs]  # the railway's own limit
    doc.transit_limit = (
        NOT_SET if None in hours else f"{-(-sum(hours) // 24)} 天 days ({sum(hours):,} h)"
    )
    doc.declared_value = (
        f"{grouped(booking.declared_value, 2)} {booking.declared_value_currency}"
        if booking.declared_value is not None
        else "未声明 Not declared"
    )
    sea = []
    if booking.ocean_booking_no:
        sea.append(f"订舱号 Ocean booking no. {booking.ocean_booking_no}")
    if booking.sea_vessel or booking.sea_voyage:
        vessel = " / ".join(filter(None, (booking.sea_vessel, booking.sea_voyage)))
        sea.append(f"船名/航次 Vessel/voyage {vessel}")
    discharge = discharge_port(booking)
    if discharge is not None:
        sea.append(f"卸货港 Port of discharge {_name(discharge)}")
    doc.sea = sea


def _mtd(doc: WaybillDoc, booking: Booking, places: dict, own) -> None:
    """The multimodal transport document: where the operator takes the goods in charge and
    where it delivers them, by which legs; negotiable ones are made out "to order"."""
    origin = booking.origin_station
    doc.place_of_receipt = f"{origin.name_zh} {origin.name_en} ({origin.code})"
    confirmed = [e.at for e in booking.events if e.type is EventType.CONFIRMED]
    doc.taken_in_charge = local_stamp(max(confirmed)) if confirmed else NOT_STATED
    route = booking.departure.route
    sea = next((leg for leg in route.legs if leg.mode is TransportMode.SEA), None)
    doc.port_of_loading = _name(_leg_place(sea, "origin", places)) if sea else NOT_STATED
    # the booking's port, never the route's sea leg's end, which names no port
    discharge = discharge_port(booking)
    doc.port_of_discharge = _name(discharge) if discharge else NOT_STATED
    doc.place_of_delivery = (
        _name(booking.destination_place) if booking.destination_place else doc.port_of_discharge
    )
    doc.negotiable = booking.negotiable
    if booking.negotiable:
        name = booking.consignee_name
        doc.consignee = [f"凭 {name} 指示 To order of {name}", booking.consignee_address]


@dataclass(frozen=True)
class _Place:
    """A place as printed: names, the UN/LOCODE (or our code) and the railway's code."""

    name_zh: str
    name_en: str
    code: str | None
    railway_code: str | None = None


def _places(booking: Booking, legs) -> dict[str, Place]:
    """The places the route's legs name, by code and by Chinese name (a leg that has no
    UN/LOCODE, such as Xi'an International Port, is matched by its name), in one query."""
    codes = {c for leg in legs for c in (leg.origin_locode, leg.destination_locode) if c}
    names = {n for leg in legs for n in (leg.origin_zh, leg.destination_zh)}
    found = object_session(booking).scalars(
        select(Place).where(or_(Place.code.in_(codes), Place.name_zh.in_(names)))
    )
    return {key: place for place in found for key in (place.code, place.name_zh)}


def _leg_place(leg, end: str, places: dict) -> _Place:
    zh, en = getattr(leg, f"{end}_zh"), getattr(leg, f"{end}_en")
    code = getattr(leg, f"{end}_locode")
    place = places.get(code) or places.get(zh)
    if place is not None:
        return _Place(place.name_zh, place.name_en, place.code, place.railway_code)
    return _Place(zh, en, code)


def _name(place) -> str:
    return f"{place.name_zh} {place.name_en}" + (f" ({place.code})" if place.code else "")


def _station(place) -> list[str]:
    """A station with the railway's code for it; never a code the data does not hold."""
    return [_name(place), f"车站代码 station code {place.railway_code or NOT_RECORDED}"]


def _destination_place(booking: Booking, last, places: dict):
    """The booking's destination (a place of the route's list), else where the route ends."""
    return booking.destination_place or _leg_place(last, "destination", places)


def _crossing(crossing) -> str:
    """Box 6: the departure's one crossing pair, exit then entry station, and the gauge
    change there."""
    if crossing is None:
        return NOT_SET
    text = f"{_name(crossing.exit_place)} – {_name(crossing.entry_place)}"
    return text + (" · 换装 перестановка gauge change" if crossing.gauge_change else "")


def _printed_legs(booking: Booking, places: dict, plans: list[LegPlan]) -> list[PdfLeg]:
    """The legs as printed, from the departure's leg plan: the road feeder starts at the
    booking's own station and is left out for a booking handed in at the hub (never
    "Hengkou → Hengkou"); a sub-station booking on a route without a road leg gets one; the
    last leg ends at the booking's destination (a sea leg at its port of discharge)."""
    route = booking.departure.route
    origin = booking.origin_station
    at_hub = origin.kind is StationKind.HUB
    station = f"{origin.name_zh} {origin.name_en}"
    printed = []
    for leg, plan in zip(route.legs, plans, strict=True):
        road_feeder = leg.seq == route.legs[0].seq and leg.mode is TransportMode.ROAD
        if road_feeder and at_hub:
            continue
        start = station if road_feeder else _name(_leg_place(leg, "origin", places))
        end = _name(_leg_place(leg, "destination", places))
        if leg is route.legs[-1]:
            last = discharge_port(booking) if leg.mode is TransportMode.SEA else None
            last = last or booking.destination_place
            end = _name(last) if last else end
        printed.append(
            PdfLeg(
                mode=MODES[leg.mode.name],
                origin=start,
                destination=end,
                carrier=plan.carrier or "",
                service=plan.service_no or "",
                departs=local_stamp(plan.planned_departure) if plan.planned_departure else "",
                arrives=local_stamp(plan.planned_arrival) if plan.planned_arrival else "",
            )
        )
    if not at_hub and route.legs[0].mode is not TransportMode.ROAD:
        first = route.legs[0]
        hub = f"{first.origin_zh} {first.origin_en}"
        printed.insert(0, PdfLeg(mode=MODES["ROAD"], origin=station, destination=hub))
    return printed


def _vgm(booking: Booking) -> list[str]:
    """The SOLAS VGM block: the method, the shipper's signatory and when it was weighed."""
    containers = booking.containers
    methods = sorted({VGM_METHODS[c.vgm_method] for c in containers})
    signatories = sorted({c.vgm_certified_by or NOT_RECORDED for c in containers})
    weighed = sorted(c.weighed_at for c in containers if c.weighed_at)
    when = local_stamp(weighed[-1]) if weighed else NOT_RECORDED
    return [
        f"方法 method {', '.join(methods) or NOT_STATED} (SOLAS VI/2)",
        f"签署人 signatory {', '.join(signatories) or NOT_RECORDED}",
        f"称重时间 weighed at {when}",
    ]


def _packages(booking) -> str:
    """Boxes 16/17: the packages' count and kind, then their marks; never the containers."""
    if not booking.package_kind:
        return NOT_STATED
    zh = package_kind_name(booking.package_kind, "zh")
    en = package_kind_name(booking.package_kind, "en")
    text = f"{booking.package_count:,} {booking.package_kind} {zh} {en}"
    return text + (f" · 唛头 marks {booking.package_marks}" if booking.package_marks else "")


def _dangerous_goods(booking) -> str:
    """The declaration as IMDG 5.4.1.4.1 orders it: UN number, proper shipping name, class,
    packing group; then the emergency contact."""
    if not booking.un_number:
        return "非危险品 Not dangerous"
    parts = [booking.un_number, booking.dg_proper_shipping_name or ""]
    parts.append(f"第{booking.dg_class}类 class {booking.dg_class}")
    if booking.dg_packing_group:
        parts.append(f"包装类别 PG {booking.dg_packing_group}")
    if booking.dg_emergency_contact:
        parts.append(f"应急 Emergency {booking.dg_emergency_contact}")
    return ", ".join(filter(None, parts))


def render_pdf(waybills: list[Waybill]) -> bytes:
    """The waybills as one PDF, one page each."""
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    return render([document(w) for w in waybills], font)
