"""The migrations build exactly the models' schema, and can be undone and redone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from dryport.extensions import db
from dryport.models import ShippedVolume


def _diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app):
    assert _diff() == []


def test_downgrade_then_upgrade(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert _diff() == []


def test_migrations_create_every_check_constraint_and_index_predicate(app):
    """Alembic's comparison skips CHECK constraints and partial-index predicates; the
    capacity and live-container guarantees rest on them, so they are compared here."""
    inspector = inspect(db.engine)
    dialect = db.engine.dialect.name
    for table in db.metadata.sorted_tables:
        expected = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert expected <= found, (table.name, expected - found)

        for index in table.indexes:
            where = index.dialect_options[dialect].get("where")
            if where is None:
                continue
            reflected = next(
                i for i in inspector.get_indexes(table.name) if i["name"] == index.name
            )
            predicate = reflected.get("dialect_options", {}).get(f"{dialect}_where")
            assert predicate is not None, (index.name, "lost its WHERE")
            assert str(where).strip("()") in str(predicate), (index.name, predicate)


def _shipped_volume():
    return db.session.execute(
        select(ShippedVolume.__table__).order_by("departure_id", "origin_station_id")
    ).all()


def test_the_shipped_volume_migration_records_the_departures_that_already_left(app, march):
    """Departures that left before the table existed get the rows ``depart`` would have
    written: the migration's SQL and ``reports.record_shipped`` agree."""
    recorded = _shipped_volume()
    assert len(recorded) == 6  # five departures, one of them from two stations
    db.session.commit()
    downgrade(revision="fa376cc8762d")
    upgrade()
    assert _shipped_volume() == recorded


def test_places_seeded_under_wrong_codes_take_their_un_locode(app):
    """A database seeded before the codes were checked: Alashankou under Ankang's CNAKA,
    Małaszewicze as PLMAL, Dostyk as KZDOS; its crossing and route keep their places."""
    downgrade(revision="7a3c51e0b2d4")
    with db.engine.begin() as conn:
        for code, name, kind in (
            ("CNAKA", "Alashankou", "BORDER"),
            ("KZDOS", "Dostyk", "BORDER"),
            ("PLMAL", "Małaszewicze", "RAIL_STATION"),
        ):
            conn.execute(
                text(
                    "INSERT INTO places (code, name_zh, name_en, kind, active, version)"
                    " VALUES (:code, :name, :name, :kind, true, 1)"
                ),
                {"code": code, "name": name, "kind": kind},
            )
        conn.execute(
            text(
                "INSERT INTO border_crossings (code, exit_place_id, entry_place_id, gauge_change)"
                " SELECT 'AKA-DOS', a.id, d.id, true FROM places a, places d"
                " WHERE a.code = 'CNAKA' AND d.code = 'KZDOS'"
            )
        )
    upgrade()
    with db.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT code, name_en FROM places")).all())
        crossing = conn.execute(
            text(
                "SELECT c.version, e.code FROM border_crossings c"
                " JOIN places e ON e.id = c.exit_place_id WHERE c.code = 'AKA-DOS'"
            )
        ).one()
    assert names == {"CNAKL": "Alashankou", "KZ-DOS": "Dostyk", "PLMAA": "Małaszewicze"}
    assert tuple(crossing) == (1, "CNAKL")
    assert _diff() == []
