"""The price on the booking form (live, and after a refused submit), the payer chosen there,
and the charges on the booking page."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from dryport.models import Booking, PaymentTerm, Role, Tariff
from dryport.services.clock import local_today
from tests.conftest import csrf_token
from tests.web.test_booking_pages import _form


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER)
    auth.login(user.email)
    return user


def _quote(client, data, reference=None):
    page = client.get("/bookings/new")
    path = "/bookings/quote" + (f"?reference={reference}" if reference else "")
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def test_the_form_prices_what_is_filled(client, shipper, make_tariff, make_departure):
    make_tariff("XAEU", "20", "180.10", leg_seq=1, currency="USD")
    make_tariff("XAEU", "20", "3200.20", leg_seq=2, currency="USD")
    make_tariff("XAEU", "40", "260.00", leg_seq=1, currency="USD")
    make_tariff("XAEU", "40", "4850.00", leg_seq=2, currency="USD")
    departure = make_departure("XAEU")

    response = _quote(client, _form(departure.id))  # 2 × 22G1 and 1 × 45G1
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 2 × (180.10 + 3,200.20) + 260.00 + 4,850.00 = 11,870.60
    assert "11,870.60 USD" in html
    assert "360.20" in html and "6,400.40" in html
    assert "西安国际港站" in html  # the leg, named in the reader's language
    assert "Beijing" in html or "北京时间" in html

    empty = _quote(client, _form(departure.id, **{"containers.0.quantity": "",
                                                   "containers.1.quantity": ""}))  # fmt: skip
    assert "11,870.60" not in empty.get_data(as_text=True)
    assert "集装箱" in empty.get_data(as_text=True)  # the note says what to fill in


def test_the_form_says_when_no_tariff_prices_it(client, shipper, make_departure):
    departure = make_departure("EAST")
    html = _quote(client, _form(departure.id)).get_data(as_text=True)
    assert "运价" in html and "<table" not in html


def test_the_price_needs_the_form_token_and_a_shipper(
    client, make_user, auth, make_tariff, make_departure
):
    make_tariff("EAST", "20", "4800.00")
    departure = make_departure("EAST")
    operator = make_user(Role.OPERATOR)
    auth.login(operator.email)
    assert _quote(client, _form(departure.id)).status_code == 403
    auth.logout()
    shipper = make_user(Role.SHIPPER)
    auth.login(shipper.email)
    assert client.post("/bookings/quote", data=_form(departure.id)).status_code == 400


def test_a_refused_booking_shows_its_price_and_a_placed_one_keeps_it(
    client, db_session, shipper, make_tariff, make_departure
):
    make_tariff("EAST", "20", "4800.00")
    make_tariff("EAST", "40", "7600.00")
    departure = make_departure("EAST")
    page = client.get("/bookings/new")
    refused = client.post(
        "/bookings/new",
        data={**_form(departure.id, **{"consignee.name": ""}), "payment_term": "COL",
              "csrf_token": csrf_token(page)},
    )  # fmt: skip
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "17,200.00 CNY" in html
    assert 'value="COL" checked' in html

    placed = client.post(
        "/bookings/new",
        data={**_form(departure.id), "payment_term": "COL", "csrf_token": csrf_token(page)},
    )
    assert placed.status_code == 302
    booking = db_session.scalar(select(Booking))
    assert booking.payment_term is PaymentTerm.COL
    assert booking.charges["total"] == "17200.00"
    detail = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "17,200.00 CNY" in detail and "到付" in detail
    assert "9,600.00" in detail  # 2 × 4,800.00


def test_the_amendment_form_shows_the_held_price_until_the_shipment_changes(
    client, db_session, shipper, make_tariff, make_departure
):
    make_tariff("EAST", "20", "4000.00")
    make_tariff("EAST", "40", "7600.00")
    departure = make_departure("EAST")
    page = client.get("/bookings/new")
    client.post("/bookings/new", data={**_form(departure.id), "csrf_token": csrf_token(page)})
    booking = db_session.scalar(select(Booking))
    # The price list changes after the booking: a dearer 20 ft box from today.
    db_session.execute(
        Tariff.__table__.update().where(Tariff.size_group == "20").values(
            valid_from=local_today() - timedelta(days=30),
            valid_to=local_today() - timedelta(days=1),
        )
    )  # fmt: skip
    make_tariff("EAST", "20", "5000.00", valid_from=local_today())

    html = client.get(f"/bookings/{booking.reference}/amend").get_data(as_text=True)
    assert "15,600.00 CNY" in html  # as booked: 2 × 4,000 + 7,600, held
    same = _quote(client, _form(departure.id), reference=booking.reference)
    assert "15,600.00 CNY" in same.get_data(as_text=True)
    grown = _quote(client, _form(departure.id, **{"containers.0.quantity": "3"}),
                   reference=booking.reference).get_data(as_text=True)  # fmt: skip
    assert "22,600.00 CNY" in grown  # 3 × 5,000.00 + 7,600.00: today's tariffs


def test_the_bookings_export_carries_the_charges(
    client, db_session, shipper, make_tariff, make_departure
):
    make_tariff("EAST", "20", "0.10")
    make_tariff("EAST", "40", "0.20")
    departure = make_departure("EAST")
    page = client.get("/bookings/new")
    client.post("/bookings/new", data={**_form(departure.id), "csrf_token": csrf_token(page)})
    text = client.get("/bookings/export.csv").get_data(as_text=True).lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    assert row[header.index("运费合计 charges total")] == "0.40"  # 2 × 0.10 + 0.20
    assert row[header.index("运费币种 charges currency")] == "CNY"
    assert row[header.index("付费方式 payment term")] == "PRE"


def test_the_price_says_what_is_wrong_and_does_without_a_half_typed_weight(
    client, shipper, make_tariff, make_departure
):
    make_tariff("EAST", "20", "4800.00")
    make_tariff("EAST", "40", "7600.00")
    departure = make_departure("EAST")
    typing = _quote(client, _form(departure.id, **{"cargo.gross_weight_kg": "12,0"}))
    assert "17,200.00 CNY" in typing.get_data(as_text=True)  # priced without the weight
    nowhere = _quote(client, _form(departure.id, origin_station="XX")).get_data(as_text=True)
    assert "站点不存在。" in nowhere, nowhere
