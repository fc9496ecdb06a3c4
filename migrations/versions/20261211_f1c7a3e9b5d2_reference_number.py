"""The number of the reference data (``services.reference_cache``): the counter
``reference``, written with a random value, so that a database upgraded from before keeps
its reference data per process from the first booking on, not from the first edit.

Revision ID: f1c7a3e9b5d2
Revises: e8b3d1f6a2c4
Create Date: 2026-12-11 08:00:00

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f1c7a3e9b5d2"
down_revision = "e8b3d1f6a2c4"
branch_labels = None
depends_on = None

counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))


def upgrade():
    connection = op.get_bind()
    found = connection.execute(
        sa.select(counters.c.name).where(counters.c.name == "reference")
    ).first()
    if found is None:
        op.execute(counters.insert().values(name="reference", value=secrets.randbits(31)))


def downgrade():
    op.execute(counters.delete().where(counters.c.name == "reference"))
