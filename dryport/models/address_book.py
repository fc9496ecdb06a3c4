"""What a shipper's company keeps for its weekly bookings: named booking templates and an
address book of consignees and notify parties."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dryport.db import UTCDateTime, utcnow
from dryport.extensions import db


class BookingTemplate(db.Model):
    """A named booking body of a company: everything of a booking but its departure and what
    belongs to one shipment only (``services.booking_templates``)."""

    __tablename__ = "booking_templates"
    __table_args__ = (UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    #: The booking as ``POST /bookings`` takes it, without ``departure_id``.
    body: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<BookingTemplate {self.id} {self.name}>"


class AddressBookEntry(db.Model):
    """A consignee or notify party a company ships to, as a booking's party fields hold it."""

    __tablename__ = "address_book_entries"
    __table_args__ = (
        UniqueConstraint("company_id", "name", "address"),
        Index("ix_address_book_entries_company_name", "company_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<AddressBookEntry {self.id} {self.name}>"
