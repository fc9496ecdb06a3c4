from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dryport.db import UTCDateTime, utcnow
from dryport.extensions import db
from dryport.models.route import Route
from dryport.models.user import User

#: The groups a tariff prices a container by: its length (20, 40 or 45 ft) for dry boxes,
#: and reefers and tanks apart (``services.pricing.size_group``).
SIZE_GROUPS = ("20", "40", "45", "REEFER", "TANK")


class Tariff(db.Model):
    """The price of carrying one container of a size group on a route, through or on one of
    its legs, in one currency, from one day to another (both included; open-ended without
    ``valid_to``), with the surcharges per container for dangerous goods, reefers and
    overweight boxes.

    A tariff is never deleted: a new price is a new tariff from the day it applies, the old
    one closed the day before (``services.tariffs``). Bookings keep the charges they were
    priced with."""

    __tablename__ = "tariffs"
    __table_args__ = (
        CheckConstraint(
            "size_group IN ('20', '40', '45', 'REEFER', 'TANK')", name="size_group_known"
        ),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("dg_surcharge >= 0", name="dg_surcharge_not_negative"),
        CheckConstraint("reefer_surcharge >= 0", name="reefer_surcharge_not_negative"),
        CheckConstraint("overweight_surcharge >= 0", name="overweight_surcharge_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_ordered"),
        Index("ix_tariffs_route_group", "route_id", "size_group", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"))
    #: The route leg (its position) this prices; None: a through rate for the whole route.
    leg_seq: Mapped[int | None]
    size_group: Mapped[str] = mapped_column(String(6))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    dg_surcharge: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    reefer_surcharge: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    overweight_surcharge: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    route: Mapped[Route] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        leg = "through" if self.leg_seq is None else f"leg {self.leg_seq}"
        return f"<Tariff {self.route_id} {leg} {self.size_group} {self.amount} {self.currency}>"
