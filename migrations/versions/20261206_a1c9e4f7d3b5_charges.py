"""Charges and the choice of corridor: tariffs per route (through or per leg), size group,
currency and validity with their surcharges; a booking's charges as priced, its payment term
and the day whose tariffs price it; distances of legs, of each route's last leg to each of its
destinations, and of each station's road feeder to the hub (the CO2e of a corridor).

Revision ID: a1c9e4f7d3b5
Revises: f3a8c6d1b2e7
Create Date: 2026-12-06 03:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a1c9e4f7d3b5"
down_revision = "f3a8c6d1b2e7"
branch_labels = None
depends_on = None


def _money(name, **kwargs):
    return sa.Column(name, sa.Numeric(precision=14, scale=2), **kwargs)


def upgrade():
    op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("leg_seq", sa.Integer(), nullable=True),
        sa.Column("size_group", sa.String(length=6), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("amount", nullable=False),
        _money("dg_surcharge", nullable=False),
        _money("reefer_surcharge", nullable=False),
        _money("overweight_surcharge", nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "size_group IN ('20', '40', '45', 'REEFER', 'TANK')",
            name=op.f("ck_tariffs_size_group_known"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_tariffs_amount_not_negative")),
        sa.CheckConstraint("dg_surcharge >= 0", name=op.f("ck_tariffs_dg_surcharge_not_negative")),
        sa.CheckConstraint(
            "reefer_surcharge >= 0", name=op.f("ck_tariffs_reefer_surcharge_not_negative")
        ),
        sa.CheckConstraint(
            "overweight_surcharge >= 0", name=op.f("ck_tariffs_overweight_surcharge_not_negative")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_tariffs_validity_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_tariffs_route_id_routes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_tariffs_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
    )
    op.create_index(
        "ix_tariffs_route_group", "tariffs", ["route_id", "size_group", "valid_from"]
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charges", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("charges_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column("charges_total", sa.Numeric(precision=18, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("priced_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "payment_term",
                sa.Enum("PRE", "COL", name="payment_term", native_enum=False,
                        create_constraint=True, length=3),
                server_default="PRE",
                nullable=False,
            )
        )  # fmt: skip
        batch_op.create_check_constraint(
            op.f("ck_bookings_charges_complete"), "(charges_total IS NULL) = (charges_currency IS NULL)"
        )
    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("distance_km", sa.Integer(), nullable=True))
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feeder_km", sa.Integer(), nullable=True))
    with op.batch_alter_table("route_destinations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("distance_km", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("transit_hours", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("route_destinations", schema=None) as batch_op:
        batch_op.drop_column("transit_hours")
        batch_op.drop_column("distance_km")
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("feeder_km")
    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.drop_column("distance_km")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_bookings_charges_complete"), type_="check")
        batch_op.drop_constraint(op.f("ck_bookings_payment_term"), type_="check")
        batch_op.drop_column("payment_term")
        batch_op.drop_column("priced_on")
        batch_op.drop_column("charges_total")
        batch_op.drop_column("charges_currency")
        batch_op.drop_column("charges")
    op.drop_index("ix_tariffs_route_group", table_name="tariffs")
    op.drop_table("tariffs")
