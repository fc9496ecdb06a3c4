import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, enum_type, utcnow
from dryport.extensions import db
from dryport.models.booking import Booking
from dryport.models.user import User


class DocumentKind(enum.Enum):
    INVOICE = "INVOICE"
    PACKING_LIST = "PACKING_LIST"
    CERTIFICATE = "CERTIFICATE"
    MSDS = "MSDS"
    CUSTOMS_DECLARATION = "CUSTOMS_DECLARATION"
    OTHER = "OTHER"


class BookingDocument(db.Model):
    """A file attached to a booking (invoice, packing list, certificate ...), kept in the
    database itself: backups and every app server have it with nothing more to set up.

    ``content_type`` is what the content was recognised as, never what the sender declared;
    ``data`` is loaded only when the file itself is asked for.
    """

    __tablename__ = "booking_documents"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_booking_documents_booking_uploaded", "booking_id", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "document_kind"))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    booking: Mapped[Booking] = relationship()
    uploaded_by: Mapped[User | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<BookingDocument {self.id} {self.kind.name} {self.file_name!r}>"
