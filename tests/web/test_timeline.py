"""A booking's whole life on the shipper's timeline: who did what, when, from what to what."""

from dryport.models import Role
from tests.api.test_operations import rows
from tests.conftest import cargo


def test_the_timeline_shows_every_transition(
    client, auth, db_session, make_user, api_token, make_departure
):
    shipper = make_user(Role.SHIPPER, name="李货主")
    clerk = make_user(Role.CLERK, station="HB", name="汉滨业务员")
    operator = make_user(Role.OPERATOR, name="王调度")
    first, second = make_departure("EAST", days=5), make_departure("EAST", days=12)
    s, c, o = api_token(shipper.email), api_token(clerk.email), api_token(operator.email)
    body = {
        "departure_id": first.id,
        "origin_station": "HB",
        "destination": "CNNGB",
        "consignee": {"name": "Ningbo Port", "address": "Beilun"},
        "cargo": cargo(description="Tea", hs_code="090210", gross_weight_kg=9000),
        "containers": [{"size_type": "22G1", "quantity": 1}],
    }
    ref = client.post("/api/v1/bookings", json=body, headers=s).get_json()["reference"]
    client.patch(
        f"/api/v1/bookings/{ref}",
        headers=s,
        json={"version": 1, "consignee": {"name": "Ningbo Port Co.", "address": "Beilun"}},
    )
    client.post(f"/api/v1/bookings/{ref}/roll", json={"departure_id": second.id}, headers=o)
    assert (
        client.post(
            f"/api/v1/bookings/{ref}/confirm",
            headers=c,
            json={"containers": rows("CSQU3054383", gross_kg=9000)},
        ).status_code
        == 200
    )
    assert client.post(f"/api/v1/departures/{second.id}/depart", headers=o).status_code == 200
    assert client.post(f"/api/v1/departures/{second.id}/arrive", headers=o).status_code == 200

    events = client.get(f"/api/v1/bookings/{ref}/events", headers=s).get_json()
    assert [(e["type"], e["actor"]) for e in events] == [
        ("CREATED", "李货主"),
        ("AMENDED", "李货主"),
        ("ROLLED", "王调度"),
        ("CONFIRMED", "汉滨业务员"),
        ("WAYBILL_ISSUED", "汉滨业务员"),
        ("DEPARTED", "王调度"),
        ("ARRIVED", "王调度"),
    ]
    auth.login(shipper.email)
    page = client.get(f"/bookings/{ref}").get_data(as_text=True)
    for text in (
        "订舱已受理",
        "订舱已修改",
        "已改配至其他班列",
        "装箱已确认",
        "已发运",
        "已到达",
        "汉滨业务员",
        "王调度",
        "CSQU3054383",
        "已确认 → 已发运",
        "收货人",
    ):
        assert text in page, text
    assert page.index("订舱已受理") < page.index("已改配至其他班列") < page.index("装箱已确认")
