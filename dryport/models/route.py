import enum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import enum_type
from dryport.extensions import db
from dryport.models.place import Place, route_border_crossings, route_destinations


class DocumentType(enum.Enum):
    RAIL_WAYBILL = "RAIL_WAYBILL"  # domestic rail waybill (铁路货物运单)
    CIM_SMGS = "CIM_SMGS"  # CIM/SMGS common consignment note
    MULTIMODAL = "MULTIMODAL"  # multimodal transport document (多式联运提单)


class TransportMode(enum.Enum):
    ROAD = "ROAD"
    RAIL = "RAIL"
    WATER = "WATER"
    SEA = "SEA"


class Route(db.Model):
    """A service leaving the hub, made of ordered legs."""

    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    document_type: Mapped[DocumentType] = mapped_column(enum_type(DocumentType, "document_type"))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by every administrative edit; an edit made from an older read is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: IMDG classes and divisions this service does not carry (e.g. ``["1.1", "7"]``).
    refused_dg_classes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    legs: Mapped[list["Leg"]] = relationship(
        back_populates="route", order_by="Leg.seq", cascade="all, delete-orphan"
    )
    #: Where its bookings may go: destinations, or ports of discharge of a sea route.
    destinations: Mapped[list[Place]] = relationship(
        secondary=route_destinations, order_by=Place.code
    )
    #: The border crossings its departures may take (each departure names one).
    border_crossings: Mapped[list["BorderCrossing"]] = relationship(
        secondary=route_border_crossings, order_by="BorderCrossing.code"
    )

    def name(self, locale: str) -> str:
        return self.name_zh if locale == "zh" else self.name_en

    def __repr__(self) -> str:
        return f"<Route {self.code}>"


class Leg(db.Model):
    """One stretch of a route by one mode; ``via`` names border crossings or transfers."""

    __tablename__ = "legs"
    __table_args__ = (UniqueConstraint("route_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"))
    seq: Mapped[int]
    mode: Mapped[TransportMode] = mapped_column(enum_type(TransportMode, "transport_mode"))
    origin_zh: Mapped[str] = mapped_column(String(64))
    origin_en: Mapped[str] = mapped_column(String(96))
    origin_locode: Mapped[str | None] = mapped_column(String(5))
    destination_zh: Mapped[str] = mapped_column(String(64))
    destination_en: Mapped[str] = mapped_column(String(96))
    destination_locode: Mapped[str | None] = mapped_column(String(5))
    via_zh: Mapped[str | None] = mapped_column(String(128))
    via_en: Mapped[str | None] = mapped_column(String(160))
    #: Planned hours from leaving the origin to reaching the destination; the default of a
    #: departure's leg plan (None: not known, the plan leaves its times open).
    transit_hours: Mapped[int | None]
    #: Distance from origin to destination by this mode, for the CO2e of a shipment (None:
    #: not known; a road feeder from a sub-station counts the station's ``feeder_km``).
    distance_km: Mapped[int | None]

    route: Mapped[Route] = relationship(back_populates="legs")
    #: The carriers of this leg, each with the section it covers (SMGS box 22).
    carriers: Mapped[list["LegCarrier"]] = relationship(
        back_populates="leg", order_by="LegCarrier.seq", cascade="all, delete-orphan"
    )

    def origin(self, locale: str) -> str:
        return self.origin_zh if locale == "zh" else self.origin_en

    def destination(self, locale: str) -> str:
        return self.destination_zh if locale == "zh" else self.destination_en

    def via(self, locale: str) -> str | None:
        return self.via_zh if locale == "zh" else self.via_en


class LegCarrier(db.Model):
    """A carrier of one section of a leg (a railway, a barge line, an ocean carrier), and for
    a rail section the payer code under which its charges are paid (SMGS boxes 22, 23)."""

    __tablename__ = "leg_carriers"
    __table_args__ = (UniqueConstraint("leg_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id", ondelete="CASCADE"))
    seq: Mapped[int]
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    section_zh: Mapped[str | None] = mapped_column(String(128))
    section_en: Mapped[str | None] = mapped_column(String(160))
    payer_code: Mapped[str | None] = mapped_column(String(32))

    leg: Mapped[Leg] = relationship(back_populates="carriers")

    def name(self, locale: str) -> str:
        return self.name_zh if locale == "zh" else self.name_en

    def section(self, locale: str) -> str | None:
        return self.section_zh if locale == "zh" else self.section_en


class BorderCrossing(db.Model):
    """A pair of border stations a train crosses between, e.g. Alashankou–Dostyk, with
    whether the gauge changes there. A departure names the one it takes by ``code``."""

    __tablename__ = "border_crossings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    exit_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    entry_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    gauge_change: Mapped[bool] = mapped_column(default=False)
    # Bumped by every administrative edit; an edit made from an older read is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    exit_place: Mapped[Place] = relationship(foreign_keys=[exit_place_id], lazy="joined")
    entry_place: Mapped[Place] = relationship(foreign_keys=[entry_place_id], lazy="joined")

    def name(self, locale: str) -> str:
        return f"{self.exit_place.name(locale)}–{self.entry_place.name(locale)}"

    def __repr__(self) -> str:
        return f"<BorderCrossing {self.code}>"
