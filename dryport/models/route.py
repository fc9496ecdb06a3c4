import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import enum_type
from dryport.extensions import db


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

    legs: Mapped[list["Leg"]] = relationship(
        back_populates="route", order_by="Leg.seq", cascade="all, delete-orphan"
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

    route: Mapped[Route] = relationship(back_populates="legs")

    def origin(self, locale: str) -> str:
        return self.origin_zh if locale == "zh" else self.origin_en

    def destination(self, locale: str) -> str:
        return self.destination_zh if locale == "zh" else self.destination_en

    def via(self, locale: str) -> str | None:
        return self.via_zh if locale == "zh" else self.via_en
