"""Station quotas per departure and the waitlist: the table ``departure_quotas``, on
departures the sum of their quotas and what the quotas keep from the open pool, the
booking statuses WAITLISTED and EXPIRED and the timeline's WAITLISTED, PROMOTED and EXPIRED.

Revision ID: c7e1a4d9f2b6
Revises: b6d3f8a2c1e9
Create Date: 2026-12-08 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c7e1a4d9f2b6"
down_revision = "b6d3f8a2c1e9"
branch_labels = None
depends_on = None

STATUSES = ["RECEIVED", "CONFIRMED", "REJECTED", "CANCELLED", "DEPARTED", "ARRIVED"]
WAITING_STATUSES = ["WAITLISTED", "EXPIRED"]
EVENT_TYPES = [
    "CREATED",
    "AMENDED",
    "CANCELLED",
    "CONFIRMED",
    "REJECTED",
    "ROLLED",
    "DEPARTED",
    "ARRIVED",
    "WAYBILL_ISSUED",
    "DOCUMENT_ADDED",
    "DOCUMENT_REMOVED",
    "ORIGINALS_PRINTED",
    "TRANSPORT",
    "EQUIPMENT",
    "CUSTOMS_RELEASED",
]
WAITING_EVENTS = ["WAITLISTED", "PROMOTED", "EXPIRED"]


def _enum(name, values):
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True,
        length=max(map(len, values)),
    )  # fmt: skip


def upgrade():
    op.create_table(
        "departure_quotas",
        sa.Column("departure_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("teu", sa.Integer(), nullable=False),
        sa.Column("held_teu", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("teu > 0", name=op.f("ck_departure_quotas_quota_positive")),
        sa.CheckConstraint(
            "held_teu >= 0", name=op.f("ck_departure_quotas_quota_held_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["departure_id"],
            ["departures.id"],
            name=op.f("fk_departure_quotas_departure_id_departures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_departure_quotas_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("departure_id", "station_id", name=op.f("pk_departure_quotas")),
    )
    with op.batch_alter_table("departures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quota_teu", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "reserved_teu",
                sa.Numeric(precision=10, scale=2),
                server_default="0",
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_departures_pool_within_capacity"), "reserved_teu >= 0 AND held_teu + reserved_teu <= capacity_teu"
        )
        batch_op.create_check_constraint(
            op.f("ck_departures_quotas_within"), "quota_teu >= 0 AND quota_teu <= capacity_teu"
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_enum("booking_status", STATUSES),
            type_=_enum("booking_status", WAITING_STATUSES + STATUSES),
            existing_nullable=False,
        )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_enum("event_type", EVENT_TYPES),
            type_=_enum("event_type", EVENT_TYPES + WAITING_EVENTS),
            existing_nullable=False,
        )


def downgrade():
    events = sa.table("booking_events", sa.column("type", sa.String()))
    op.execute(events.delete().where(events.c.type.in_(WAITING_EVENTS)))
    bookings = sa.table("bookings", sa.column("status", sa.String()))
    op.execute(
        bookings.update().where(bookings.c.status.in_(WAITING_STATUSES)).values(status="CANCELLED")
    )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_enum("event_type", EVENT_TYPES + WAITING_EVENTS),
            type_=_enum("event_type", EVENT_TYPES),
            existing_nullable=False,
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_enum("booking_status", WAITING_STATUSES + STATUSES),
            type_=_enum("booking_status", STATUSES),
            existing_nullable=False,
        )
    with op.batch_alter_table("departures", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_departures_quotas_within"), type_="check")
        batch_op.drop_constraint(op.f("ck_departures_pool_within_capacity"), type_="check")
        batch_op.drop_column("reserved_teu")
        batch_op.drop_column("quota_teu")
    op.drop_table("departure_quotas")
