"""Monthly statements (DESIGN §13): what one company shipped in a month, with the charges of
each booking and the totals, for the API (JSON, CSV, PDF), the page and its downloads.

Shipped in month M is what the monthly report counts (``services.reports``): the company's
bookings in DEPARTED or ARRIVED whose departure actually left (``departed_at``) in M, Asia/
Shanghai calendar. A booking's charges are those it stored when priced
(``services.pricing``); one that no tariff priced (price on request) is listed "not priced"
and left out of the totals, which say how many there are.

Money is summed in Python from the decimal strings of the stored charges, never with SQL
``SUM``: SQLite keeps ``Numeric`` as floating point, where 0.10 + 0.20 is not 0.30.

Who sees which company: a shipper its own (naming another is "not found", which says nothing
of whether it exists); operators and administrators any, named by its unified social credit
code; clerks none.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dryport.models import Booking, Company, Departure, Role, User
from dryport.models.booking import PaymentTerm
from dryport.services import credit_codes
from dryport.services.access import STAFF, require_role
from dryport.services.errors import Invalid, NotFound
from dryport.services.pricing import money
from dryport.services.reports import SHIPPED, departed_in, month_range

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ChargeLine:
    code: str
    description: str
    quantity: int
    unit_amount: Decimal
    amount: Decimal
    size_group: str | None = None
    leg_seq: int | None = None


@dataclass
class StatementBooking:
    reference: str
    route: str
    service_no: str
    departed_at: datetime
    origin_station: str
    destination: str | None
    containers: str  # "2×22G1 1×42G1", as the booking lists them
    teu: Decimal
    payment_term: PaymentTerm
    currency: str | None  # None: not priced (price on request)
    lines: list[ChargeLine] = field(default_factory=list)
    total: Decimal | None = None

    @property
    def priced(self) -> bool:
        return self.currency is not None


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: Decimal
    bookings: int


@dataclass
class Statement:
    company: Company
    month: date
    bookings: list[StatementBooking]
    totals: list[CurrencyTotal]
    unpriced: int


def statement_company(session: Session, user: User, company: str | None) -> Company:
    """The company whose statement ``user`` asks for: a shipper's own (``company``, if given,
    must be its unified social credit code), or for operators and administrators the company
    with that code, which they must name.

    Raises ``Forbidden`` for other roles, ``Invalid`` (field ``company``) when staff name
    none, ``NotFound`` for a code of no company or, for a shipper, of another company."""
    require_role(user, Role.SHIPPER, *STAFF)
    code = credit_codes.compact(company)  # an empty one names none
    if user.role is Role.SHIPPER:
        own = user.company
        if own is None or (code and code != own.credit_code):
            raise NotFound(_l("No such company."))
        return own
    if not code:
        raise Invalid(errors={"company": [str(_l("Name the company by its credit code."))]})
    found = session.scalar(select(Company).where(Company.credit_code == code))
    if found is None:
        raise NotFound(_l("No such company."))
    return found


def monthly_statement(session: Session, user: User, month: date, company: str | None = None):
    """The statement of ``month`` (its first day) for the company ``statement_company`` finds:
    its bookings shipped that month, in the order their trains left, with their charges, and
    the totals per currency. Raises what ``statement_company`` raises."""
    found = statement_company(session, user, company)
    start, end = month_range(month)
    rows = session.scalars(
        select(Booking)
        .join(Booking.departure)
        .where(
            Booking.company_id == found.id,
            Booking.status.in_(SHIPPED),
            *departed_in(start, end),
        )
        .options(
            selectinload(Booking.departure).selectinload(Departure.route),
            selectinload(Booking.origin_station),
            selectinload(Booking.lines),
        )
        .order_by(Departure.departed_at, Booking.reference)
    ).all()
    bookings = [_entry(booking) for booking in rows]
    return Statement(found, month, bookings, totals(bookings), sum(not b.priced for b in bookings))


def totals(bookings: list[StatementBooking]) -> list[CurrencyTotal]:
    """The priced bookings' totals, per currency (in alphabetical order), summed exactly."""
    sums: dict[str, list] = {}
    for booking in bookings:
        if booking.priced:
            entry = sums.setdefault(booking.currency, [ZERO, 0])
            entry[0] += booking.total
            entry[1] += 1
    return [CurrencyTotal(c, money(amount), n) for c, (amount, n) in sorted(sums.items())]


def companies(session: Session) -> list[Company]:
    """The companies an operator may choose from, by name."""
    return list(session.scalars(select(Company).order_by(Company.name, Company.credit_code)))


def _entry(booking: Booking) -> StatementBooking:
    departure = booking.departure
    entry = StatementBooking(
        reference=booking.reference,
        route=departure.route.code,
        service_no=departure.service_no,
        departed_at=departure.departed_at,
        origin_station=booking.origin_station.code,
        destination=booking.destination,
        containers=" ".join(f"{line.quantity}×{line.size_type}" for line in booking.lines),
        teu=booking.teu,
        payment_term=booking.payment_term,
        currency=None,
    )
    charges = booking.charges
    if charges:
        entry.currency = charges["currency"]
        entry.lines = [
            ChargeLine(
                line["code"],
                line.get("description") or "",
                line["quantity"],
                Decimal(line["unit_amount"]),
                Decimal(line["amount"]),
                line.get("size_group"),
                line.get("leg_seq"),
            )
            for line in charges["lines"]
        ]
        entry.total = money(Decimal(charges["total"]))
    return entry
