"""Annual targets: the TEU a year should ship, in all (the zone) and per origin station.

Revision ID: b6d3f8a2c1e9
Revises: a1c9e4f7d3b5
Create Date: 2026-12-07 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b6d3f8a2c1e9"
down_revision = "a1c9e4f7d3b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "annual_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("target_teu", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "year >= 2000 AND year <= 2100", name=op.f("ck_annual_targets_year_known")
        ),
        sa.CheckConstraint(
            "target_teu >= 0", name=op.f("ck_annual_targets_target_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_annual_targets_station_id_stations")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_annual_targets_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_targets")),
        sa.UniqueConstraint(
            "year", "station_id", name=op.f("uq_annual_targets_year_station_id")
        ),
    )
    op.create_index(
        "uq_annual_targets_zone_year", "annual_targets", ["year"], unique=True,
        sqlite_where=sa.text("station_id IS NULL"),
        postgresql_where=sa.text("station_id IS NULL"),
    )  # fmt: skip


def downgrade():
    op.drop_index(
        "uq_annual_targets_zone_year", table_name="annual_targets",
        sqlite_where=sa.text("station_id IS NULL"),
        postgresql_where=sa.text("station_id IS NULL"),
    )  # fmt: skip
    op.drop_table("annual_targets")
