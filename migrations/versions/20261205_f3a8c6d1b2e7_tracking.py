"""Multimodal execution: transport events (a leg's DEPA/ARRI, estimated or actual) and
equipment events (a container's GTIN/LOAD/DISC/GTOT with its seal check), the customs
release of a booking, the railway's waybill number of a container, and the timeline's
TRANSPORT, EQUIPMENT and CUSTOMS_RELEASED events.

Departures recorded as departed or arrived before: their first leg's actual DEPA and last
leg's actual ARRI are written from ``departed_at`` and ``arrived_at``, so that the events are
the one record of where a departure is.

Revision ID: f3a8c6d1b2e7
Revises: e5b7d2a9c3f1
Create Date: 2026-12-05 21:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f3a8c6d1b2e7"
down_revision = "e5b7d2a9c3f1"
branch_labels = None
depends_on = None

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
]
TRACKING_EVENTS = ["TRANSPORT", "EQUIPMENT", "CUSTOMS_RELEASED"]


def _enum(name, values):
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True,
        length=max(map(len, values)),
    )  # fmt: skip


def upgrade():
    op.create_table(
        "transport_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("departure_id", sa.Integer(), nullable=False),
        sa.Column("leg_seq", sa.Integer(), nullable=False),
        sa.Column("type", _enum("transport_event_type", ["DEPA", "ARRI"]), nullable=False),
        sa.Column("classifier", _enum("event_classifier", ["PLN", "EST", "ACT"]), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=8), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["departure_id"],
            ["departures.id"],
            name=op.f("fk_transport_events_departure_id_departures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_transport_events_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transport_events")),
    )
    op.create_index(
        "ix_transport_events_departure", "transport_events", ["departure_id", "leg_seq"]
    )
    op.create_table(
        "equipment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            _enum("equipment_event_type", ["GTIN", "LOAD", "DISC", "GTOT"]),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=8), nullable=False),
        sa.Column("seal_intact", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["container_id"],
            ["containers.id"],
            name=op.f("fk_equipment_events_container_id_containers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_equipment_events_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_events")),
    )
    op.create_index(op.f("ix_equipment_events_container_id"), "equipment_events", ["container_id"])
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("customs_released_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("railway_waybill_no", sa.String(length=20), nullable=True))
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_enum("event_type", EVENT_TYPES),
            type_=_enum("event_type", EVENT_TYPES + TRACKING_EVENTS),
            existing_nullable=False,
        )
    for column, leg, type_ in (("departed_at", "min", "DEPA"), ("arrived_at", "max", "ARRI")):
        op.execute(
            f"INSERT INTO transport_events"
            f" (departure_id, leg_seq, type, classifier, at, recorded_at)"
            f" SELECT d.id, (SELECT {leg}(l.seq) FROM legs l WHERE l.route_id = d.route_id),"
            f" '{type_}', 'ACT', d.{column}, d.{column} FROM departures d"
            f" WHERE d.{column} IS NOT NULL"
            f" AND EXISTS (SELECT 1 FROM legs l WHERE l.route_id = d.route_id)"
        )


def downgrade():
    events = sa.table("booking_events", sa.column("type", sa.String()))
    op.execute(events.delete().where(events.c.type.in_(TRACKING_EVENTS)))
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_enum("event_type", EVENT_TYPES + TRACKING_EVENTS),
            type_=_enum("event_type", EVENT_TYPES),
            existing_nullable=False,
        )
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.drop_column("railway_waybill_no")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("customs_released_at")
    op.drop_index(op.f("ix_equipment_events_container_id"), table_name="equipment_events")
    op.drop_table("equipment_events")
    op.drop_index("ix_transport_events_departure", table_name="transport_events")
    op.drop_table("transport_events")
