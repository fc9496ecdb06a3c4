import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, enum_type, utcnow
from dryport.extensions import db
from dryport.models.booking import Booking
from dryport.models.user import User


class VgmMethod(enum.Enum):
    METHOD_1 = "METHOD_1"  # SOLAS VI/2: the packed container is weighed
    METHOD_2 = "METHOD_2"  # cargo, packing and tare are weighed and added


class ContainerOwner(enum.Enum):
    COC = "COC"  # carrier-owned: the railway's or the line's box
    SOC = "SOC"  # shipper-owned


class SealedBy(enum.Enum):
    """Who put the seal on (DCSA's seal source: SHI, CAR, CUS)."""

    SHIPPER = "SHIPPER"
    CARRIER = "CARRIER"
    CUSTOMS = "CUSTOMS"


class Container(db.Model):
    """A container recorded at load confirmation, with its seal and verified gross mass.

    ``live`` is true while the booking is CONFIRMED or DEPARTED; a partial unique index keeps a
    container number on at most one live booking.
    """

    __tablename__ = "containers"
    __table_args__ = (
        CheckConstraint("tare_kg > 0", name="tare_positive"),
        CheckConstraint("vgm_kg > tare_kg", name="vgm_above_tare"),
        Index(
            "uq_containers_number_live",
            "number",
            unique=True,
            postgresql_where=text("live"),
            sqlite_where=text("live"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(11))
    size_type: Mapped[str] = mapped_column(String(4))
    seal_no: Mapped[str] = mapped_column(String(20))
    sealed_by: Mapped[SealedBy] = mapped_column(
        enum_type(SealedBy, "sealed_by"),
        default=SealedBy.SHIPPER,
        server_default=SealedBy.SHIPPER.name,
    )
    #: The railway's wagon number, filled in once the railway has loaded it.
    wagon_no: Mapped[str | None] = mapped_column(String(12))
    #: The railway's own waybill number for it (from the railway's loading list).
    railway_waybill_no: Mapped[str | None] = mapped_column(String(20))
    tare_kg: Mapped[int]
    cargo_kg: Mapped[int | None]
    vgm_kg: Mapped[int]
    max_gross_kg: Mapped[int | None]  # the container plate's, when it differs from ISO 668
    vgm_method: Mapped[VgmMethod] = mapped_column(enum_type(VgmMethod, "vgm_method"))
    packing_kg: Mapped[int | None]  # method 2: dunnage, pallets, bracing
    weighed_by: Mapped[str] = mapped_column(String(64))
    owner: Mapped[ContainerOwner] = mapped_column(
        enum_type(ContainerOwner, "container_owner"),
        default=ContainerOwner.COC,
        server_default=ContainerOwner.COC.name,
    )
    # The person who signs the VGM for the shipper; NULL only on containers confirmed before
    # it was asked (shown as "not recorded").
    vgm_certified_by: Mapped[str | None] = mapped_column(String(64))
    weighed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    live: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="containers")
    recorded_by: Mapped[User | None] = relationship()


class LoadDraft(db.Model):
    """A partly checked load: the container rows as the clerk typed them, kept until the load
    is confirmed or rejected. Values are kept as typed (checked only on confirmation)."""

    __tablename__ = "load_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    rows: Mapped[list] = mapped_column(JSON, default=list)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    booking: Mapped[Booking] = relationship()
    saved_by: Mapped[User | None] = relationship()
