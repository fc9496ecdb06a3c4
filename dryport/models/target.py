from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, utcnow
from dryport.extensions import db
from dryport.models.station import Station
from dryport.models.user import User


class AnnualTarget(db.Model):
    """The TEU a year should ship (Beijing calendar): the zone's in all (``station_id`` None)
    or one origin station's. Set by administrators (``services.targets``); every change is in
    the audit log. One per year for the zone, one per year and station."""

    __tablename__ = "annual_targets"
    __table_args__ = (
        UniqueConstraint("year", "station_id"),
        # A unique constraint lets NULLs repeat: the zone's one target per year is an index.
        Index(
            "uq_annual_targets_zone_year",
            "year",
            unique=True,
            sqlite_where=text("station_id IS NULL"),
            postgresql_where=text("station_id IS NULL"),
        ),  # fmt: skip
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_known"),
        CheckConstraint("target_teu >= 0", name="target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    target_teu: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    station: Mapped[Station | None] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<AnnualTarget {self.year} {self.station_id or 'zone'} {self.target_teu}>"
