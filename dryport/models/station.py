import enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from dryport.db import enum_type
from dryport.extensions import db


class StationKind(enum.Enum):
    HUB = "HUB"
    SUBSTATION = "SUBSTATION"


class Station(db.Model):
    """The hub or one of the county sub-stations that truck containers to it."""

    __tablename__ = "stations"
    __table_args__ = (
        CheckConstraint("feeder_hours >= 0 AND feeder_hours <= 72", name="feeder_hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    kind: Mapped[StationKind] = mapped_column(enum_type(StationKind, "station_kind"))
    feeder_hours: Mapped[int] = mapped_column(default=0)
    #: Road distance to the hub (0 at the hub itself), for the CO2e of the feeder; None: not
    #: known (a shipment's CO2e from it is then not known either, never understated).
    feeder_km: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by every administrative edit; an edit made from an older read is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    def name(self, locale: str) -> str:
        return self.name_zh if locale == "zh" else self.name_en

    def __repr__(self) -> str:
        return f"<Station {self.code}>"
