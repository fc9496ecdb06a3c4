"""Documents attached to a booking (invoice, packing list, certificates ...), stored in the
database; the timeline records their addition and removal.

Revision ID: c41d0a7e9b3f
Revises: 3f9d2c6b8e41
Create Date: 2026-12-05 08:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c41d0a7e9b3f"
down_revision = "3f9d2c6b8e41"
branch_labels = None
depends_on = None

EVENT_TYPES = [
    "CREATED",
    "AMENDED",
    "CANCELLED",
    "CONFIRMED",
    "REJECTED",
    "ROLLED",
    "DEPARTED",
    "ARRIVED",
    "WAYBILL_ISSUED",
]
DOCUMENT_EVENTS = ["DOCUMENT_ADDED", "DOCUMENT_REMOVED"]


def _event_type(values):
    return sa.Enum(
        *values,
        name="event_type",
        native_enum=False,
        create_constraint=True,
        length=max(map(len, values)),
    )


def upgrade():
    op.create_table(
        "booking_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "INVOICE",
                "PACKING_LIST",
                "CERTIFICATE",
                "MSDS",
                "CUSTOMS_DECLARATION",
                "OTHER",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_booking_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_documents_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_booking_documents_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_documents")),
    )
    with op.batch_alter_table("booking_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_documents_booking_uploaded", ["booking_id", "uploaded_at"], unique=False
        )
    # ck_booking_events_event_type is made again with every earlier value and the two new.
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_event_type(EVENT_TYPES),
            type_=_event_type(EVENT_TYPES + DOCUMENT_EVENTS),
            existing_nullable=False,
        )


def downgrade():
    events = sa.table("booking_events", sa.column("type", sa.String()))
    op.execute(events.delete().where(events.c.type.in_(DOCUMENT_EVENTS)))
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=_event_type(EVENT_TYPES + DOCUMENT_EVENTS),
            type_=_event_type(EVENT_TYPES),
            existing_nullable=False,
        )
    with op.batch_alter_table("booking_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_documents_booking_uploaded")
    op.drop_table("booking_documents")
