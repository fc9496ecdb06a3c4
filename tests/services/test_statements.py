"""Monthly statements: which bookings a month lists (shipped on trains that left in it,
Beijing time), whose company a user may see, and totals summed exactly."""

from datetime import date
from decimal import Decimal

import pytest

from dryport.models import BookingStatus as B
from dryport.models import Role
from dryport.models.booking import PaymentTerm
from dryport.services import statements
from dryport.services.errors import Forbidden, Invalid, NotFound
from dryport.services.statements import monthly_statement
from tests.conftest import beijing
from tests.statements import ship_fixture  # noqa: F401  (the fixture ``ship``)

MARCH = date(2026, 3, 1)


@pytest.fixture
def shipper(make_user):
    return make_user(Role.SHIPPER)


def test_the_month_is_beijings_calendar_month(db_session, shipper, ship):
    company = shipper.company
    first = ship(company, beijing(2026, 3, 1, 0, 0), "1.00")  # 16:00 UTC on 28 February
    last = ship(company, beijing(2026, 3, 31, 23, 30), "2.00")  # 15:30 UTC on 31 March
    ship(company, beijing(2026, 2, 28, 23, 59), "4.00")
    ship(company, beijing(2026, 4, 1, 0, 10), "8.00")  # still 31 March in UTC
    statement = monthly_statement(db_session, shipper, MARCH)
    assert [b.reference for b in statement.bookings] == [first.reference, last.reference]
    assert [(t.currency, t.amount, t.bookings) for t in statement.totals] == [
        ("CNY", Decimal("3.00"), 2)
    ]


def test_only_bookings_that_shipped_are_listed(db_session, shipper, ship, make_departure,
                                               make_booking):  # fmt: skip
    company, left = shipper.company, beijing(2026, 3, 10, 10)
    departed = ship(company, left, "1.00")
    arrived = ship(company, left, "2.00", status=B.ARRIVED)
    for status in (B.RECEIVED, B.CONFIRMED, B.CANCELLED, B.REJECTED):
        ship(company, left, "100.00", status=status)
    # a booking DEPARTED on a train that has not left (as the report, it is not counted)
    make_booking(company, departure=make_departure(departs_at=left, service_no="X1"),
                 status=B.DEPARTED)  # fmt: skip
    statement = monthly_statement(db_session, shipper, MARCH)
    assert {b.reference for b in statement.bookings} == {departed.reference, arrived.reference}
    assert statement.totals[0].amount == Decimal("3.00")


def test_totals_are_exact_decimals(db_session, shipper, ship):
    for amount in ("0.10", "0.10", "0.10"):
        ship(shipper.company, beijing(2026, 3, 10, 10), amount)
    ship(shipper.company, beijing(2026, 3, 11, 10), "0.10", "0.20", currency="USD")
    statement = monthly_statement(db_session, shipper, MARCH)
    assert [(t.currency, t.amount, t.bookings) for t in statement.totals] == [
        ("CNY", Decimal("0.30"), 3),
        ("USD", Decimal("0.30"), 1),
    ]
    assert 0.1 + 0.1 + 0.1 != 0.3  # what floating point would have printed
    assert str(statement.totals[0].amount) == "0.30"


def test_a_booking_not_priced_is_listed_but_not_totalled(db_session, shipper, ship):
    priced = ship(shipper.company, beijing(2026, 3, 10, 10), "10.50")
    unpriced = ship(shipper.company, beijing(2026, 3, 12, 10))
    statement = monthly_statement(db_session, shipper, MARCH)
    by_reference = {b.reference: b for b in statement.bookings}
    assert not by_reference[unpriced.reference].priced
    assert by_reference[unpriced.reference].lines == []
    assert by_reference[priced.reference].total == Decimal("10.50")
    assert statement.unpriced == 1
    assert [(t.amount, t.bookings) for t in statement.totals] == [(Decimal("10.50"), 1)]


def test_a_booking_shows_what_it_shipped(db_session, shipper, ship):
    ship(shipper.company, beijing(2026, 3, 10, 10), "5.00", origin="ZP",
         lines=(("22G1", 2), ("42G1", 1)), payment_term=PaymentTerm.COL)  # fmt: skip
    (entry,) = monthly_statement(db_session, shipper, MARCH).bookings
    assert (entry.route, entry.origin_station, entry.destination) == ("EAST", "ZP", "CNNGB")
    assert entry.containers == "2×22G1 1×42G1" and entry.teu == Decimal(4)
    assert entry.payment_term is PaymentTerm.COL
    assert [(line.code, line.amount) for line in entry.lines] == [("FREIGHT", Decimal("5.00"))]


def test_a_shipper_sees_its_own_company_only(db_session, shipper, make_user, ship):
    other = make_user(Role.SHIPPER)
    ship(other.company, beijing(2026, 3, 10, 10), "7.00")
    own = monthly_statement(db_session, shipper, MARCH, shipper.company.credit_code.lower())
    assert own.company == shipper.company and own.bookings == []
    assert monthly_statement(db_session, shipper, MARCH, "").company == shipper.company
    with pytest.raises(NotFound):
        monthly_statement(db_session, shipper, MARCH, other.company.credit_code)
    with pytest.raises(NotFound):  # a code of no company: the same answer
        monthly_statement(db_session, shipper, MARCH, "91610900MA6999999X")


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_staff_name_the_company(db_session, make_user, ship, role):
    shipper = make_user(Role.SHIPPER)
    ship(shipper.company, beijing(2026, 3, 10, 10), "7.00")
    staff = make_user(role)
    statement = monthly_statement(db_session, staff, MARCH, shipper.company.credit_code)
    assert statement.company == shipper.company and len(statement.bookings) == 1
    with pytest.raises(Invalid) as missing:
        monthly_statement(db_session, staff, MARCH)
    assert "company" in missing.value.errors
    with pytest.raises(NotFound):
        monthly_statement(db_session, staff, MARCH, "91610900MA6999999X")


def test_clerks_see_no_statements(db_session, make_user, shipper):
    clerk = make_user(Role.CLERK)
    with pytest.raises(Forbidden):
        monthly_statement(db_session, clerk, MARCH, shipper.company.credit_code)


def test_operators_choose_among_all_companies(db_session, make_company):
    b, a = make_company("B Trading"), make_company("A Trading")
    assert statements.companies(db_session) == [a, b]
