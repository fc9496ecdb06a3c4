"""Pricing from the tariffs: exact decimal arithmetic, through and per-leg rates, surcharges,
what has no price, and how long a price holds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.models import Station
from dryport.services import pricing
from dryport.services.clock import local_day_end, local_today, utcnow
from dryport.services.departures import station_cutoff


@pytest.fixture
def at(db_session, seeded):
    def get(code: str) -> Station:
        return db_session.scalar(select(Station).where(Station.code == code))

    return get


def _price(db_session, departure, origin, lines, **kw):
    return pricing.price(db_session, departure, origin, lines, **kw)


def test_amounts_add_up_exactly_in_decimal(db_session, make_tariff, make_departure, at):
    make_tariff("EAST", "20", "0.10")
    make_tariff("EAST", "40", "0.20")
    departure = make_departure("EAST")
    quote = _price(db_session, departure, at("HB"), [("22G1", 3), ("42G1", 1)])
    # As binary floats 3 × 0.10 is 0.30000000000000004 and 0.1 + 0.2 is 0.30000000000000004.
    assert quote.total == Decimal("0.50")
    body = quote.as_json()
    assert body["currency"] == "CNY" and body["total"] == "0.50"
    assert [(line["code"], line["quantity"], line["unit_amount"], line["amount"])
            for line in body["lines"]] == [
        ("FREIGHT", 3, "0.10", "0.30"),
        ("FREIGHT", 1, "0.20", "0.20"),
    ]  # fmt: skip
    assert all(isinstance(line["amount"], str) for line in body["lines"])


def test_a_through_rate_prices_the_route_and_legs_sum_otherwise(
    db_session, make_tariff, make_departure, at
):
    make_tariff("XAEU", "40", "260.00", leg_seq=1, currency="USD")
    make_tariff("XAEU", "40", "4850.00", leg_seq=2, currency="USD")
    departure = make_departure("XAEU")
    quote = _price(db_session, departure, at("HB"), [("45G1", 2)])
    assert [(line.leg_seq, line.amount) for line in quote.lines] == [
        (1, Decimal("520.00")),
        (2, Decimal("9700.00")),
    ]
    assert quote.total == Decimal("10220.00") and quote.currency == "USD"
    assert "西安国际港站" in quote.lines[0].description
    assert "Xi'an International Port" in quote.lines[0].description

    make_tariff("EAST", "40", "7600.00")
    through = _price(db_session, make_departure("EAST"), at("HB"), [("42G1", 1)])
    assert [(line.leg_seq, line.amount) for line in through.lines] == [(None, Decimal("7600.00"))]


def test_a_booking_handed_in_at_the_hub_does_not_pay_the_road_feeder(
    db_session, make_tariff, make_departure, at
):
    for seq, amount in ((2, "300.00"), (3, "200.00"), (4, "1000.00")):
        make_tariff("WHSEA", "20", amount, leg_seq=seq, currency="USD")
    departure = make_departure("WHSEA")
    assert _price(db_session, departure, at("HK"), [("22G1", 1)]).total == Decimal("1500.00")
    with pytest.raises(pricing.Unpriced) as refused:
        _price(db_session, departure, at("HB"), [("22G1", 1)])
    assert "WHSEA" in str(refused.value.message) and "1" in str(refused.value.message)

    make_tariff("WHSEA", "20", "80.00", leg_seq=1, currency="USD")
    assert _price(db_session, departure, at("HB"), [("22G1", 1)]).total == Decimal("1580.00")


def test_surcharges_per_container(db_session, make_tariff, make_departure, at):
    make_tariff("EAST", "20", "4800.00", dg="1500.00", overweight="800.00")
    make_tariff("EAST", "REEFER", "9800.00", dg="1500.00", reefer="1200.00")
    departure = make_departure("EAST")
    hb = at("HB")

    plain = _price(db_session, departure, hb, [("22G1", 2)])
    assert [line.code for line in plain.lines] == ["FREIGHT"]

    dangerous = _price(db_session, departure, hb, [("22G1", 2), ("22R1", 1)], dangerous=True)
    assert [(line.code, line.size_group, line.quantity) for line in dangerous.lines] == [
        ("FREIGHT", "20", 2),
        ("DG_SURCHARGE", "20", 2),
        ("FREIGHT", "REEFER", 1),
        ("DG_SURCHARGE", "REEFER", 1),
        ("REEFER_SURCHARGE", "REEFER", 1),
    ]
    assert dangerous.total == Decimal("9600.00") + Decimal("3000.00") + Decimal("12500.00")


def test_overweight_is_the_estimated_gross_above_the_limit(
    db_session, make_tariff, make_departure, at
):
    make_tariff("EAST", "20", "4800.00", overweight="800.00")
    departure = make_departure("EAST")
    hb = at("HB")
    tare = 2_200  # the typical tare of a 22G1; 20 ft boxes pay above 25,000 kg gross
    limit = pricing.OVERWEIGHT_GROSS_KG["2"]
    light = _price(db_session, departure, hb, [("22G1", 2)],
                   gross_weight_kg=Decimal(2 * (limit - tare)))  # fmt: skip
    assert [line.code for line in light.lines] == ["FREIGHT"]
    heavy = _price(db_session, departure, hb, [("22G1", 2)],
                   gross_weight_kg=Decimal(2 * (limit - tare) + 2))  # fmt: skip
    assert [(line.code, line.quantity) for line in heavy.lines] == [
        ("FREIGHT", 2),
        ("OVERWEIGHT_SURCHARGE", 2),
    ]
    assert heavy.total == Decimal("11200.00")


def test_what_no_tariff_prices_is_unpriced(db_session, make_tariff, make_departure, at):
    departure = make_departure("EAST")
    with pytest.raises(pricing.Unpriced):
        _price(db_session, departure, at("HB"), [("22G1", 1)])
    make_tariff("EAST", "20", "4800.00", valid_to=local_today() - timedelta(days=1))
    with pytest.raises(pricing.Unpriced):  # it ended yesterday
        _price(db_session, departure, at("HB"), [("22G1", 1)])
    make_tariff("EAST", "20", "5000.00", valid_from=local_today())
    assert _price(db_session, departure, at("HB"), [("22G1", 1)]).total == Decimal("5000.00")
    with pytest.raises(pricing.Unpriced):  # no 40 ft price
        _price(db_session, departure, at("HB"), [("22G1", 1), ("42G1", 1)])


def test_one_currency_per_quote(db_session, make_tariff, make_departure, at):
    make_tariff("XAEU", "20", "1200.00", leg_seq=1, currency="CNY")
    make_tariff("XAEU", "20", "3200.00", leg_seq=2, currency="USD")
    with pytest.raises(pricing.Unpriced) as refused:
        _price(db_session, make_departure("XAEU"), at("HB"), [("22G1", 1)])
    assert "currency" in str(refused.value.message)


def test_a_price_holds_until_the_cutoff_or_the_end_of_its_tariff(
    db_session, make_tariff, make_departure, at
):
    departure = make_departure("EAST", days=10)
    hb = at("HB")
    make_tariff("EAST", "20", "4800.00")
    quote = _price(db_session, departure, hb, [("22G1", 1)])
    assert quote.valid_until == station_cutoff(departure, hb)

    ends = local_today() + timedelta(days=2)
    make_tariff("EAST", "40", "7600.00", valid_to=ends)
    quote = _price(db_session, departure, hb, [("22G1", 1), ("42G1", 1)])
    assert quote.valid_until == local_day_end(ends)


def test_a_quote_needs_a_departure_still_taking_bookings(
    db_session, make_tariff, make_departure, at
):
    make_tariff("EAST", "20", "4800.00")
    hb = at("HB")
    passed = make_departure("EAST", days=1, cutoff_hours=23)  # HB's cut-off is an hour earlier
    with pytest.raises(pricing.Conflict):
        pricing.quote(db_session, passed, hb, [("22G1", 1)], now=utcnow())
    assert pricing.quote(db_session, passed, at("HK"), [("22G1", 1)]).total == Decimal("4800.00")


def test_size_groups():
    assert [pricing.size_group(code) for code in ("22G1", "22U1", "42G1", "45G1", "L5G1")] == [
        "20", "20", "40", "40", "45",
    ]  # fmt: skip
    assert [pricing.size_group(code) for code in ("22R1", "45R1", "22T1")] == [
        "REEFER", "REEFER", "TANK",
    ]  # fmt: skip
