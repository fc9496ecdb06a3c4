from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dryport.extensions import db


class Counter(db.Model):
    """A named sequence (per month, per route ...) for human-friendly document numbers."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
