"""Shipment detail on bookings: destination, packages, net weight, the full dangerous-goods
declaration with the shipper's explicit answer, and customs data.

Bookings made before get: the route's former end point as destination (the place coded on
its last leg: DEDUI for XAEU, CNNGB for EAST; a route whose last leg names no place, as
WHSEA's "port of discharge", leaves it not stated); packages not stated; the declared "no"
or "yes" that their UN number said. The end-point place is added when missing, under the
names its leg had.

Revision ID: c4e8a1f7b9d2
Revises: b81f4c2d9e6a
Create Date: 2026-12-05

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4e8a1f7b9d2"
down_revision = "b81f4c2d9e6a"
branch_labels = None
depends_on = None

# The seeded names of the end points, should the places not be there yet.
END_POINTS = {
    "DEDUI": ("杜伊斯堡", "Duisburg", "RAIL_STATION"),
    "CNNGB": ("宁波舟山港(北仑)", "Ningbo-Zhoushan (Beilun)", "PORT"),
}

legs = sa.table(
    "legs",
    sa.column("route_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("mode", sa.String),
    sa.column("destination_zh", sa.String),
    sa.column("destination_en", sa.String),
    sa.column("destination_locode", sa.String),
)
places = sa.table(
    "places",
    sa.column("code", sa.String),
    sa.column("name_zh", sa.String),
    sa.column("name_en", sa.String),
    sa.column("kind", sa.String),
    sa.column("railway_code", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("version", sa.Integer),
)
departures = sa.table("departures", sa.column("id", sa.Integer), sa.column("route_id", sa.Integer))
bookings = sa.table(
    "bookings",
    sa.column("departure_id", sa.Integer),
    sa.column("destination", sa.String),
    sa.column("un_number", sa.String),
    sa.column("has_dangerous_goods", sa.Boolean),
)


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("net_weight_kg", sa.Numeric(12, 1), nullable=True))
        batch_op.add_column(sa.Column("destination", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("package_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("package_kind", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("package_marks", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column(
                "has_dangerous_goods", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("dg_packing_group", sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column("dg_proper_shipping_name", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(sa.Column("dg_emergency_contact", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("customs_declaration_no", sa.String(length=18), nullable=True)
        )
        batch_op.add_column(sa.Column("customs_invoice_value", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(sa.Column("customs_currency", sa.String(length=3), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_destination_places"), "places", ["destination"], ["code"]
        )

    conn = op.get_bind()
    conn.execute(
        bookings.update()
        .where(bookings.c.un_number.is_not(None))
        .values(has_dangerous_goods=sa.true())
    )
    for route_id, leg in _end_points(conn).items():
        code = leg.destination_locode
        if conn.execute(sa.select(places.c.code).where(places.c.code == code)).first() is None:
            zh, en, kind = END_POINTS.get(
                code,
                (
                    leg.destination_zh,
                    leg.destination_en,
                    "RAIL_STATION" if leg.mode == "RAIL" else "PORT",
                ),
            )
            conn.execute(
                places.insert().values(
                    code=code, name_zh=zh, name_en=en, kind=kind, active=True, version=1
                )
            )
        on_route = sa.select(departures.c.id).where(departures.c.route_id == route_id)
        conn.execute(
            bookings.update().where(bookings.c.departure_id.in_(on_route)).values(destination=code)
        )

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_bookings_dangerous_goods_declared"),
            "has_dangerous_goods = (un_number IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            op.f("ck_bookings_package_count_positive"), "package_count > 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_bookings_packages_complete"),
            "(package_count IS NULL) = (package_kind IS NULL)",
        )
        batch_op.create_check_constraint(
            op.f("ck_bookings_net_within_gross"), "net_weight_kg <= gross_weight_kg"
        )
        batch_op.create_check_constraint(
            op.f("ck_bookings_invoice_value_not_negative"), "customs_invoice_value >= 0"
        )


def _end_points(conn) -> dict:
    """Each route's last leg, when that leg names its destination by a place code."""
    last = (
        sa.select(legs.c.route_id, sa.func.max(legs.c.seq).label("seq"))
        .group_by(legs.c.route_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(legs).join(
            last, sa.and_(legs.c.route_id == last.c.route_id, legs.c.seq == last.c.seq)
        )
    ).all()
    return {row.route_id: row for row in rows if row.destination_locode}


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        for name in (
            "dangerous_goods_declared",
            "package_count_positive",
            "packages_complete",
            "net_within_gross",
            "invoice_value_not_negative",
        ):
            batch_op.drop_constraint(op.f(f"ck_bookings_{name}"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_bookings_destination_places"), type_="foreignkey")
        for column in (
            "customs_currency",
            "customs_invoice_value",
            "customs_declaration_no",
            "dg_emergency_contact",
            "dg_proper_shipping_name",
            "dg_packing_group",
            "has_dangerous_goods",
            "package_marks",
            "package_kind",
            "package_count",
            "destination",
            "net_weight_kg",
        ):
            batch_op.drop_column(column)
