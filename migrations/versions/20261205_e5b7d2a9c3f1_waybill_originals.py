"""A waybill revision's originals: when, by whom and how many were printed (all three or
none), and the timeline's ORIGINALS_PRINTED event.

Waybills issued before: no originals recorded (NULL), so an operator may print them once.

Revision ID: e5b7d2a9c3f1
Revises: d7e2a9c4f1b8
Create Date: 2026-12-05 17:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e5b7d2a9c3f1"
down_revision = "d7e2a9c4f1b8"
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
]
ORIGINALS_EVENTS = ["ORIGINALS_PRINTED"]
ORIGINALS_COMPLETE = (
    "(originals_printed_at IS NULL) = (originals_printed_by_id IS NULL)"
    " AND (originals_printed_at IS NULL) = (originals_count IS NULL)"
)


def _event_type(values):
    return sa.Enum(
        *values,
        name="event_type",
        native_enum=False,
        create_constraint=True,
        length=max(map(len, values)),
    )


def upgrade():
    with op.batch_alter_table("waybills", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("originals_printed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("originals_printed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("originals_count", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_waybills_originals_printed_by_id_users"),
            "users",
            ["originals_printed_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_waybills_originals_complete"), ORIGINALS_COMPLETE
        )
    # ck_booking_events_event_type is made again with every earlier value and the new one;
    # the column widens to 17 characters.
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_event_type(EVENT_TYPES),
            type_=_event_type(EVENT_TYPES + ORIGINALS_EVENTS),
            existing_nullable=False,
        )


def downgrade():
    events = sa.table("booking_events", sa.column("type", sa.String()))
    op.execute(events.delete().where(events.c.type.in_(ORIGINALS_EVENTS)))
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_event_type(EVENT_TYPES + ORIGINALS_EVENTS),
            type_=_event_type(EVENT_TYPES),
            existing_nullable=False,
        )
    with op.batch_alter_table("waybills", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_waybills_originals_complete"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_waybills_originals_printed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("originals_count")
        batch_op.drop_column("originals_printed_by_id")
        batch_op.drop_column("originals_printed_at")
