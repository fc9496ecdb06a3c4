"""Transport terms: each route leg's planned transit hours, departures' leg plans (carrier,
service number and times per leg), the booking's negotiability, sea continuation and declared
value, and each container's seal source and wagon.

The seeded route legs get their transit hours (sources in docs/DECISIONS.md): EAST's rail leg
216 h (9 days, the railway's transit-time limit for ~1,800 km), XAEU's feeder to Xi'an 10 h
and its Xi'an–Europe leg 384 h (16 days), WHSEA's road feeder 4 h (the farthest
sub-station's feeder hours), its rail leg to Wuhan 96 h and its Yangtze barge 96 h; its sea
leg stays unknown (it depends on the port of discharge). A leg is matched by route code,
position and mode, so a leg an administrator has rebuilt is left alone. Bookings made before
are not negotiable and have no sea continuation nor declared value; containers confirmed
before were sealed by the shipper (as every load of the port has been) with no wagon known.

Revision ID: d7e2a9c4f1b8
Revises: c41d0a7e9b3f
Create Date: 2026-12-05 17:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d7e2a9c4f1b8"
down_revision = "c41d0a7e9b3f"
branch_labels = None
depends_on = None

# (route code, leg position, mode) -> planned transit hours.
TRANSIT_HOURS = {
    ("EAST", 1, "RAIL"): 216,
    ("XAEU", 1, "RAIL"): 10,
    ("XAEU", 2, "RAIL"): 384,
    ("WHSEA", 1, "ROAD"): 4,
    ("WHSEA", 2, "RAIL"): 96,
    ("WHSEA", 3, "WATER"): 96,
}

routes = sa.table("routes", sa.column("id", sa.Integer), sa.column("code", sa.String))
legs = sa.table(
    "legs",
    sa.column("route_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("mode", sa.String),
    sa.column("transit_hours", sa.Integer),
)


def upgrade():
    op.create_table(
        "departure_legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("departure_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=128), nullable=True),
        sa.Column("service_no", sa.String(length=20), nullable=True),
        sa.Column("planned_departure", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_arrival", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["departure_id"],
            ["departures.id"],
            name=op.f("fk_departure_legs_departure_id_departures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departure_legs")),
        sa.UniqueConstraint(
            "departure_id", "seq", name=op.f("uq_departure_legs_departure_id_seq")
        ),
    )
    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transit_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("negotiable", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("ocean_booking_no", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("sea_vessel", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sea_voyage", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("port_of_discharge", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("declared_value", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(
            sa.Column("declared_value_currency", sa.String(length=3), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_port_of_discharge_places"),
            "places",
            ["port_of_discharge"],
            ["code"],
        )
        batch_op.create_check_constraint(
            op.f("ck_bookings_declared_value_complete"),
            "(declared_value IS NULL) = (declared_value_currency IS NULL)",
        )
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sealed_by", sa.String(length=7), server_default="SHIPPER", nullable=False)
        )
        batch_op.add_column(sa.Column("wagon_no", sa.String(length=12), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_containers_sealed_by"), "sealed_by IN ('SHIPPER', 'CARRIER', 'CUSTOMS')"
        )

    conn = op.get_bind()
    for (code, seq, mode), hours in TRANSIT_HOURS.items():
        route_id = sa.select(routes.c.id).where(routes.c.code == code).scalar_subquery()
        conn.execute(
            legs.update()
            .where(legs.c.route_id == route_id, legs.c.seq == seq, legs.c.mode == mode)
            .values(transit_hours=hours)
        )


def downgrade():
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_containers_sealed_by"), type_="check")
        batch_op.drop_column("wagon_no")
        batch_op.drop_column("sealed_by")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_bookings_declared_value_complete"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_bookings_port_of_discharge_places"), type_="foreignkey"
        )
        batch_op.drop_column("declared_value_currency")
        batch_op.drop_column("declared_value")
        batch_op.drop_column("port_of_discharge")
        batch_op.drop_column("sea_voyage")
        batch_op.drop_column("sea_vessel")
        batch_op.drop_column("ocean_booking_no")
        batch_op.drop_column("negotiable")
    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.drop_column("transit_hours")
    op.drop_table("departure_legs")
