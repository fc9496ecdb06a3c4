"""Bookings shipped with charges, for the tests of the monthly statements (services, API, web):
import ``ship_fixture`` into a test module to use the fixture ``ship``."""

from decimal import Decimal

import pytest

from dryport.models import BookingStatus, DepartureStatus
from dryport.services.pricing import money_text


def charges(*amounts: str, currency: str = "CNY") -> dict:
    """A booking's stored charges (``Booking.charges`` and its columns): a freight line per
    amount, as ``services.pricing`` stores them."""
    lines = [
        {"code": "FREIGHT", "description": "运费 Freight · 20英尺 20 ft", "size_group": "20",
         "leg_seq": None, "quantity": 1, "unit_amount": amount, "amount": amount,
         "tariff_id": None}
        for amount in amounts
    ]  # fmt: skip
    total = money_text(sum((Decimal(a) for a in amounts), Decimal(0)))
    return {
        "charges": {"currency": currency, "lines": lines, "total": total},
        "charges_currency": currency,
        "charges_total": Decimal(total),
    }


@pytest.fixture(name="ship")
def ship_fixture(make_departure, make_booking):
    """``ship(company, departed_at, *amounts, currency=, status=)``: a booking of ``company``
    on a train that left at ``departed_at``, priced at ``amounts`` (none: not priced)."""
    departures = {}

    def make(company, departed_at, *amounts, currency="CNY", status=BookingStatus.DEPARTED,
             route="EAST", **kw):  # fmt: skip
        key = (route, departed_at)
        if key not in departures:
            departures[key] = make_departure(
                route, departs_at=departed_at, departed_at=departed_at,
                status=DepartureStatus.DEPARTED,
            )  # fmt: skip
        priced = charges(*amounts, currency=currency) if amounts else {}
        return make_booking(company, departure=departures[key], status=status, **priced, **kw)

    return make
