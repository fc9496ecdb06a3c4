"""The database guards what it can, on SQLite as on PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from dryport.models import (
    Booking,
    BookingStatus,
    Container,
    Departure,
    Role,
    Station,
    User,
    VgmMethod,
)
from dryport.services.containers import make_number


def _refused(session, statement):
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(statement)


def test_foreign_keys_are_enforced(db_session, seeded):
    _refused(
        db_session,
        text(
            "INSERT INTO users (email, password_hash, name, role, company_id, locale, active, "
            "created_at) VALUES ('x@example.com', 'h', 'x', 'SHIPPER', 999, 'zh', true, "
            "CURRENT_TIMESTAMP)"
        ),
    )


def test_held_teu_can_never_exceed_capacity(db_session, make_departure):
    departure = make_departure(capacity=10)
    _refused(db_session, update(Departure).where(Departure.id == departure.id).values(held_teu=11))
    db_session.execute(update(Departure).where(Departure.id == departure.id).values(held_teu=10))
    assert db_session.get(Departure, departure.id).held_teu == Decimal(10)


def test_cutoff_must_come_before_departure(db_session, make_departure):
    with pytest.raises(IntegrityError):
        make_departure(cutoff_hours=-1)


def test_a_shipper_needs_a_company_and_a_clerk_a_station(db_session, make_user):
    user = make_user(Role.OPERATOR)
    _refused(db_session, update(User).where(User.id == user.id).values(role=Role.SHIPPER))
    _refused(db_session, update(User).where(User.id == user.id).values(role=Role.CLERK))


def test_an_enum_column_refuses_unknown_values(db_session, make_user):
    user = make_user(Role.OPERATOR)
    _refused(
        db_session,
        text(f"UPDATE users SET role = 'PIRATE' WHERE id = {user.id}"),  # noqa: S608
    )


def test_emails_are_unique(db_session, make_user):
    user = make_user(Role.OPERATOR)
    other = make_user(Role.ADMIN)
    _refused(db_session, update(User).where(User.id == other.id).values(email=user.email))


def test_a_container_is_on_one_live_booking_at_most(db_session, make_booking, make_company):
    company = make_company()
    first = make_booking(company, status=BookingStatus.CONFIRMED)
    second = make_booking(company, status=BookingStatus.CONFIRMED)
    number = make_number("CSQ", 305438)

    def container(booking, live=True):
        return Container(
            booking=booking,
            number=number,
            size_type="22G1",
            seal_no="S1",
            tare_kg=2300,
            vgm_kg=20000,
            vgm_method=VgmMethod.METHOD_1,
            weighed_by="clerk",
            live=live,
        )

    db_session.add(container(first))
    db_session.commit()
    db_session.add(container(second, live=False))  # an old, finished booking may share it
    db_session.commit()
    with pytest.raises(IntegrityError):
        db_session.add(container(second))
        db_session.commit()


def test_times_are_stored_in_utc_and_come_back_aware(db_session, make_departure):
    beijing = timezone(timedelta(hours=8))
    departure = make_departure(departs_at=datetime(2026, 12, 1, 10, 0, tzinfo=beijing))
    db_session.expire_all()
    loaded = db_session.get(Departure, departure.id)
    assert loaded.departs_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert loaded.departs_at.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused(db_session, make_departure):
    departure = make_departure()
    departure.departed_at = datetime(2026, 12, 1, 10, 0)  # noqa: DTZ001
    with pytest.raises(StatementError, match="naive"):
        db_session.commit()


def test_a_stale_update_fails_instead_of_overwriting(app, db_session, make_booking, make_company):
    booking = make_booking(make_company())
    # Another request changes the booking meanwhile.
    db_session.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(version=Booking.version + 1, status=BookingStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    booking.cargo_description = "changed on a stale copy"
    with pytest.raises(StaleDataError):
        db_session.commit()


def test_station_codes_are_unique(db_session, seeded):
    hub = db_session.scalar(select(Station).where(Station.code == "HK"))
    _refused(db_session, update(Station).where(Station.code == "HB").values(code=hub.code))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db_session):
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db_session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db_session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    assert db_session.execute(text("PRAGMA foreign_keys")).scalar() == 1
