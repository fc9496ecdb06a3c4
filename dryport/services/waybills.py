"""Waybills: issued when a load is confirmed, numbered per route, re-issued as a new revision
when the booking changes after issue, and verifiable by anyone holding the printed QR code.

The verification token is an HMAC of the number and revision under the application's
secret, stored at issue; an older revision stays verifiable and is shown as superseded.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dryport.models import (
    Booking,
    BookingStatus,
    Departure,
    EventType,
    User,
    Waybill,
)
from dryport.pdf.fonts import cjk_font
from dryport.pdf.waybill import ContainerRow, WaybillDoc, render
from dryport.pdf.waybill import Leg as PdfLeg
from dryport.services import sequences
from dryport.services.access import booking_scope
from dryport.services.bookings import record_event
from dryport.services.clock import local_stamp, to_local, utcnow
from dryport.services.containers import MAX_GROSS_KG, format_teu
from dryport.services.errors import NotFound
from dryport.services.shipment import NOT_STATED, package_kind_name

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
    bookings = session.scalars(
        select(Booking)
        .where(
            Booking.departure_id == departure_id,
            Booking.status.in_(
                (BookingStatus.CONFIRMED, BookingStatus.DEPARTED, BookingStatus.ARRIVED)
            ),
        )
        .options(
            selectinload(Booking.lines),
            selectinload(Booking.containers),
            selectinload(Booking.company),
            selectinload(Booking.origin_station),
        )
        .order_by(Booking.reference)
    ).all()
    current = {
        w.booking_id: w
        for w in session.scalars(
            select(Waybill).where(
                Waybill.booking_id.in_([b.id for b in bookings]), Waybill.superseded_at.is_(None)
            )
        )
    }
    return [current[b.id] for b in bookings if b.id in current]


MODES = {"ROAD": "公路 Road", "RAIL": "铁路 Rail", "WATER": "内河 Inland water", "SEA": "海运 Sea"}
ISSUER = "陕西安康恒口无水港 Hengkou Dry Port, Ankang, Shaanxi"
ISSUE_PLACE = "安康恒口 Hengkou, Ankang"


def verify_url(waybill: Waybill) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/verify/{waybill.number}?t={waybill.token}"


def document(waybill: Waybill) -> WaybillDoc:
    """Everything the printed waybill says, in both languages, from the booking as it is."""
    booking = waybill.booking
    departure, origin = booking.departure, booking.origin_station
    route = departure.route
    legs = list(route.legs)
    company = booking.company
    units = sum(line.quantity for line in booking.lines)
    vgm_total = sum(c.vgm_kg for c in booking.containers)
    last = legs[-1]
    first_rail = next((leg for leg in legs if leg.mode.name == "RAIL"), None)
    departs = local_stamp(departure.departs_at)
    crossings = " ".join(filter(None, (leg.via_zh for leg in legs))) or "—"
    crossings_en = " ".join(filter(None, (leg.via_en for leg in legs)))
    return WaybillDoc(
        document_type=route.document_type.name,
        number=waybill.number,
        revision=waybill.revision,
        booking_reference=booking.reference,
        verify_url=verify_url(waybill),
        issued_at=local_stamp(waybill.issued_at),
        issue_place=ISSUE_PLACE,
        issuer=ISSUER,
        route=f"{route.name_zh} {route.name_en}",
        service_no=departure.service_no,
        departs_at=departs,
        station_of_departure=_place(first_rail or legs[0], "origin"),
        origin_station=f"{origin.name_zh} {origin.name_en} ({origin.code})",
        station_of_destination=_destination(booking, last),
        place_of_receipt=f"{origin.name_zh} {origin.name_en}",
        place_of_delivery=_destination(booking, last),
        border_crossings=f"{crossings} {crossings_en}".strip(),
        consignor=[
            company.name,
            company.address or "",
            f"统一社会信用代码 USCC {company.credit_code}",
            " ".join(filter(None, (company.contact_name, company.contact_phone))),
        ],
        consignee=[booking.consignee_name, booking.consignee_address],
        notify_party=[p for p in (booking.notify_name, booking.notify_address) if p],
        cargo_description=booking.cargo_description,
        hs_code=booking.hs_code,
        packages=_packages(booking),
        gross_kg=f"{booking.gross_weight_kg:,.1f}",
        dangerous_goods=_dangerous_goods(booking),
        reefer=(
            f"冷藏 Reefer {booking.reefer_temp_c} °C" if booking.reefer_temp_c is not None else ""
        ),
        totals=(
            f"{units} 箱 units · {format_teu(booking.teu)} TEU · "
            f"毛重 gross {booking.gross_weight_kg:,.1f} kg · VGM {vgm_total:,} kg"
        ),
        legs=_legs(booking, legs, origin, f"{departure.service_no} {departs}"),
        # The VGM's signatory is the shipper's person; before it was asked, who weighed.
        weighed_by=", ".join(
            sorted({c.vgm_certified_by or c.weighed_by for c in booking.containers} - {""})
        ),
        containers=[
            ContainerRow(
                number=c.number,
                size_type=c.size_type,
                seal=c.seal_no,
                tare_kg=c.tare_kg,
                vgm_kg=c.vgm_kg,
                vgm_method="方法一 Method 1"
                if c.vgm_method.name == "METHOD_1"
                else "方法二 Method 2",
                max_gross_kg=c.max_gross_kg or MAX_GROSS_KG,
            )
            for c in booking.containers
        ],
    )


def _leg(leg, legs, origin, service_no: str) -> PdfLeg:
    """A leg as printed: the road leg starts at the booking's own station, and the first rail
    leg carries the train number."""
    first_rail = next((x for x in legs if x.mode.name == "RAIL"), None)
    starts_here = leg is legs[0] and leg.mode.name == "ROAD"
    return PdfLeg(
        mode=MODES[leg.mode.name],
        origin=f"{origin.name_zh} {origin.name_en}" if starts_here else _place(leg, "origin"),
        destination=_place(leg, "destination"),
        service=service_no if leg is first_rail else "",
        via=" ".join(filter(None, (leg.via_zh, leg.via_en))),
    )


def _legs(booking, legs, origin, service_no: str) -> list[PdfLeg]:
    """The legs as printed; the last one ends at the booking's own destination (a Łódź
    booking's train does not end in Duisburg), when it has one."""
    printed = [_leg(leg, legs, origin, service_no) for leg in legs]
    if booking.destination_place is not None:
        printed[-1] = replace(printed[-1], destination=_destination(booking, legs[-1]))
    return printed


def _destination(booking, last) -> str:
    """The booking's destination (a place of the route's list); a booking made before
    destinations, on a route that named none, says so rather than print a placeholder."""
    place = booking.destination_place
    if place is not None:
        return f"{place.name_zh} {place.name_en} ({place.code})"
    if last.destination_locode:
        return _place(last, "destination")
    return NOT_STATED


def _packages(booking) -> str:
    """Boxes 16/17: the packages' count and kind, then their marks; never the containers."""
    if not booking.package_kind:
        return NOT_STATED
    zh = package_kind_name(booking.package_kind, "zh")
    en = package_kind_name(booking.package_kind, "en")
    text = f"{booking.package_count:,} {booking.package_kind} {zh} {en}"
    return text + (f" · {booking.package_marks}" if booking.package_marks else "")


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


def _place(leg, end: str) -> str:
    zh, en = getattr(leg, f"{end}_zh"), getattr(leg, f"{end}_en")
    code = getattr(leg, f"{end}_locode")
    return f"{zh} {en}" + (f" ({code})" if code else "")


def render_pdf(waybills: list[Waybill]) -> bytes:
    """The waybills as one PDF, one page each."""
    font = cjk_font(current_app.config.get("WAYBILL_FONT"))
    return render([document(w) for w in waybills], font)
