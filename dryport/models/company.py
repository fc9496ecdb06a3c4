from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dryport.db import UTCDateTime, utcnow
from dryport.extensions import db


class Company(db.Model):
    """A shipper (货主) identified by its unified social credit code (统一社会信用代码)."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    address: Mapped[str | None] = mapped_column(String(255))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Company {self.credit_code}>"
