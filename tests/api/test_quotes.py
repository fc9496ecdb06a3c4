"""Quotes and the charges a booking carries: the price locked on the day it was booked,
re-priced on amendment at that day's tariffs, never touched by a later tariff."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from dryport.models import Booking, BookingEvent, DepartureStatus, Station
from dryport.services.clock import local_today
from dryport.services.departures import station_cutoff
from tests.conftest import booking_body

PROBLEM = "application/problem+json"


def _quote(client, shipper, departure, **overrides):
    body = {
        "departure_id": departure.id,
        "origin_station": "HB",
        "containers": [{"size_type": "22G1", "quantity": 2}],
        **overrides,
    }
    return client.post("/api/v1/quotes", json=body, headers=shipper.headers)


def test_a_quote_lists_its_lines_in_decimal_strings(
    client, db_session, shipper, make_tariff, make_departure
):
    make_tariff("EAST", "20", "0.10", dg="0.20")
    departure = make_departure("EAST")
    response = _quote(client, shipper, departure, cargo={"dangerous_goods": True},
                      destination="cnngb")  # fmt: skip
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["currency"] == "CNY" and body["total"] == "0.60"
    assert body["destination"] == "CNNGB" and body["departure_id"] == departure.id
    assert [(line["code"], line["quantity"], line["unit_amount"], line["amount"])
            for line in body["lines"]] == [
        ("FREIGHT", 2, "0.10", "0.20"),
        ("DG_SURCHARGE", 2, "0.20", "0.40"),
    ]  # fmt: skip
    assert body["priced_on"] == local_today().isoformat()
    assert datetime.fromisoformat(body["valid_until"]) == station_cutoff(
        departure, db_session.scalar(select(Station).where(Station.code == "HB"))
    )


def test_a_quote_writes_nothing(client, db_session, shipper, make_tariff, make_departure):
    make_tariff("EAST", "20", "4800.00")
    departure = make_departure("EAST")
    assert _quote(client, shipper, departure).status_code == 200
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 0
    assert db_session.scalar(select(func.count()).select_from(BookingEvent)) == 0


def test_quotes_that_cannot_be_given(client, db_session, shipper, make_tariff, make_departure):
    make_tariff("EAST", "20", "4800.00")
    departure = make_departure("EAST")

    unpriced = _quote(client, shipper, departure,
                      containers=[{"size_type": "42G1", "quantity": 1}])  # fmt: skip
    assert unpriced.status_code == 409 and unpriced.mimetype == PROBLEM
    assert "40" in unpriced.get_json()["detail"]

    left = make_departure("EAST", status=DepartureStatus.DEPARTED)
    assert _quote(client, shipper, left).status_code == 409

    late = make_departure("EAST", days=1, cutoff_hours=23)
    assert _quote(client, shipper, late).status_code == 409  # past Hanbin's cut-off

    for overrides, field in (
        ({"origin_station": "XX"}, "origin_station"),
        ({"departure_id": 999_999}, "departure_id"),
        ({"destination": "DEDUI"}, "destination"),  # not on the eastbound route
        ({"containers": [{"size_type": "22G1", "quantity": 0}]}, "containers"),
        ({"containers": []}, "containers"),
        ({"cargo": {"gross_weight_kg": "lots"}}, "cargo"),
        ({"cargo": {"gross_weight_kg": -1}}, "cargo"),
        ({"cargo": {"dangerous_goods": "maybe"}}, "cargo"),
    ):
        response = _quote(client, shipper, departure, **overrides)
        assert response.status_code == 422, (overrides, response.get_json())
        assert any(key.startswith(field) for key in response.get_json()["errors"]), (
            response.get_json()
        )


def test_a_quote_needs_a_token(client, make_departure):
    response = client.post("/api/v1/quotes", json={"departure_id": make_departure().id})
    assert response.status_code == 401


def _book(client, shipper, departure, **overrides):
    response = client.post(
        "/api/v1/bookings", json=booking_body(departure.id, **overrides), headers=shipper.headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_booking_carries_the_charges_it_was_quoted(client, shipper, make_tariff, make_departure):
    make_tariff("EAST", "20", "4800.00")
    departure = make_departure("EAST")
    quoted = _quote(client, shipper, departure).get_json()
    booking = _book(client, shipper, departure)
    assert booking["charges"] == {
        "currency": quoted["currency"],
        "lines": quoted["lines"],
        "total": quoted["total"],
    }
    assert booking["charges"]["total"] == "9600.00" and booking["payment_term"] == "PRE"
    collect = _book(client, shipper, departure, payment_term="COL")
    assert collect["payment_term"] == "COL"


def test_a_booking_no_tariff_prices_is_placed_on_request(client, shipper, make_departure):
    booking = _book(client, shipper, make_departure("EAST"))
    assert booking["charges"] is None


def test_a_later_tariff_never_touches_a_booking(
    client, db_session, shipper, make_tariff, make_departure
):
    tariff = make_tariff("EAST", "20", "4800.00")
    departure = make_departure("EAST")
    booking = _book(client, shipper, departure)
    reference = booking["reference"]

    # The price list changes: the old one closes today, a dearer one starts tomorrow.
    tariff.valid_to = local_today()
    make_tariff("EAST", "20", "6000.00", valid_from=local_today() + timedelta(days=1))
    db_session.commit()
    shown = client.get(f"/api/v1/bookings/{reference}", headers=shipper.headers).get_json()
    assert shown["charges"] == booking["charges"]
    assert db_session.scalar(select(Booking.charges_total)) == Decimal("9600.00")


def test_an_amendment_of_the_shipment_reprices_at_todays_tariffs_and_others_keep_the_price(
    client, db_session, shipper, make_tariff, make_departure
):
    today = local_today()
    old = make_tariff("EAST", "20", "4000.00", valid_from=today - timedelta(days=60),
                      valid_to=today - timedelta(days=5))  # fmt: skip
    make_tariff("EAST", "20", "5000.00", valid_from=today - timedelta(days=4))
    departure = make_departure("EAST")
    booking = _book(client, shipper, departure)
    assert booking["charges"]["total"] == "10000.00"  # booked today: today's tariff
    # As if booked ten days ago, under the old price list:
    db_session.execute(
        Booking.__table__.update().values(
            priced_on=today - timedelta(days=10),
            charges={**booking["charges"], "total": "8000.00", "lines": [
                {**booking["charges"]["lines"][0], "unit_amount": "4000.00", "amount": "8000.00",
                 "tariff_id": old.id}]},
            charges_total=Decimal("8000.00"),
        )
    )  # fmt: skip
    db_session.commit()
    reference = booking["reference"]

    def amend(version, **changes):
        response = client.patch(f"/api/v1/bookings/{reference}", json={"version": version,
                                **changes}, headers=shipper.headers)  # fmt: skip
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    # A new consignee changes nothing the price rests on: the old price holds.
    kept = amend(booking["version"], consignee={"name": "Ningbo Port Co.", "address": "Beilun"})
    assert kept["charges"]["total"] == "8000.00"
    assert db_session.scalar(select(Booking.priced_on)) == today - timedelta(days=10)

    # A third box is a new shipment to price: at today's tariffs, for all three.
    grown = amend(kept["version"], containers=[{"size_type": "22G1", "quantity": 3}])
    assert grown["charges"]["total"] == "15000.00"
    assert db_session.scalar(select(Booking.priced_on)) == today
    events = client.get(f"/api/v1/bookings/{reference}/events", headers=shipper.headers)
    assert events.get_json()[-1]["details"]["changes"]["charges"] == [
        "8000.00 CNY", "15000.00 CNY",
    ]  # fmt: skip


def test_an_amendment_of_the_cargo_reprices_its_surcharges(
    client, shipper, make_tariff, make_departure
):
    make_tariff("EAST", "20", "4800.00", dg="1500.00")
    departure = make_departure("EAST")
    booking = _book(client, shipper, departure)
    paint = {
        "un_number": "UN1263", "class": "3", "packing_group": "III",
        "proper_shipping_name": "PAINT", "emergency_contact": "+86 915 321 0000",
    }  # fmt: skip
    body = booking_body(departure.id)["cargo"] | {"dangerous_goods": paint}
    response = client.patch(
        f"/api/v1/bookings/{booking['reference']}",
        json={"version": booking["version"], "cargo": body},
        headers=shipper.headers,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["charges"]["total"] == "12600.00"


def test_the_dearest_booking_the_tariffs_allow_is_stored_whole(
    client, db_session, shipper, make_tariff, make_departure
):
    """100 boxes at the highest amount a tariff takes, with its surcharge: a total of 2 × 10¹³,
    which the booking's total column holds (on PostgreSQL a narrower one would refuse it)."""
    make_tariff("EAST", "20", "100000000000.00", dg="100000000000.00")
    departure = make_departure("EAST", capacity=200)
    paint = {
        "un_number": "UN1263", "class": "3", "packing_group": "III",
        "proper_shipping_name": "PAINT", "emergency_contact": "+86 915 321 0000",
    }  # fmt: skip
    booking = _book(
        client, shipper, departure, containers=[{"size_type": "22G1", "quantity": 100}],
        cargo=booking_body(departure.id)["cargo"] | {"dangerous_goods": paint},
    )  # fmt: skip
    assert booking["charges"]["total"] == "20000000000000.00"
    assert db_session.scalar(select(Booking.charges_total)) == Decimal("20000000000000.00")
