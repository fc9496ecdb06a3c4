from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, utcnow
from dryport.extensions import db
from dryport.models.booking import Booking
from dryport.models.user import User


class Waybill(db.Model):
    """An issued transport document; a change after issue adds a revision of the same number.

    Its originals are printed once, by an operator: ``originals_printed_at`` is set by one
    conditional UPDATE, so two requests can never both print them. Every other print is a copy.
    """

    __tablename__ = "waybills"
    __table_args__ = (
        UniqueConstraint("number", "revision"),
        UniqueConstraint("booking_id", "revision"),
        CheckConstraint(
            "(originals_printed_at IS NULL) = (originals_printed_by_id IS NULL)"
            " AND (originals_printed_at IS NULL) = (originals_count IS NULL)",
            name="originals_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    revision: Mapped[int] = mapped_column(default=1)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    originals_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    originals_printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    originals_count: Mapped[int | None]

    booking: Mapped[Booking] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    originals_printed_by: Mapped[User | None] = relationship(foreign_keys=[originals_printed_by_id])
