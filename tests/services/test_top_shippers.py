"""The monthly report's top shippers come from what each departure carried per company,
recorded when it departed (``ShippedVolumeByCompany``): the same figures as the month's
bookings add up to (DEPARTED and ARRIVED bookings of the departures that left in the month,
units from their lines), for departures that have left and, once it leaves, for one that
had not; and the report reads no booking to get them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from dryport.extensions import db
from dryport.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Company,
    Role,
    ShippedVolumeByCompany,
)
from dryport.services import operations, reports, rolls
from dryport.services.clock import LOCAL_TZ, utcnow
from tests.conftest import beijing

B = BookingStatus


def _units():
    return (
        select(func.coalesce(func.sum(BookingLine.quantity), 0))
        .where(BookingLine.booking_id == Booking.id)
        .scalar_subquery()
    )


def _from_the_bookings(session, month) -> list[tuple]:
    """The month's shippers grouped from its bookings, as the report grouped them before
    they were recorded: (name, TEU, units, kg, bookings), most TEU first, then by name."""
    start, end = reports.month_range(month)
    teu = func.sum(Booking.teu)
    rows = session.execute(
        select(Company.name, teu, func.sum(_units()), func.sum(Booking.gross_weight_kg),
               func.count(Booking.id))
        .join(Booking.company)
        .join(Booking.departure)
        .where(*reports.departed_in(start, end), Booking.status.in_(reports.SHIPPED))
        .group_by(Company.id, Company.name)
        .order_by(teu.desc(), Company.name)
    )  # fmt: skip
    return [(name, teu, int(units), kg, n) for name, teu, units, kg, n in rows]


def _top_shippers(session, month) -> tuple[list[tuple], list[str]]:
    """The report's top shippers as ``_from_the_bookings`` gives them, and the SQL it ran."""
    statements = []

    def on_execute(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        report = reports.monthly_report(session, month)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    shippers = [(name, f.teu, f.units, f.gross_kg, f.bookings) for name, f in report.top_shippers]
    assert all(type(units) is int for _, _, units, _, _ in shippers)
    return shippers, statements


READS_BOOKINGS = re.compile(r"\b(FROM|JOIN)\s+(bookings|booking_lines)\b", re.IGNORECASE)


@pytest.fixture
def month_of_trains(db_session, make_user, make_company, make_departure, make_booking):
    """Two EAST trains that have left, with shipped, cancelled, rejected and rolled bookings
    of three companies, and a third train of the same companies not yet gone."""
    operator = make_user(Role.OPERATOR)
    tea, silk, konjac = (make_company(name) for name in ("Tea", "Silk", "Konjac"))
    first, second, later = (make_departure("EAST", days=d) for d in (2, 3, 4))
    confirmed = {"status": B.CONFIRMED}
    make_booking(tea, departure=first, lines=(("22G1", 2), ("42G1", 1)), **confirmed,
                 gross_weight_kg=Decimal("20000.5"))  # fmt: skip
    make_booking(silk, departure=first, lines=(("45G1", 1),), **confirmed)
    make_booking(tea, departure=first, status=B.CANCELLED)
    make_booking(konjac, departure=first, status=B.REJECTED)
    rolled = make_booking(silk, departure=first, lines=(("22G1", 3),), **confirmed)
    rolls.roll_booking(db_session, operator, rolled.reference, second.id)
    make_booking(konjac, departure=second, origin="ZP", **confirmed)
    make_booking(tea, departure=later, lines=(("22G1", 5),), **confirmed)
    left = utcnow() - timedelta(minutes=5)
    for departure in (first, second):
        operations.depart(db_session, operator, departure.id, at=left)
    db_session.commit()
    return {
        "operator": operator,
        "departures": (first, second, later),
        "left": left,
        "month": left.astimezone(LOCAL_TZ).date().replace(day=1),
    }


def _recorded(session, departure_id) -> set[tuple]:
    recorded = ShippedVolumeByCompany
    return set(
        session.execute(
            select(recorded.company_id, recorded.teu, recorded.units, recorded.gross_weight_kg,
                   recorded.bookings)
            .where(recorded.departure_id == departure_id)
        )
    )  # fmt: skip


def _carried(session, departure_id) -> set[tuple]:
    return {
        (company, teu, int(units), kg, n)
        for company, teu, units, kg, n in session.execute(
            select(Booking.company_id, func.sum(Booking.teu), func.sum(_units()),
                   func.sum(Booking.gross_weight_kg), func.count(Booking.id))
            .where(Booking.departure_id == departure_id, Booking.status.in_(reports.SHIPPED))
            .group_by(Booking.company_id)
        )
    }  # fmt: skip


def test_depart_records_what_each_company_shipped(db_session, month_of_trains):
    first, second, later = month_of_trains["departures"]
    assert _recorded(db_session, first.id) == _carried(db_session, first.id)
    assert len(_recorded(db_session, first.id)) == 2  # Tea and Silk; the rolled one left later
    assert _recorded(db_session, second.id) == _carried(db_session, second.id)
    assert len(_recorded(db_session, second.id)) == 2  # Silk's rolled booking and Konjac
    assert _recorded(db_session, later.id) == set()  # nothing until it leaves
    operations.depart(db_session, month_of_trains["operator"], later.id)
    assert _recorded(db_session, later.id) == _carried(db_session, later.id) != set()


def test_top_shippers_are_what_the_departed_bookings_add_up_to(db_session, month_of_trains):
    month = month_of_trains["month"]
    shippers, statements = _top_shippers(db_session, month)
    assert shippers == _from_the_bookings(db_session, month)
    # The train still to leave counts for nobody: Tea's 5 units on it are not here.
    assert [(name, teu, units, n) for name, teu, units, _, n in shippers] == [
        ("Silk", Decimal(5), 4, 2),
        ("Tea", Decimal(4), 3, 1),
        ("Konjac", Decimal(1), 1, 1),
    ]
    assert not [s for s in statements if READS_BOOKINGS.search(s)]

    later = month_of_trains["departures"][2]
    operations.depart(db_session, month_of_trains["operator"], later.id, at=month_of_trains["left"])
    db_session.commit()
    shippers, statements = _top_shippers(db_session, month)
    assert shippers == _from_the_bookings(db_session, month)
    assert shippers[0][:3] == ("Tea", Decimal(9), 8)
    assert not [s for s in statements if READS_BOOKINGS.search(s)]


def test_top_shippers_keep_the_ten_with_most_teu(db_session, shipped):
    """Eleven shippers on two trains of one month: the ten with most TEU over both, in that
    order (the same TEU by name), as the bookings add up."""
    for day, origin in ((3, "HB"), (17, "ZP")):
        shipped("EAST", beijing(2026, 5, day, 9), [
            (f"Shipper {n:02d}", origin, (("22G1", 1 + (n * day) % 4),), 1000 * (n + 1), B.ARRIVED)
            for n in range(11)
        ])  # fmt: skip
    month = beijing(2026, 5, 1, 0).astimezone(LOCAL_TZ).date()
    shippers, statements = _top_shippers(db_session, month)
    assert len(shippers) == 10
    assert shippers == _from_the_bookings(db_session, month)[:10]
    assert not [s for s in statements if READS_BOOKINGS.search(s)]
