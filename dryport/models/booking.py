import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, enum_type, utcnow
from dryport.extensions import db
from dryport.models.company import Company
from dryport.models.departure import Departure
from dryport.models.place import Place
from dryport.models.station import Station
from dryport.models.user import User


class BookingStatus(enum.Enum):
    #: On the waitlist of a full departure: holds nothing until promoted to RECEIVED.
    WAITLISTED = "WAITLISTED"
    RECEIVED = "RECEIVED"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    DEPARTED = "DEPARTED"
    ARRIVED = "ARRIVED"
    #: Still waiting at its station's cut-off (or when its departure was cancelled).
    EXPIRED = "EXPIRED"


#: Statuses in which a booking holds TEU on its departure.
HOLDING_STATUSES = (
    BookingStatus.RECEIVED,
    BookingStatus.CONFIRMED,
    BookingStatus.DEPARTED,
    BookingStatus.ARRIVED,
)


class PaymentTerm(enum.Enum):
    """Who pays the carriage charges (DCSA ``paymentTermCode``): the consignor before
    carriage (prepaid) or the consignee (collect)."""

    PRE = "PRE"
    COL = "COL"


class EventType(enum.Enum):
    CREATED = "CREATED"
    AMENDED = "AMENDED"
    CANCELLED = "CANCELLED"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    ROLLED = "ROLLED"
    DEPARTED = "DEPARTED"
    ARRIVED = "ARRIVED"
    WAYBILL_ISSUED = "WAYBILL_ISSUED"
    DOCUMENT_ADDED = "DOCUMENT_ADDED"
    DOCUMENT_REMOVED = "DOCUMENT_REMOVED"
    ORIGINALS_PRINTED = "ORIGINALS_PRINTED"
    TRANSPORT = "TRANSPORT"  # a leg of its departure left or arrived, or is expected to
    EQUIPMENT = "EQUIPMENT"  # one of its containers passed a node
    CUSTOMS_RELEASED = "CUSTOMS_RELEASED"
    WAITLISTED = "WAITLISTED"  # placed on the waitlist of a full departure
    PROMOTED = "PROMOTED"  # room freed: from the waitlist to RECEIVED
    EXPIRED = "EXPIRED"  # still waiting at the station's cut-off


class Booking(db.Model):
    """A shipper's request for space on a departure, from an origin station."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("teu > 0", name="teu_positive"),
        CheckConstraint("gross_weight_kg > 0", name="gross_weight_positive"),
        CheckConstraint(
            "(un_number IS NULL) = (dg_class IS NULL)", name="dangerous_goods_complete"
        ),
        CheckConstraint(
            "has_dangerous_goods = (un_number IS NOT NULL)", name="dangerous_goods_declared"
        ),
        CheckConstraint("package_count > 0", name="package_count_positive"),
        CheckConstraint(
            "(package_count IS NULL) = (package_kind IS NULL)", name="packages_complete"
        ),
        CheckConstraint("net_weight_kg <= gross_weight_kg", name="net_within_gross"),
        CheckConstraint("customs_invoice_value >= 0", name="invoice_value_not_negative"),
        CheckConstraint(
            "(charges_total IS NULL) = (charges_currency IS NULL)", name="charges_complete"
        ),
        CheckConstraint(
            "(declared_value IS NULL) = (declared_value_currency IS NULL)",
            name="declared_value_complete",
        ),
        # The lists: a shipper's, a station's and everyone's, newest first.
        Index("ix_bookings_company_created", "company_id", "created_at"),
        Index("ix_bookings_origin_created", "origin_station_id", "created_at"),
        Index("ix_bookings_created", "created_at"),
        Index("ix_bookings_origin_status", "origin_station_id", "status"),
        Index("ix_bookings_departure_status", "departure_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id"))
    origin_station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consignee_name: Mapped[str] = mapped_column(String(128))
    consignee_address: Mapped[str] = mapped_column(String(255))
    notify_name: Mapped[str | None] = mapped_column(String(128))
    notify_address: Mapped[str | None] = mapped_column(String(255))
    cargo_description: Mapped[str] = mapped_column(String(255))
    hs_code: Mapped[str] = mapped_column(String(10))
    gross_weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 1))
    net_weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    #: Where the cargo goes: one of the route's destinations (a place code). None only on
    #: bookings made before destinations existed on a route that had no end point.
    destination: Mapped[str | None] = mapped_column(ForeignKey("places.code"))
    # UN/ECE Recommendation 21 kind; none only on bookings made before packages were asked.
    package_count: Mapped[int | None]
    package_kind: Mapped[str | None] = mapped_column(String(2))
    package_marks: Mapped[str | None] = mapped_column(String(255))
    #: The shipper's answer to "dangerous goods?": false is a declared "no".
    has_dangerous_goods: Mapped[bool] = mapped_column(default=False, server_default=false())
    un_number: Mapped[str | None] = mapped_column(String(6))
    dg_class: Mapped[str | None] = mapped_column(String(4))
    dg_packing_group: Mapped[str | None] = mapped_column(String(3))
    dg_proper_shipping_name: Mapped[str | None] = mapped_column(String(255))
    dg_emergency_contact: Mapped[str | None] = mapped_column(String(128))
    customs_declaration_no: Mapped[str | None] = mapped_column(String(18))
    customs_invoice_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    customs_currency: Mapped[str | None] = mapped_column(String(3))
    #: When customs released the goods for export (international routes may not depart
    #: without it: ``services.customs_release``).
    customs_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reefer_temp_c: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    #: A negotiable transport document ("to order"); only a multimodal one can be.
    negotiable: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The sea continuation after the rail or water legs (booked by the shipper with the line).
    ocean_booking_no: Mapped[str | None] = mapped_column(String(35))
    sea_vessel: Mapped[str | None] = mapped_column(String(64))
    sea_voyage: Mapped[str | None] = mapped_column(String(20))
    port_of_discharge: Mapped[str | None] = mapped_column(ForeignKey("places.code"))
    #: The value declared for the carrier's liability (CIM Art. 34, SMGS box 26), if any.
    declared_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    declared_value_currency: Mapped[str | None] = mapped_column(String(3))
    teu: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    #: The carriage charges as priced from the tariffs (``services.pricing``): ``{currency,
    #: lines[{code, description, quantity, unit_amount, amount, ...}], total}``, amounts as
    #: decimal strings; None when no tariff prices it (price on request).
    charges: Mapped[dict | None] = mapped_column(JSON)
    charges_currency: Mapped[str | None] = mapped_column(String(3))
    #: Up to 8 lines × 100 boxes × a tariff's highest amounts: wider than a tariff's column.
    charges_total: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    #: The day (Asia/Shanghai) whose tariffs price it: the day it was booked, or the day an
    #: amendment changed what the price rests on (lines, dangerous goods, weight); a later
    #: tariff alone never changes its price.
    priced_on: Mapped[date | None] = mapped_column(Date)
    payment_term: Mapped[PaymentTerm] = mapped_column(
        enum_type(PaymentTerm, "payment_term"), default=PaymentTerm.PRE, server_default="PRE"
    )
    status: Mapped[BookingStatus] = mapped_column(
        enum_type(BookingStatus, "booking_status"), default=BookingStatus.RECEIVED
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()
    departure: Mapped[Departure] = relationship()
    origin_station: Mapped[Station] = relationship()
    destination_place: Mapped[Place | None] = relationship(foreign_keys=[destination])
    discharge_place: Mapped[Place | None] = relationship(foreign_keys=[port_of_discharge])
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list["BookingLine"]] = relationship(
        back_populates="booking",
        cascade="all, delete-orphan",
        order_by="BookingLine.id",  # as booked; a line added on amendment comes last
    )
    containers: Mapped[list["Container"]] = relationship(  # noqa: F821
        back_populates="booking", cascade="all, delete-orphan", order_by="Container.id"
    )
    waybills: Mapped[list["Waybill"]] = relationship(  # noqa: F821
        order_by="Waybill.revision", viewonly=True
    )
    events: Mapped[list["BookingEvent"]] = relationship(
        back_populates="booking",
        cascade="all, delete-orphan",
        order_by="(BookingEvent.at, BookingEvent.id)",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def waybill_no(self) -> str | None:
        """The number of the booking's waybill, once one is issued."""
        return self.waybills[-1].number if self.waybills else None

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.status.name}>"


class BookingLine(db.Model):
    """A requested line: so many containers of one ISO 6346 size-type."""

    __tablename__ = "booking_lines"
    __table_args__ = (
        UniqueConstraint("booking_id", "size_type"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    size_type: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int]

    booking: Mapped[Booking] = relationship(back_populates="lines")


class BookingEvent(db.Model):
    """One entry of a booking's append-only timeline: who did what, when."""

    __tablename__ = "booking_events"
    __table_args__ = (Index("ix_booking_events_booking_at", "booking_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    type: Mapped[EventType] = mapped_column(enum_type(EventType, "event_type"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
