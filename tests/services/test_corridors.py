"""The corridor comparison: each route's first departure that takes a shipment from its
station (cut-off, free TEU, weight, the 60-day window, the destination), its transit days,
price and CO2e, and the ranking."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dryport.extensions import db
from dryport.models import DepartureStatus, Route, Tariff
from dryport.services import corridors
from dryport.services.clock import local_today, utcnow
from dryport.services.errors import Invalid


def by_route(entries) -> dict:
    return {entry.route.code: entry for entry in entries}


def compare(origin="HK", size_type="22G1", quantity=1, **kw):
    return by_route(corridors.compare(db.session, origin, size_type, quantity, **kw))


@pytest.fixture
def tariff(db_session, seeded):
    def make(route, group="20", amount="1000.00", currency="CNY", leg_seq=None):
        db_session.add(
            Tariff(
                route=db_session.scalar(select(Route).where(Route.code == route)),
                leg_seq=leg_seq, size_group=group, currency=currency, amount=Decimal(amount),
                valid_from=local_today() - timedelta(days=1),
            )
        )  # fmt: skip
        db_session.commit()

    return make


# ---- which departure --------------------------------------------------------------------


def test_a_substations_earlier_cutoff_skips_a_departure_the_hub_can_still_take(make_departure):
    now = utcnow()
    # Hub cut-off in 2 hours: Zhenping trucks 4 hours to the hub, so its cut-off has passed.
    soon = make_departure("EAST", departs_at=now + timedelta(days=1),
                          cutoff_hours=22, service_no="E1")  # fmt: skip
    later = make_departure("EAST", days=5, service_no="E2")
    assert compare("HK", now=now)["EAST"].departure.id == soon.id
    assert compare("HB", now=now)["EAST"].departure.id == soon.id  # 1 hour: still open
    zhenping = compare("ZP", now=now)["EAST"]
    assert zhenping.departure.id == later.id
    assert zhenping.station_cutoff == later.cutoff_at - timedelta(hours=4)


def test_a_departure_without_the_free_teu_is_skipped(make_departure, make_booking, make_company):
    full = make_departure("EAST", days=3, capacity=4)
    make_booking(make_company(), departure=full, lines=(("22G1", 1),))  # 3 TEU left
    roomy = make_departure("EAST", days=6, capacity=50)
    assert compare(quantity=3)["EAST"].departure.id == full.id
    chosen = compare("HK", "42G1", 2)["EAST"]  # 4 TEU
    assert chosen.departure.id == roomy.id
    assert chosen.available_teu == 50


def test_a_weight_limit_counts_only_when_the_mass_is_given(make_departure):
    light = make_departure("EAST", days=3, capacity_kg=10_000)
    heavy = make_departure("EAST", days=6)
    assert compare()["EAST"].departure.id == light.id
    assert compare(gross_weight_kg=Decimal(12_000))["EAST"].departure.id == heavy.id


def test_none_fits_gives_no_departure_and_says_why(make_departure):
    make_departure("EAST", days=3, capacity=1)
    make_departure("EAST", days=4, status=DepartureStatus.CANCELLED)
    entry = compare("HK", "42G1", 1)["EAST"]
    assert entry.departure is None
    assert str(entry.reason) == "No departure that takes this shipment in the next 60 days."
    assert (entry.transit_days, entry.co2e_kg, entry.quote) == (None, None, None)


def test_only_departures_within_60_days_of_the_earliest_day_count(make_departure):
    beyond = make_departure("EAST", days=61)
    assert compare()["EAST"].departure is None
    inside = make_departure("EAST", days=59)
    assert compare()["EAST"].departure.id == inside.id
    # From a later day on, a departure before it does not count.
    later = compare(earliest=local_today() + timedelta(days=60))
    assert later["EAST"].departure.id == beyond.id


def test_a_route_that_does_not_serve_the_destination_has_no_departure(make_departure):
    for route in ("EAST", "XAEU", "WHSEA"):
        make_departure(route, days=5)
    entries = compare(destination="KZALA")
    assert entries["XAEU"].departure is not None
    for code in ("EAST", "WHSEA"):
        assert entries[code].departure is None
        assert str(entries[code].reason) == "This route does not go to KZALA."


def test_unknown_inputs_are_refused_by_field(seeded):
    with pytest.raises(Invalid) as refused:
        compare("XX", "99Z9", 0, destination="ZZZZZ")
    assert set(refused.value.errors) == {"origin_station", "size_type", "quantity", "destination"}
    with pytest.raises(Invalid) as refused:
        compare(quantity=1, gross_weight_kg=Decimal(40_000))
    assert set(refused.value.errors) == {"gross_weight_kg"}


# ---- transit days -----------------------------------------------------------------------


def test_transit_days_count_from_the_station_to_the_destination(make_departure):
    now = utcnow()
    east = make_departure("EAST", days=5)
    xaeu = make_departure("XAEU", days=5)
    whsea = make_departure("WHSEA", days=5)
    # EAST: 216 hours of rail, plus Zhenping's 4 hours to the hub: 220 h.
    entry = compare("ZP", now=now)["EAST"]
    assert entry.transit_days == Decimal("9.2")
    assert entry.arrives_at == east.departs_at + timedelta(hours=216)
    assert compare("HK", now=now)["EAST"].transit_days == Decimal("9.0")
    # XAEU to Almaty: the 10-hour feeder train, then 144 hours instead of Duisburg's 384.
    almaty = compare("HK", destination="KZALA", now=now)["XAEU"]
    assert almaty.transit_days == Decimal("6.4")  # 154 h
    assert almaty.arrives_at == xaeu.departs_at + timedelta(hours=144)
    # WHSEA from Hanbin to Rotterdam: its own 4-hour road leg, 96 + 96 h, 696 h at sea.
    rotterdam = compare("HB", destination="NLRTM", now=now)["WHSEA"]
    assert rotterdam.transit_days == Decimal("37.2")  # 892 h
    assert rotterdam.arrives_at == whsea.departs_at + timedelta(hours=96 + 96 + 696)
    # Without a port of discharge the sea leg's time is unknown.
    assert compare("HB", now=now)["WHSEA"].transit_days is None


# ---- CO2e -------------------------------------------------------------------------------


def test_co2e_matches_a_hand_computation(make_departure):
    make_departure("XAEU", days=5)
    make_departure("WHSEA", days=5)
    # XAEU from Zhenping to Duisburg, 20 t: a road feeder of 185 km at 62 g/t-km, 280 km and
    # 9,908 km of rail at 22 g/t-km.
    xaeu = compare("ZP", quantity=2, gross_weight_kg=Decimal(20_000), destination="DEDUI")
    grams = 185 * 20 * 62 + 280 * 20 * 22 + 9_908 * 20 * 22
    assert grams == 4_712_120
    assert xaeu["XAEU"].co2e_kg == Decimal("4712.12")
    assert (xaeu["XAEU"].cargo_tonnes, xaeu["XAEU"].cargo_tonnes_assumed) == (20, False)
    # WHSEA from Hanbin to Rotterdam, 10 t assumed for one TEU: its road leg over Hanbin's
    # 30 km, 600 km of rail, 1,125 km of barge at 31, 19,600 km at sea at 8.
    whsea = compare("HB", destination="NLRTM")["WHSEA"]
    assert whsea.cargo_tonnes_assumed
    assert whsea.co2e_kg == Decimal(30 * 10 * 62 + 600 * 10 * 22 + 1_125 * 10 * 31
                                    + 19_600 * 10 * 8) / 1000  # fmt: skip
    # From the hub, no road at all.
    assert compare("HK", destination="NLRTM")["WHSEA"].co2e_kg == Decimal(
        600 * 10 * 22 + 1_125 * 10 * 31 + 19_600 * 10 * 8) / 1000  # fmt: skip


def test_co2e_is_linear_in_the_cargo_mass(make_departure):
    for route in ("EAST", "XAEU"):
        make_departure(route, days=5)
    single = compare("SQ", quantity=2, gross_weight_kg=Decimal("8750.5"))
    double = compare("SQ", quantity=2, gross_weight_kg=Decimal("17501.0"))
    for route in ("EAST", "XAEU"):
        assert single[route].co2e_kg > 0
        assert double[route].co2e_kg == 2 * single[route].co2e_kg


def test_an_unknown_distance_leaves_the_co2e_unknown(make_departure):
    make_departure("WHSEA", days=5)
    assert compare("HB")["WHSEA"].co2e_kg is None  # the sea leg's port is not chosen


def test_the_ports_intensities_override_the_defaults(app, make_departure, monkeypatch):
    make_departure("EAST", days=5)
    monkeypatch.setitem(app.config, "CO2E_G_PER_TKM", {"RAIL": "20.5"})
    assert compare("HK")["EAST"].co2e_kg == Decimal(1_900 * 10) * Decimal("20.5") / 1000


def test_the_setting_reads_modes_and_numbers_and_refuses_anything_else():
    from config import _intensities

    assert _intensities("") == {}
    assert _intensities("rail=20.5, SEA=8") == {"RAIL": Decimal("20.5"), "SEA": Decimal(8)}
    for bad in ("AIR=600", "RAIL", "RAIL=x", "RAIL=-1", "RAIL=NaN"):
        with pytest.raises(ValueError):
            _intensities(bad)


# ---- price and ranking --------------------------------------------------------------------


def test_the_price_is_todays_tariff_or_none(make_departure, tariff):
    for route in ("EAST", "XAEU"):
        make_departure(route, days=5)
    tariff("EAST", amount="4800.00")
    entries = compare(quantity=2)
    assert (entries["EAST"].quote.currency, entries["EAST"].quote.total) == (
        "CNY", Decimal("9600.00"))  # fmt: skip
    assert entries["XAEU"].quote is None
    assert "No tariff prices 20 ft containers on XAEU" in str(entries["XAEU"].unpriced)


def test_ranking_by_time_price_and_co2e(make_departure, tariff):
    make_departure("EAST", days=9)
    make_departure("XAEU", days=2)
    make_departure("WHSEA", days=4)
    tariff("EAST", amount="900.00", currency="CNY")
    tariff("XAEU", amount="3000.00", currency="USD")
    tariff("WHSEA", amount="1650.00", currency="USD")

    def order(sort, destination=None):
        entries = corridors.compare(db.session, "HK", "22G1", 1, destination=destination,
                                    sort=sort)  # fmt: skip
        return [entry.route.code for entry in entries]

    # Without a port of discharge WHSEA's arrival is unknown: after those known.
    assert order("time") == ["EAST", "XAEU", "WHSEA"]  # 9 + 9 days, 2 + 16.4 days
    # The currency most are priced in first, cheapest first; then the others.
    assert order("price") == ["WHSEA", "XAEU", "EAST"]
    assert order("co2e") == ["EAST", "XAEU", "WHSEA"]  # WHSEA unknown without a port
    # To Hamburg: the sea route emits less than the train (20,200 km at 8 g against 9,980 km
    # at 22); EAST does not go there, so it comes last whatever the order.
    assert order("co2e", destination="DEHAM") == ["WHSEA", "XAEU", "EAST"]
    assert order("time", destination="DEHAM") == ["XAEU", "WHSEA", "EAST"]


def test_best_marks_the_fewest_days_lowest_co2e_and_cheapest_per_currency(make_departure, tariff):
    for route in ("EAST", "XAEU", "WHSEA"):
        make_departure(route, days=5)
    tariff("EAST", amount="900.00", currency="CNY")
    tariff("WHSEA", amount="1650.00", currency="USD")
    entries = corridors.compare(db.session, "HK", "22G1", 1, destination="DEHAM")
    best = corridors.best(entries)
    assert best["price"] == {"USD": Decimal("1650.00")}
    assert best["days"] == by_route(entries)["XAEU"].transit_days
    assert best["co2e"] == by_route(entries)["WHSEA"].co2e_kg
