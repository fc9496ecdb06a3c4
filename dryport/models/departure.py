import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, enum_type, utcnow
from dryport.extensions import db
from dryport.models.route import BorderCrossing, Route
from dryport.models.station import Station


class DepartureStatus(enum.Enum):
    SCHEDULED = "SCHEDULED"
    CLOSED = "CLOSED"  # cut-off passed
    DEPARTED = "DEPARTED"
    ARRIVED = "ARRIVED"
    CANCELLED = "CANCELLED"


class Departure(db.Model):
    """A train or voyage of a route (班列/班次) with its capacity.

    ``held_teu`` is the running total of TEU held by live bookings. The database refuses a
    value above ``capacity_teu``, so no code path can overbook, whatever it forgets.
    """

    __tablename__ = "departures"
    __table_args__ = (
        UniqueConstraint("route_id", "service_no", "departs_at"),
        CheckConstraint("capacity_teu > 0", name="capacity_teu_positive"),
        CheckConstraint("capacity_kg IS NULL OR capacity_kg > 0", name="capacity_kg_positive"),
        CheckConstraint("held_teu >= 0 AND held_teu <= capacity_teu", name="held_within_capacity"),
        CheckConstraint(
            "reserved_teu >= 0 AND held_teu + reserved_teu <= capacity_teu",
            name="pool_within_capacity",
        ),
        CheckConstraint("quota_teu >= 0 AND quota_teu <= capacity_teu", name="quotas_within"),
        CheckConstraint(
            "held_kg >= 0 AND (capacity_kg IS NULL OR held_kg <= capacity_kg)",
            name="held_kg_within_capacity",
        ),
        CheckConstraint("cutoff_at < departs_at", name="cutoff_before_departure"),
        Index("ix_departures_departs_at", "departs_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"), index=True)
    service_no: Mapped[str] = mapped_column(String(20))
    departs_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity_teu: Mapped[int]
    capacity_kg: Mapped[int | None]
    held_teu: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    held_kg: Mapped[Decimal] = mapped_column(Numeric(14, 1), default=Decimal(0))
    #: The sum of its station quotas (``DepartureQuota.teu``); 0: no quotas, all is pool.
    quota_teu: Mapped[int] = mapped_column(default=0, server_default="0")
    #: What station quotas keep out of the open pool: for each quota not yet released, its
    #: part its station's bookings do not hold. The pool's free TEU are ``capacity_teu −
    #: held_teu − reserved_teu``; the database refuses more (``services.capacity``).
    reserved_teu: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal(0), server_default="0"
    )
    status: Mapped[DepartureStatus] = mapped_column(
        enum_type(DepartureStatus, "departure_status"), default=DepartureStatus.SCHEDULED
    )
    #: The border crossing it takes (``BorderCrossing.code``), set by operators.
    border_crossing: Mapped[str | None] = mapped_column(
        String(16), ForeignKey("border_crossings.code")
    )
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    route: Mapped[Route] = relationship(lazy="joined")
    crossing: Mapped[BorderCrossing | None] = relationship(viewonly=True)
    #: What operators set for single legs of this departure; ``services.departures.leg_plan``
    #: merges them with the route's legs.
    leg_plans: Mapped[list["DepartureLeg"]] = relationship(
        back_populates="departure", order_by="DepartureLeg.seq", cascade="all, delete-orphan"
    )

    #: What happened to its legs, in the order recorded (append-only; ``services.tracking``).
    transport_events: Mapped[list["TransportEvent"]] = relationship(  # noqa: F821
        back_populates="departure", order_by="TransportEvent.id", passive_deletes=True
    )

    #: Its station quotas (``services.capacity``), by station.
    quotas: Mapped[list["DepartureQuota"]] = relationship(
        back_populates="departure", order_by="DepartureQuota.station_id", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def free_teu(self) -> Decimal:
        return Decimal(self.capacity_teu) - self.held_teu

    @property
    def pool_free_teu(self) -> Decimal:
        """What the open pool has free: what no booking holds and no quota keeps."""
        return Decimal(self.capacity_teu) - self.held_teu - self.reserved_teu

    def __repr__(self) -> str:
        return f"<Departure {self.service_no} {self.departs_at:%Y-%m-%d}>"


class DepartureQuota(db.Model):
    """A station's share of a departure's capacity (county quota): its bookings hold within
    it first, then in the open pool. ``held_teu`` is what its bookings hold on the
    departure in all (within the quota and beyond it). Unused quota returns to the pool
    ``QUOTA_RELEASE_HOURS`` before the station's cut-off (``released_at``)."""

    __tablename__ = "departure_quotas"
    __table_args__ = (
        CheckConstraint("teu > 0", name="quota_positive"),
        CheckConstraint("held_teu >= 0", name="quota_held_not_negative"),
    )

    departure_id: Mapped[int] = mapped_column(
        ForeignKey("departures.id", ondelete="CASCADE"), primary_key=True
    )
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    teu: Mapped[int]
    held_teu: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    departure: Mapped[Departure] = relationship(back_populates="quotas")
    station: Mapped[Station] = relationship(lazy="joined")

    @property
    def unused_teu(self) -> Decimal:
        """What the quota keeps from the pool while it is not released."""
        return max(Decimal(0), self.teu - self.held_teu)


class DepartureLeg(db.Model):
    """An operator's plan for one leg of one departure (matched to the route leg by ``seq``):
    the carrier, service number and times that differ from the route's defaults. Fields left
    None fall back to the defaults."""

    __tablename__ = "departure_legs"
    __table_args__ = (UniqueConstraint("departure_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id", ondelete="CASCADE"))
    seq: Mapped[int]
    #: Overrides the route leg's carriers for this departure.
    carrier: Mapped[str | None] = mapped_column(String(128))
    #: Train number, barge voyage or vessel voyage.
    service_no: Mapped[str | None] = mapped_column(String(20))
    planned_departure: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    departure: Mapped[Departure] = relationship(back_populates="leg_plans")

    __mapper_args__ = {"version_id_col": version}


class _Carried:
    """The figures of what a departure carried, as ``reports.record_shipped`` groups them."""

    teu: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    gross_weight_kg: Mapped[Decimal] = mapped_column(Numeric(14, 1))
    bookings: Mapped[int]
    units: Mapped[int]


class ShippedVolume(_Carried, db.Model):
    """What a departure carried, per origin station, written when it departed.

    The monthly report reads these rows instead of grouping every booking of 13 months each
    time. They never go stale: once a departure has left, its DEPARTED and ARRIVED bookings
    can be neither changed, cancelled nor rolled, and nothing can be booked on it.
    """

    __tablename__ = "shipped_volume"

    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id"), primary_key=True)
    origin_station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)


class ShippedVolumeByCompany(_Carried, db.Model):
    """What a departure carried, per shipper's company, written with ``ShippedVolume`` when
    it departed: the monthly report's top shippers sum these rows (one per company a
    departure carried for) instead of the month's bookings and their lines. They never go
    stale, for the same reasons as ``ShippedVolume``; a booking's company never changes
    either.
    """

    __tablename__ = "shipped_volume_by_company"

    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
