"""Shipped volume per departure and shipper's company, written when a departure leaves, for
the monthly report's top shippers; the departures that have already left get theirs.

Revision ID: 6b8b0b09e16e
Revises: f1c7a3e9b5d2
Create Date: 2026-12-12 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6b8b0b09e16e"
down_revision = "f1c7a3e9b5d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shipped_volume_by_company",
        sa.Column("departure_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("teu", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("gross_weight_kg", sa.Numeric(precision=14, scale=1), nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["departure_id"], ["departures.id"],
            name=op.f("fk_shipped_volume_by_company_departure_id_departures"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"],
            name=op.f("fk_shipped_volume_by_company_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint(
            "departure_id", "company_id", name=op.f("pk_shipped_volume_by_company")
        ),
    )  # fmt: skip
    # The departures that have already left: what they carried, as reports.record_shipped
    # writes it when one departs.
    op.execute("""
        INSERT INTO shipped_volume_by_company
            (departure_id, company_id, teu, gross_weight_kg, bookings, units)
        SELECT b.departure_id, b.company_id, SUM(b.teu), SUM(b.gross_weight_kg), COUNT(b.id),
               COALESCE(SUM((SELECT SUM(l.quantity) FROM booking_lines l
                             WHERE l.booking_id = b.id)), 0)
        FROM bookings b JOIN departures d ON d.id = b.departure_id
        WHERE d.status IN ('DEPARTED', 'ARRIVED') AND b.status IN ('DEPARTED', 'ARRIVED')
        GROUP BY b.departure_id, b.company_id
    """)


def downgrade():
    op.drop_table("shipped_volume_by_company")
