"""The web's lists search and sort as the API's do (the same ``q`` and ``sort``): a search
box on each list, column headers that sort and say how (``aria-sort``), and pagers that keep
both."""

import html
import re

import pytest

from dryport.models import Role
from tests.conftest import PASSWORD


def _rows(response) -> list[str]:
    """The first cell of each body row, as text."""
    assert response.status_code == 200, response.data[:500]
    body = response.get_data(as_text=True).split("<tbody>", 1)[-1]
    cells = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>", body, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def _links(response, text: str) -> list[str]:
    page = response.get_data(as_text=True)
    return [html.unescape(h) for h in re.findall(rf'<a href="([^"]+)">[^<]*{text}', page)]


@pytest.fixture
def shipper(make_user, make_company, auth):
    user = make_user(Role.SHIPPER, company=make_company("Ankang Silk Co"))
    auth.login(user.email, PASSWORD)
    return user


def _consignee(db_session, booking, name):
    booking.consignee_name = name
    db_session.commit()
    return booking


def test_the_shippers_list_finds_a_booking_by_consignee(client, db_session, shipper, make_booking):
    wanted = _consignee(db_session, make_booking(shipper.company), "Lodz Terminal")
    _consignee(db_session, make_booking(shipper.company), "Duisburg Intermodal")
    response = client.get("/bookings/?q=LODZ")
    assert _rows(response) == [wanted.reference]
    assert 'value="LODZ"' in response.get_data(as_text=True)


def test_a_search_without_results_says_so(client, shipper, make_booking):
    make_booking(shipper.company)
    page = client.get("/bookings/?q=nowhere")
    assert "没有与“nowhere”相符的订舱。" in page.get_data(as_text=True)


def test_columns_sort_both_ways_and_say_how(client, shipper, make_booking):
    made = sorted(make_booking(shipper.company).reference for _ in range(3))
    up = client.get("/bookings/?sort=reference")
    assert _rows(up) == made
    page = up.get_data(as_text=True)
    assert re.search(r'<th scope="col" aria-sort="ascending"><a class="sort" href="[^"]*'
                     r'sort=-reference', page)  # fmt: skip
    assert 'aria-sort="none"' in page
    down = client.get("/bookings/?sort=-reference")
    assert _rows(down) == made[::-1]
    assert 'aria-sort="descending"' in down.get_data(as_text=True)


def test_the_default_order_shows_on_its_column(client, shipper, make_booking):
    make_booking(shipper.company)
    page = client.get("/bookings/").get_data(as_text=True)
    assert re.search(r'aria-sort="descending"><a class="sort" href="[^"]*sort=created_at', page)


def test_a_bad_sort_key_is_a_422_page_in_the_users_language(client, shipper):
    response = client.get("/bookings/?sort=password", headers={"Accept-Language": "zh"})
    assert response.status_code == 422
    assert "password" in response.get_data(as_text=True)
    assert "排序" in response.get_data(as_text=True)


def test_a_too_long_search_is_a_422_page(client, shipper):
    response = client.get(f"/bookings/?q={'x' * 101}")
    assert response.status_code == 422
    assert "最多 100 个字符" in response.get_data(as_text=True)  # the shipper reads Chinese


def test_the_pager_keeps_the_search_and_the_order(make_app, make_user, make_departure, seeded):
    app = make_app(PAGE_SIZE=2)
    operator = make_user(Role.OPERATOR)
    for n in range(5):
        make_departure("EAST", days=n + 1, service_no=f"X80{n}")
    make_departure("XAEU", days=2, service_no="Y9001")
    client = app.test_client()
    from tests.conftest import Auth

    Auth(client).login(operator.email)
    first = client.get("/operations/?q=x80&sort=-service_no")
    page = first.get_data(as_text=True)
    assert "X804" in page and "X803" in page and "X802" not in page and "Y9001" not in page
    (following,) = _links(first, "›")
    assert "q=x80" in following and "sort=-service_no" in following and "page=2" in following
    second = client.get(following).get_data(as_text=True)
    assert "X802" in second and "X801" in second and "X804" not in second


def test_a_sort_link_keeps_the_search_and_filters_and_starts_at_page_one(
    client, make_user, auth, make_departure
):
    auth.login(make_user(Role.OPERATOR).email)
    make_departure("EAST", service_no="X8001")
    page = client.get("/operations/?q=x8&route=EAST&page=1").get_data(as_text=True)
    link = html.unescape(re.search(r'<a class="sort" href="([^"]*sort=service_no[^"]*)"', page)[1])
    assert "q=x8" in link and "route=EAST" in link and "page=" not in link


def test_the_clerks_queue_finds_a_booking_by_shipper(
    client, make_user, make_company, make_booking, auth
):
    clerk = make_user(Role.CLERK, station="HB")
    wanted = make_booking(make_company("Xunyang Materials"))
    make_booking(make_company("Hanyin Agriculture"))
    auth.login(clerk.email)
    page = client.get("/station/?q=xunyang").get_data(as_text=True)
    assert wanted.reference in page and "Hanyin" not in page


def test_the_departures_board_finds_a_service(client, shipper, make_departure):
    make_departure("EAST", service_no="X8001")
    make_departure("EAST", days=8, service_no="X9002")
    page = client.get("/departures?q=x90").get_data(as_text=True)
    assert "X9002" in page and "X8001" not in page


def test_the_admin_finds_users_by_company_and_sorts_them(client, make_user, make_company, auth):
    admin = make_user(Role.ADMIN)
    silk = make_user(Role.SHIPPER, company=make_company("Ankang Silk Co"))
    make_user(Role.SHIPPER, company=make_company("Hanyin Agriculture"))
    auth.login(admin.email)
    assert _rows(client.get("/admin/users?q=SILK")) == [silk.email]
    emails = _rows(client.get("/admin/users?sort=-email"))
    assert emails == sorted(emails, reverse=True) and len(emails) == 3


def test_the_audit_log_finds_entries_by_who_made_them(client, make_user, auth):
    admin = make_user(Role.ADMIN, name="Audit Reader")
    auth.login(admin.email)
    page = client.get("/admin/audit?q=nobody-at-all")
    assert "没有与“nobody-at-all”相符的记录。" in page.get_data(as_text=True)
    found = client.get("/admin/audit?q=audit reader").get_data(as_text=True)  # its sign-in
    assert "<tbody>" in found and "相符的记录" not in found  # a row, not the empty message
