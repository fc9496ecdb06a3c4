"""The migrations build exactly the models' schema, and can be undone and redone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

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


def test_containers_confirmed_before_the_signatory_was_asked_are_coc_and_not_recorded(
    app, make_user, make_booking
):
    """The load-check migration keeps every container; the owner it adds is COC, the
    signatory, the weighing time and the packing mass are unknown (NULL)."""
    from dryport.models import BookingStatus, Container, ContainerOwner, LoadDraft, VgmMethod

    booking = make_booking(make_user().company, status=BookingStatus.CONFIRMED)
    booking.containers.append(
        Container(
            number="CSQU3054383", size_type="22G1", seal_no="S1", tare_kg=2300, vgm_kg=14300,
            vgm_method=VgmMethod.METHOD_2, cargo_kg=11800, packing_kg=200, weighed_by="clerk",
            owner=ContainerOwner.SOC, vgm_certified_by="王芳",
        )
    )  # fmt: skip
    db.session.add(LoadDraft(booking=booking, rows=[{"seal": "S1"}]))
    db.session.commit()
    downgrade(revision="3f9d2c6b8e41-1")
    upgrade()
    db.session.expire_all()
    container = db.session.scalar(select(Container))
    assert (container.number, container.vgm_kg, container.cargo_kg) == ("CSQU3054383", 14300, 11800)
    assert container.owner is ContainerOwner.COC
    assert (container.vgm_certified_by, container.weighed_at, container.packing_kg) == (
        None,
        None,
        None,
    )
    assert db.session.scalar(select(LoadDraft.id)) is None  # the drafts table is new again
