"""Border crossings carry a version (administrators edit them); the places seeded under codes
that are not their UN/LOCODE take their real one (Małaszewicze PLMAA, Alashankou CNAKL,
Khorgos CNHRS, Erenhot CNERC, Zamyn-Üüd MNZUU), and the two Kazakh border stations that have
none confirmed take the project's own codes (KZ-DOS, KZ-AKL).

Revision ID: b81f4c2d9e6a
Revises: 7a3c51e0b2d4
Create Date: 2026-12-05 08:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b81f4c2d9e6a"
down_revision = "7a3c51e0b2d4"
branch_labels = None
depends_on = None

# (code seeded before, code now)
RENAMED = (
    ("PLMAL", "PLMAA"),
    ("CNAKA", "CNAKL"),
    ("CNKHG", "CNHRS"),
    ("CNERL", "CNERC"),
    ("MNZMU", "MNZUU"),
    ("KZDOS", "KZ-DOS"),
    ("KZAKL", "KZ-AKL"),
)

places = sa.table("places", sa.column("code", sa.String), sa.column("kind", sa.String))


def _rename(pairs) -> None:
    connection = op.get_bind()
    for old, new in pairs:
        taken = connection.scalar(sa.select(sa.func.count()).where(places.c.code == new))
        if not taken:  # a place created meanwhile under the right code is left alone
            connection.execute(
                places.update().where(places.c.code == old).values(code=new)
            )


def upgrade():
    with op.batch_alter_table("border_crossings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    _rename(RENAMED)


def downgrade():
    # CNAKA is Ankang's own UN/LOCODE: a place seeded under it since is not Alashankou.
    _rename((new, old) for old, new in RENAMED if old != "CNAKA")
    with op.batch_alter_table("border_crossings", schema=None) as batch_op:
        batch_op.drop_column("version")
