from datetime import UTC, datetime, timedelta

from dryport.models import Role
from dryport.services.clock import utcnow


def test_the_board_shows_times_in_beijing_and_free_teu(
    client, auth, make_user, make_departure, make_booking
):
    departs = datetime(utcnow().year + 1, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
    departure = make_departure("XAEU", departs_at=departs, capacity=82, service_no="X8157")
    shipper = make_user(Role.SHIPPER)
    make_booking(shipper.company, departure=departure, lines=(("45G1", 3),))
    auth.login(shipper.email)
    page = client.get("/departures").get_data(as_text=True)
    assert "安西欧班列" in page and "X8157" in page
    assert f"{departs.year}-03-02 10:00" in page  # departure
    assert f"{departs.year}-03-01 10:00" in page  # cut-off, 24 h before
    row = page[page.index("X8157") :]
    row = row[: row.index("</tr>")]
    assert ">82<" in row and ">6<" in row and ">76<" in row


def test_the_board_filters_by_route_and_hides_the_past(client, auth, make_user, make_departure):
    make_departure("EAST", service_no="EAST-NEXT")
    make_departure("WHSEA", service_no="WHSEA-NEXT")
    make_departure("EAST", departs_at=utcnow() - timedelta(days=3), service_no="EAST-PAST")
    auth.login(make_user(Role.OPERATOR).email)
    page = client.get("/departures?route=EAST").get_data(as_text=True)
    assert "EAST-NEXT" in page
    assert "WHSEA-NEXT" not in page and "EAST-PAST" not in page


def test_the_board_pages(client, auth, make_user, make_departure):
    for day in range(1, 31):
        make_departure("EAST", days=day, service_no=f"S{day:02d}")
    auth.login(make_user(Role.OPERATOR).email)
    first = client.get("/departures").get_data(as_text=True)
    second = client.get("/departures?page=2").get_data(as_text=True)
    assert "S01" in first and "S30" not in first
    assert "S30" in second and "S01" not in second
