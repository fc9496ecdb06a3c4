"""The departure manifest (装车清单): every container a departure carries, with its totals.

Its TEU reconcile with the departure's ``held_teu``: that counts every booking in a holding
status, so a held booking whose load is not checked yet (no containers) is listed as a "not
loaded" row with the TEU it holds, rather than left out."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dryport.models import HOLDING_STATUSES, Booking, Departure, SealedBy
from dryport.pdf import manifest as manifest_pdf
from dryport.pdf.fonts import cjk_font
from dryport.report_formats import csv_bytes
from dryport.services.clock import local_iso, local_stamp
from dryport.services.containers import format_teu, teu_of
from dryport.services.departures import get_departure
from dryport.services.shipment import NOT_STATED

NOT_LOADED = "未装车 not loaded"


@dataclass(frozen=True)
class ManifestRow:
    wagon: str
    container: str  # empty on a "not loaded" row
    size_type: str  # a not loaded booking's requested lines: "2×22G1 1×42G1"
    seal: str
    sealed_by: str
    vgm_kg: int | None
    dangerous_goods: str
    booking: str
    consignee: str
    destination: str
    teu: Decimal
    railway_waybill: str = ""  # the railway's waybill number (货票号), from its loading list

    @property
    def loaded(self) -> bool:
        return bool(self.container)


@dataclass(frozen=True)
class SizeTypeTotal:
    size_type: str
    containers: int
    teu: Decimal


@dataclass(frozen=True)
class Manifest:
    """A departure's manifest as plain data: the PDF and the CSV read only this."""

    departure_id: int
    route: str
    service_no: str
    departs_at: str  # Beijing time, as printed
    departs_at_iso: str
    crossing: str
    rows: list[ManifestRow]
    by_size_type: list[SizeTypeTotal]
    not_loaded_teu: Decimal
    total_teu: Decimal
    total_vgm_kg: int

    @property
    def containers(self) -> int:
        return sum(1 for row in self.rows if row.loaded)


def departure_manifest(session: Session, departure_id: int) -> Manifest:
    """The manifest of a departure: a row per container of its held bookings (in booking
    order), a row per held booking not loaded yet. Raises ``NotFound`` for an unknown id."""
    departure = get_departure(session, departure_id)
    bookings = session.scalars(
        select(Booking)
        .where(Booking.departure_id == departure_id, Booking.status.in_(HOLDING_STATUSES))
        .options(
            selectinload(Booking.lines),
            selectinload(Booking.containers),
            selectinload(Booking.destination_place),
        )
        .order_by(Booking.reference)
    ).all()
    return build(departure, bookings, current_app.config["TEU_PER_45FT"])


def build(departure: Departure, bookings, teu_per_45ft) -> Manifest:
    rows: list[ManifestRow] = []
    counts: dict[str, int] = defaultdict(int)
    teus: dict[str, Decimal] = defaultdict(Decimal)
    not_loaded = Decimal(0)
    for booking in bookings:
        common = {
            "dangerous_goods": _dangerous_goods(booking),
            "booking": booking.reference,
            "consignee": booking.consignee_name,
            "destination": _destination(booking),
        }
        if not booking.containers:
            not_loaded += booking.teu
            rows.append(ManifestRow(
                wagon="", container="", seal=NOT_LOADED, sealed_by="", vgm_kg=None,
                size_type=" ".join(f"{line.quantity}×{line.size_type}" for line in booking.lines),
                teu=booking.teu, **common,
            ))  # fmt: skip
            continue
        for container in booking.containers:
            teu = teu_of(container.size_type, teu_per_45ft)
            counts[container.size_type] += 1
            teus[container.size_type] += teu
            rows.append(ManifestRow(
                wagon=container.wagon_no or "", container=container.number,
                railway_waybill=container.railway_waybill_no or "",
                size_type=container.size_type, seal=container.seal_no,
                sealed_by=SEALED_BY[container.sealed_by], vgm_kg=container.vgm_kg, teu=teu,
                **common,
            ))  # fmt: skip
    crossing = departure.crossing
    return Manifest(
        departure_id=departure.id,
        route=f"{departure.route.code} {departure.route.name_zh} {departure.route.name_en}",
        service_no=departure.service_no,
        departs_at=local_stamp(departure.departs_at),
        departs_at_iso=local_iso(departure.departs_at),
        crossing=(
            f"{crossing.name('zh')} {crossing.name('en')} ({crossing.code})" if crossing else "—"
        ),
        rows=rows,
        by_size_type=[SizeTypeTotal(code, counts[code], teus[code]) for code in sorted(counts)],
        not_loaded_teu=not_loaded,
        # What the bookings hold, as ``held_teu`` counts it (a 45 ft box counted as when booked).
        total_teu=sum((booking.teu for booking in bookings), Decimal(0)),
        total_vgm_kg=sum(row.vgm_kg or 0 for row in rows),
    )


SEALED_BY = {
    SealedBy.SHIPPER: "发货人 shipper",
    SealedBy.CARRIER: "承运人 carrier",
    SealedBy.CUSTOMS: "海关 customs",
}


def _dangerous_goods(booking: Booking) -> str:
    if not booking.un_number:
        return ""
    return f"{booking.un_number} / {booking.dg_class}"


def _destination(booking: Booking) -> str:
    place = booking.destination_place
    if place is None:
        return NOT_STATED
    return f"{place.name_zh} {place.name_en} ({place.code})"


HEADER = [
    "车号 wagon", "箱号 container", "箱型 size-type", "铅封号 seal", "施封人 sealed by",
    "VGM kg", "危险品 DG (UN/class)", "订舱号 booking", "收货人 consignee",
    "目的地 destination", "TEU", "货票号 railway waybill",
]  # fmt: skip


def as_csv(manifest: Manifest) -> bytes:
    """The rows under ``HEADER``, then the totals: per size-type, not loaded, TEU, VGM. The
    railway waybill comes last, after the columns other programs already read by position."""
    lines: list[list] = [
        ["装车清单 departure manifest", manifest.service_no, manifest.departs_at_iso,
         manifest.route, manifest.crossing],
        HEADER,
    ]  # fmt: skip
    for row in manifest.rows:
        lines.append([
            row.wagon, row.container, row.size_type, row.seal, row.sealed_by,
            "" if row.vgm_kg is None else row.vgm_kg, row.dangerous_goods, row.booking,
            row.consignee, row.destination, format_teu(row.teu), row.railway_waybill,
        ])  # fmt: skip
    lines.append([])
    lines.append(["合计 totals", "箱型 size-type", "箱数 containers", "TEU"])
    for total in manifest.by_size_type:
        lines.append(["", total.size_type, total.containers, format_teu(total.teu)])
    if manifest.not_loaded_teu:
        lines.append(["", NOT_LOADED, "", format_teu(manifest.not_loaded_teu)])
    lines.append(["总 TEU total TEU", "", manifest.containers, format_teu(manifest.total_teu)])
    lines.append(["总 VGM total VGM kg", "", "", manifest.total_vgm_kg])
    return csv_bytes(lines)


def render_pdf(manifest: Manifest) -> bytes:
    """The manifest as a PDF of its own."""
    return manifest_pdf.render(manifest, cjk_font(current_app.config.get("WAYBILL_FONT")))
