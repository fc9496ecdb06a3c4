"""Booking templates and the address book of a shipper's company.

Revision ID: d4a8c2e6b1f3
Revises: d4f2b8e6a1c3
Create Date: 2026-12-09 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4a8c2e6b1f3"
down_revision = "d4f2b8e6a1c3"
branch_labels = None
depends_on = None


def _owned(table: str, *columns):
    """A company's row: id, company, the columns, creator, version and times."""
    return (
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        *columns,
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f(f"fk_{table}_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{table}_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )  # fmt: skip


def upgrade():
    op.create_table(
        "booking_templates",
        *_owned(
            "booking_templates",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("body", sa.JSON(), nullable=False),
        ),
        sa.UniqueConstraint(
            "company_id", "name", name=op.f("uq_booking_templates_company_id_name")
        ),
    )
    op.create_table(
        "address_book_entries",
        *_owned(
            "address_book_entries",
            sa.Column("name", sa.String(length=128), nullable=False),
            sa.Column("address", sa.String(length=255), nullable=False),
        ),
        sa.UniqueConstraint(
            "company_id", "name", "address",
            name=op.f("uq_address_book_entries_company_id_name_address"),
        ),  # fmt: skip
    )
    op.create_index(
        "ix_address_book_entries_company_name", "address_book_entries", ["company_id", "name"]
    )


def downgrade():
    op.drop_index("ix_address_book_entries_company_name", table_name="address_book_entries")
    op.drop_table("address_book_entries")
    op.drop_table("booking_templates")
