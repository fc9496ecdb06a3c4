"""A container's owner (SOC or COC), the person who certified its VGM, when it was weighed
and its packing mass (SOLAS method 2); partly checked loads saved as drafts.

Containers confirmed before: owner COC (the carrier's box, as nearly every load of the port
has been); the signatory and the weighing time NULL, shown as "not recorded" (nobody was
asked, and no name may be made up); the packing mass NULL (it was not kept).

Revision ID: 3f9d2c6b8e41
Revises: c4e8a1f7b9d2
Create Date: 2026-12-05 08:01:17.616357

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3f9d2c6b8e41"
down_revision = "c4e8a1f7b9d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "load_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_load_drafts_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"], ["users.id"], name=op.f("fk_load_drafts_saved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_drafts")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_load_drafts_booking_id")),
    )
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("packing_kg", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("owner", sa.String(length=3), server_default="COC", nullable=False)
        )
        batch_op.add_column(sa.Column("vgm_certified_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("weighed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_containers_container_owner"), "owner IN ('COC', 'SOC')"
        )


def downgrade():
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_containers_container_owner"), type_="check")
        batch_op.drop_column("weighed_at")
        batch_op.drop_column("vgm_certified_by")
        batch_op.drop_column("owner")
        batch_op.drop_column("packing_kg")

    op.drop_table("load_drafts")
