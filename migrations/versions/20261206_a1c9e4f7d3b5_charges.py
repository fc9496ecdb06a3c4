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


# The seeded stations', legs' and destinations' distances as this revision seeds them
# (``services.reference_data``), for a database seeded before: only where still unknown.
FEEDER_KM = {
    "HK": 0, "HB": 30, "HY": 35, "SQ": 95, "NS": 150, "ZY": 120, "LG": 95, "PL": 115,
    "ZP": 185, "XY": 95, "BH": 165,
}  # fmt: skip
LEG_KM = {("EAST", 1): 1_900, ("XAEU", 1): 280, ("XAEU", 2): 9_908, ("WHSEA", 2): 600,
          ("WHSEA", 3): 1_125}  # fmt: skip
DESTINATION_LEGS = {
    ("XAEU", "DEDUI"): (9_908, None), ("XAEU", "DEHAM"): (9_700, None),
    ("XAEU", "PLMAA"): (8_600, 288), ("XAEU", "PLLOD"): (8_850, 312),
    ("XAEU", "KZALA"): (3_900, 144), ("XAEU", "UZTAS"): (4_700, 192),
    ("WHSEA", "NLRTM"): (19_600, 696), ("WHSEA", "DEHAM"): (20_200, 744),
    ("WHSEA", "SGSIN"): (4_100, 144), ("WHSEA", "USLAX"): (10_500, 336),
}  # fmt: skip


def _distances():
    stations = sa.table("stations", sa.column("code"), sa.column("feeder_km"))
    for code, km in FEEDER_KM.items():
        op.execute(
            stations.update()
            .where(stations.c.code == code, stations.c.feeder_km.is_(None))
            .values(feeder_km=km)
        )
    routes = sa.table("routes", sa.column("id"), sa.column("code"))
    legs = sa.table("legs", sa.column("route_id"), sa.column("seq"), sa.column("distance_km"))
    for (route, seq), km in LEG_KM.items():
        route_id = sa.select(routes.c.id).where(routes.c.code == route).scalar_subquery()
        op.execute(
            legs.update()
            .where(legs.c.route_id == route_id, legs.c.seq == seq, legs.c.distance_km.is_(None))
            .values(distance_km=km)
        )
    places = sa.table("places", sa.column("id"), sa.column("code"))
    ends = sa.table(
        "route_destinations", sa.column("route_id"), sa.column("place_id"),
        sa.column("distance_km"), sa.column("transit_hours"),
    )  # fmt: skip
    for (route, place), (km, hours) in DESTINATION_LEGS.items():
        route_id = sa.select(routes.c.id).where(routes.c.code == route).scalar_subquery()
        place_id = sa.select(places.c.id).where(places.c.code == place).scalar_subquery()
        op.execute(
            ends.update()
            .where(ends.c.route_id == route_id, ends.c.place_id == place_id,
                   ends.c.distance_km.is_(None))
            .values(distance_km=km, transit_hours=hours)
        )  # fmt: skip


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
    _distances()


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
