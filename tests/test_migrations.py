"""The migrations build exactly the models' schema, and can be undone and redone."""

from datetime import UTC, datetime
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Integer, Numeric, String, column, inspect, select, text
from sqlalchemy import table as sa_table

from dryport.db import UTCDateTime
from dryport.extensions import db
from dryport.models import Booking, PlaceKind, Route, ShippedVolume, ShippedVolumeByCompany
from dryport.services.reference_data import seed_reference_data


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


def test_the_by_company_migration_records_the_departures_that_already_left(app, march):
    """The same for what departures carried per company (the top shippers'): the rows the
    migration writes for departures that left before the table existed are those
    ``depart`` writes, cancelled and rejected bookings left out."""
    recorded = db.session.execute(
        select(ShippedVolumeByCompany.__table__).order_by("departure_id", "company_id")
    ).all()
    # Five departures; the first of March carried Tea and Silk.
    assert [(r.teu, r.units, r.bookings) for r in recorded][:2] == [
        (Decimal(2), 2, 1), (Decimal(2), 1, 1)
    ]  # fmt: skip
    assert len(recorded) == 6
    db.session.commit()
    downgrade(revision="f1c7a3e9b5d2")
    assert "shipped_volume_by_company" not in inspect(db.engine).get_table_names()
    upgrade()
    assert (
        db.session.execute(
            select(ShippedVolumeByCompany.__table__).order_by("departure_id", "company_id")
        ).all()
        == recorded
    )


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


FIRST_WAVE = "5e55a9e3c0d1"  # bookings before destinations, packages and customs
_old_bookings = sa_table(
    "bookings",
    column("reference", String), column("company_id", Integer), column("departure_id", Integer),
    column("origin_station_id", Integer), column("consignee_name", String),
    column("consignee_address", String), column("cargo_description", String),
    column("hs_code", String), column("gross_weight_kg", Numeric(12, 1)),
    column("un_number", String), column("dg_class", String), column("teu", Numeric(8, 2)),
    column("status", String), column("version", Integer),
    column("created_at", UTCDateTime()), column("updated_at", UTCDateTime()),
)  # fmt: skip


def test_first_wave_bookings_get_their_route_end_point_and_lose_nothing(
    app, make_departure, make_company, station
):
    """Bookings written before destinations existed get the place their route used to end
    at (none for WHSEA, whose last leg named none), packages not stated, and a declared
    "yes" exactly where they carried a UN number; every value they had is kept."""
    company_id, origin_id = make_company("Tea").id, station("HB").id
    departures = {route: make_departure(route).id for route in ("XAEU", "EAST", "WHSEA")}
    db.session.commit()
    db.session.close()  # no transaction of the test's may keep reading the older schema
    downgrade(revision=FIRST_WAVE)
    # The places of the end points are gone with the downgrade: the upgrade adds them.
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        for n, (route, un_number, dg_class) in enumerate(
            (("XAEU", "UN1564", "6.1"), ("EAST", None, None), ("WHSEA", None, None)), start=1
        ):
            conn.execute(
                _old_bookings.insert().values(
                    reference=f"HK2611-{n:05d}", company_id=company_id,
                    departure_id=departures[route], origin_station_id=origin_id,
                    consignee_name="Duisburg Intermodal GmbH", consignee_address="Duisburg",
                    cargo_description="Green tea", hs_code="0902101000",
                    gross_weight_kg=Decimal("12000.5"), un_number=un_number, dg_class=dg_class,
                    teu=Decimal(1), status="RECEIVED", version=3, created_at=now, updated_at=now,
                )
            )  # fmt: skip
    upgrade()
    db.session.expire_all()
    found = {
        b.reference: b for b in db.session.scalars(select(Booking).order_by(Booking.reference))
    }
    xaeu, east, whsea = found.values()
    assert (xaeu.destination, east.destination, whsea.destination) == ("DEDUI", "CNNGB", None)
    assert xaeu.destination_place.name_en == "Duisburg"
    assert east.destination_place.kind is PlaceKind.PORT
    assert [b.has_dangerous_goods for b in found.values()] == [True, False, False]
    assert (xaeu.un_number, xaeu.dg_class, xaeu.dg_packing_group) == ("UN1564", "6.1", None)
    for booking in found.values():
        assert booking.package_count is None and booking.package_kind is None
        assert booking.customs_declaration_no is None and booking.net_weight_kg is None
        assert booking.hs_code == "0902101000" and booking.gross_weight_kg == Decimal("12000.5")
        assert booking.version == 3 and booking.consignee_name == "Duisburg Intermodal GmbH"
    # Seeding afterwards completes the routes' destinations around the places added.
    seed_reference_data(db.session)
    db.session.commit()
    route = db.session.scalar(select(Route).where(Route.code == "XAEU"))
    assert "DEDUI" in [p.code for p in route.destinations] and len(route.destinations) == 6


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


def test_reference_data_seeded_before_distances_gets_the_seeded_distances(app):
    """A database seeded before stations, legs and destinations had distances: the charges
    migration gives the seeded ones theirs (what an administrator set since is kept)."""
    from dryport.models import Leg, Station
    from dryport.models.place import route_destinations

    seed_reference_data(db.session)
    db.session.commit()
    downgrade(revision="a1c9e4f7d3b5-1")
    upgrade()
    db.session.expire_all()
    km = dict(db.session.execute(select(Station.code, Station.feeder_km)).all())
    assert km["HK"] == 0 and km["ZP"] == 185
    legs = db.session.execute(
        select(Route.code, Leg.seq, Leg.distance_km).join(Leg.route).order_by(Route.code, Leg.seq)
    ).all()
    assert ("XAEU", 2, 9_908) in legs and ("WHSEA", 1, None) in legs  # the feeder: the station's
    ends = db.session.execute(
        select(route_destinations.c.distance_km, route_destinations.c.transit_hours).where(
            route_destinations.c.distance_km == 3_900
        )
    ).all()
    assert ends == [(3_900, 144)]  # XAEU to Almaty
