"""The corridor comparison page: the form, each route's card with its figures and bars, the
best of each measure marked, and "book this" opening the booking form filled in."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from dryport.models import Role, Route, Tariff
from dryport.services.clock import local_today

QUERY = "/corridors?origin_station=HB&size_type=22G1&quantity=2&destination=DEHAM"


@pytest.fixture
def world(db_session, make_departure):
    departures = {route: make_departure(route, days=d)
                  for route, d in (("EAST", 5), ("XAEU", 3), ("WHSEA", 4))}  # fmt: skip
    for code, amount, currency in (("XAEU", "3200.00", "USD"), ("WHSEA", "1650.00", "USD")):
        db_session.add(
            Tariff(
                route=db_session.scalar(select(Route).where(Route.code == code)),
                leg_seq=None, size_group="20", currency=currency, amount=Decimal(amount),
                valid_from=local_today() - timedelta(days=1),
            )
        )  # fmt: skip
    db_session.commit()
    return departures


@pytest.fixture
def shipper(make_user, auth):
    user = make_user(Role.SHIPPER, locale="en")
    auth.login(user.email)
    return user


def cards(page: str) -> dict:
    found = re.findall(r'<li class="card corridor[^"]*">(.*?)</li>', page, re.S)
    return {re.search(r'<span class="code">(\w+)</span>', c).group(1): c for c in found}


def test_each_route_has_a_card_with_its_figures_and_bars(client, shipper, world):
    response = client.get(QUERY)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = cards(page)
    assert list(found) == ["XAEU", "WHSEA", "EAST"]  # by arrival; EAST does not go there
    xaeu = found["XAEU"]
    assert world["XAEU"].service_no in xaeu
    assert "16.5 days" in xaeu  # 1 h to the hub, 10 h to Xi'an, 384 h to Hamburg's train
    assert "6,400.00 USD" in xaeu and "3,300.00 USD" in found["WHSEA"]
    # bars: each figure against the largest of its column
    assert xaeu.count('width="100.0" height="10" class="fill"') == 2  # most CO2e, dearest
    # WHSEA's 940 hours to Hamburg (39.2 days) the longest: XAEU's 16.5 days are 42.1 % of it
    assert 'width="42.1" height="10" class="fill"' in xaeu
    assert 'width="100.0" height="10" class="fill"' in found["WHSEA"]
    # the best of each measure marked: XAEU the fastest, WHSEA the cheapest and the cleanest
    assert "Fastest" in xaeu and "Fastest" not in found["WHSEA"]
    assert "Cheapest in USD" in found["WHSEA"] and "Lowest" in found["WHSEA"]
    assert "This route does not go to DEHAM." in found["EAST"]
    assert "No cargo mass given: 10 t per TEU assumed." in page
    assert "<script" not in page and "cdn" not in page.lower()  # bars drawn on the server


def test_book_this_opens_the_booking_form_filled_in(client, shipper, world):
    page = client.get(QUERY + "&gross_weight_kg=30000").get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]*/bookings/new[^"]*)"', cards(page)["XAEU"]).group(1))
    form = client.get(link).get_data(as_text=True)
    assert f'value="{world["XAEU"].id}" data-route' in form
    chosen = re.search(rf'<option value="{world["XAEU"].id}"[^>]*>', form).group(0)
    assert "selected" in chosen
    assert re.search(r'<option value="HB"[^>]*selected', form)
    assert re.search(r'<option value="DEHAM"\s+selected', form)
    assert re.search(r'<option value="22G1"[^>]*selected', form)
    assert 'name="containers.0.quantity" type="number"' in form
    assert re.search(r'id="containers.0.quantity"[^>]*value="2"', form)
    assert re.search(r'id="cargo.gross_weight_kg"[^>]*value="30000.0"', form)


def test_bad_input_is_shown_beside_its_field_in_chinese(client, make_user, auth, world):
    auth.login(make_user(Role.SHIPPER, locale="zh").email)
    response = client.get("/corridors?origin_station=QQ&size_type=22G1&quantity=0")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="quantity-error"' in page
    response = client.get("/corridors?origin_station=QQ&size_type=22G1&quantity=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="origin_station-error"' in page and "站点不存在。" in page
    assert "比较线路" in page


def test_staff_compare_without_booking_links(client, make_user, auth, world):
    auth.login(make_user(Role.OPERATOR, locale="en").email)
    page = client.get(QUERY).get_data(as_text=True)
    assert "16.5 days" in page and "Book this" not in page
    assert 'aria-current="page">Compare corridors' in page


def test_the_empty_form_shows_no_results(client, shipper):
    page = client.get("/corridors").get_data(as_text=True)
    assert 'class="corridors"' not in page and 'name="origin_station"' in page
