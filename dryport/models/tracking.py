"""What happened to a departure's legs and to its containers, in the vocabulary of DCSA Track
& Trace: transport events (a leg's departure and arrival, estimated or actual) and equipment
events (a container through a node's gate, onto or off a train, barge or ship).

Both are append-only: a later estimate or a correction is a new row, and what the tracking
shows is worked out from all of them (``services.tracking``).
"""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, enum_type, utcnow
from dryport.extensions import db
from dryport.models.container import Container
from dryport.models.departure import Departure
from dryport.models.user import User


class TransportEventType(enum.Enum):
    DEPA = "DEPA"  # departed
    ARRI = "ARRI"  # arrived


class EventClassifier(enum.Enum):
    PLN = "PLN"  # planned: the leg plan's times, never stored as an event
    EST = "EST"  # estimated
    ACT = "ACT"  # actual


class EquipmentEventType(enum.Enum):
    GTIN = "GTIN"  # gated in at a node
    LOAD = "LOAD"  # loaded onto the train, barge or ship
    DISC = "DISC"  # discharged from it
    GTOT = "GTOT"  # gated out of a node


class TransportEvent(db.Model):
    """A leg of a departure left or arrived (``ACT``), or is now expected to (``EST``)."""

    __tablename__ = "transport_events"
    __table_args__ = (Index("ix_transport_events_departure", "departure_id", "leg_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id", ondelete="CASCADE"))
    #: The route leg's position (``Leg.seq``).
    leg_seq: Mapped[int]
    type: Mapped[TransportEventType] = mapped_column(
        enum_type(TransportEventType, "transport_event_type")
    )
    classifier: Mapped[EventClassifier] = mapped_column(
        enum_type(EventClassifier, "event_classifier")
    )
    #: When it happened or is expected to happen.
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A station or place code; None for the leg's own origin (DEPA) or destination (ARRI).
    location: Mapped[str | None] = mapped_column(String(8))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    departure: Mapped[Departure] = relationship(back_populates="transport_events")
    recorded_by: Mapped[User | None] = relationship()


class EquipmentEvent(db.Model):
    """A container passed a node: through its gate, onto or off a means of transport; with
    the check of its seal at that moment."""

    __tablename__ = "equipment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    container_id: Mapped[int] = mapped_column(
        ForeignKey("containers.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[EquipmentEventType] = mapped_column(
        enum_type(EquipmentEventType, "equipment_event_type")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A station code (the hub, a sub-station) or a place code (Xi'an port, Wuhan Yangluo).
    location: Mapped[str] = mapped_column(String(8))
    seal_intact: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    container: Mapped[Container] = relationship()
    recorded_by: Mapped[User | None] = relationship()
