"""A session generation per user: sign-out, a new password and deactivation end sessions on
the server.

Revision ID: 5e55a9e3c0d1
Revises: 9cad6e7e75dc
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e55a9e3c0d1'
down_revision = '9cad6e7e75dc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
