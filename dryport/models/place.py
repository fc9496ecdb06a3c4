import enum

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from dryport.db import enum_type
from dryport.extensions import db


class PlaceKind(enum.Enum):
    RAIL_STATION = "RAIL_STATION"
    PORT = "PORT"
    BORDER = "BORDER"


class Place(db.Model):
    """A place cargo goes to or through: a railway station, a port or a border station.

    ``code`` is the UN/LOCODE where one exists (``DEDUI``, ``NLRTM``); ``railway_code`` the
    railway's own station code where one applies.
    """

    __tablename__ = "places"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    kind: Mapped[PlaceKind] = mapped_column(enum_type(PlaceKind, "place_kind"))
    railway_code: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by every administrative edit; an edit made from an older read is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    def name(self, locale: str) -> str:
        return self.name_zh if locale == "zh" else self.name_en

    def __repr__(self) -> str:
        return f"<Place {self.code}>"


#: The places a route's bookings may go to (its destinations or ports of discharge).
route_destinations = Table(
    "route_destinations",
    db.metadata,
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id"), primary_key=True),
    # The route's last leg to this place when it differs from the leg's own figures (a sea
    # leg's port of discharge, the Europe train's stop short of Duisburg).
    Column("distance_km", Integer, nullable=True),
    Column("transit_hours", Integer, nullable=True),
)

#: The border crossings a route's departures may take.
route_border_crossings = Table(
    "route_border_crossings",
    db.metadata,
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True),
    Column("crossing_id", ForeignKey("border_crossings.id"), primary_key=True),
)
