"""A booking event's mail names its event and is rendered when sent: ``mail_deliveries``
gains ``booking_event_id`` (gone with the event's booking).

Revision ID: e8b3d1f6a2c4
Revises: d4a8c2e6b1f3
Create Date: 2026-12-10 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e8b3d1f6a2c4"
down_revision = "d4a8c2e6b1f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_event_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_mail_deliveries_booking_event_id"), ["booking_event_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_mail_deliveries_booking_event_id_booking_events"),
            "booking_events",
            ["booking_event_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mail_deliveries_booking_event_id_booking_events"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_mail_deliveries_booking_event_id"))
        batch_op.drop_column("booking_event_id")
