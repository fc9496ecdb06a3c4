"""Bookings by status, newest first: the index an operator's list filtered by status reads
in order (and counts, up to the list's limit), whatever the status's share of the table.

Revision ID: e8b3d5a1c7f4
Revises: d4a8c2e6b1f3
Create Date: 2026-12-10 09:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "e8b3d5a1c7f4"
down_revision = "d4a8c2e6b1f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_bookings_status_created", "bookings", ["status", "created_at"])


def downgrade():
    op.drop_index("ix_bookings_status_created", table_name="bookings")
