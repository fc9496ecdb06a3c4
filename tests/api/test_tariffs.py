"""Tariffs through the API: money as exact decimal strings, who may change them, and bad,
overlapping or stale input refused with nothing written."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from dryport.api import _number
from dryport.models import Role, Tariff
from dryport.services.clock import local_today
from tests.conftest import audit_entries, row_count

PROBLEM = "application/problem+json"
def today():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today()


def day(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def body(**overrides) -> dict:
    return {
        "route": "XAEU", "leg_seq": 2, "size_group": "40", "currency": "USD",
        "amount": "4850.00", "dg_surcharge": "450", "reefer_surcharge": "0.10",
        "valid_from": day(10),
    } | overrides  # fmt: skip


@pytest.fixture
def in_force(make_tariff):
    """A through rate of XAEU 40 ft in force since 30 days."""
    return make_tariff("XAEU", "40", "4500.00", currency="USD",
                       valid_from=local_today() - timedelta(days=30))  # fmt: skip


def post(client, who, payload):
    return client.post("/api/v1/tariffs", json=payload, headers=who.headers)


def test_an_operator_adds_a_tariff_with_money_as_exact_strings(client, people):
    answer = post(client, people[Role.OPERATOR], body(amount=4850.1, overweight_surcharge="0.1"))
    assert answer.status_code == 201, answer.get_json()
    tariff = answer.get_json()
    assert tariff["amount"] == "4850.10"
    assert tariff["dg_surcharge"] == "450.00" and tariff["reefer_surcharge"] == "0.10"
    assert tariff["overweight_surcharge"] == "0.10"
    assert (tariff["route"], tariff["leg_seq"], tariff["valid_to"]) == ("XAEU", 2, None)
    assert tariff["in_force"] is False and tariff["version"] == 1
    assert answer.headers["ETag"] == 'W/"1"'
    read = client.get(f"/api/v1/tariffs/{tariff['id']}", headers=people[Role.SHIPPER].headers)
    assert read.get_json() == tariff
    assert '"amount": "4850.10"' in json.dumps(read.get_json())


def test_shippers_and_clerks_read_but_do_not_change(client, people):
    assert post(client, people[Role.ADMIN], body()).status_code == 201
    for role in (Role.SHIPPER, Role.CLERK):
        assert post(client, people[role], body(size_group="20")).status_code == 403
        listed = client.get("/api/v1/tariffs", headers=people[role].headers)
        assert listed.status_code == 200 and len(listed.get_json()) == 1
    assert client.post("/api/v1/tariffs", json=body()).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e12"}, "amount"),
        ({"dg_surcharge": True}, "dg_surcharge"),
        ({"currency": "XXX"}, "currency"),
        ({"size_group": "53"}, "size_group"),
        ({"route": "MARS"}, "route"),
        ({"leg_seq": 7}, "leg_seq"),
        ({"valid_from": "2027-02-30"}, "valid_from"),
        ({"valid_from": day(-1)}, "valid_from"),
        ({"valid_to": day(5)}, "valid_to"),
    ],
)
def test_bad_input_is_a_422_by_field(client, people, db_session, overrides, field):
    answer = post(client, people[Role.OPERATOR], body(**overrides))
    assert answer.status_code == 422, answer.get_json()
    assert answer.content_type == PROBLEM
    assert field in answer.get_json()["errors"]
    assert row_count(db_session, Tariff) == 0 and audit_entries(db_session, "tariff") == []


def test_an_overlap_is_a_422_naming_the_period(client, people, db_session):
    first = post(client, people[Role.OPERATOR], body(valid_to=day(40))).get_json()
    answer = post(client, people[Role.OPERATOR], body(leg_seq=None, valid_from=day(30)))
    assert answer.status_code == 422
    message = answer.get_json()["errors"]["valid_from"][0]
    assert day(10) in message and day(40) in message and str(first["id"]) in message
    mixed = post(client, people[Role.OPERATOR], body(size_group="20", currency="EUR"))
    assert mixed.status_code == 422 and "currency" in mixed.get_json()["errors"]
    assert row_count(db_session, Tariff) == 1


def test_a_future_tariff_is_patched_with_its_version(client, people):
    made = post(client, people[Role.OPERATOR], body()).get_json()
    path = f"/api/v1/tariffs/{made['id']}"
    headers = people[Role.OPERATOR].headers
    changed = client.patch(path, json={"version": 1, "amount": "4900.5"}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["amount"] == "4900.50"
    assert changed.get_json()["version"] == 2
    stale = client.patch(path, json={"amount": "1"}, headers={**headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 409 and stale.content_type == PROBLEM
    unnamed = client.patch(path, json={"amount": "1"}, headers=headers)
    assert unnamed.status_code == 422 and "version" in unnamed.get_json()["errors"]
    assert client.patch("/api/v1/tariffs/999999", json={"version": 1},
                        headers=headers).status_code == 404  # fmt: skip
    assert client.get("/api/v1/tariffs/999999", headers=headers).status_code == 404


def test_a_tariff_in_force_only_closes(client, people, in_force, db_session):
    path = f"/api/v1/tariffs/{in_force.id}"
    headers = {**people[Role.ADMIN].headers, "Accept-Language": "en"}
    assert client.get(path, headers=headers).get_json()["in_force"] is True
    refused = client.patch(path, json={"version": 1, "amount": "1.00"}, headers=headers)
    assert refused.status_code == 409
    assert "add a new tariff" in refused.get_json()["detail"]
    closed = client.patch(path, json={"version": 1, "valid_to": day(3)}, headers=headers)
    assert closed.status_code == 200 and closed.get_json()["valid_to"] == day(3)
    db_session.expire_all()
    assert db_session.get(Tariff, in_force.id).amount == Decimal("4500.00")


def test_a_new_price_replaces_the_old_from_a_day(client, people, in_force, db_session):
    answer = post(client, people[Role.OPERATOR], {
        "replaces": in_force.id, "valid_from": day(14), "amount": "4700.00",
    })  # fmt: skip
    assert answer.status_code == 201, answer.get_json()
    new = answer.get_json()
    assert (new["route"], new["leg_seq"], new["size_group"], new["currency"]) == (
        "XAEU", None, "40", "USD")  # fmt: skip
    old = client.get(f"/api/v1/tariffs/{in_force.id}", headers=people[Role.SHIPPER].headers)
    assert old.get_json()["valid_to"] == day(13)


def test_a_refused_new_price_writes_nothing(client, people, in_force, db_session):
    answer = post(client, people[Role.OPERATOR], {
        "replaces": in_force.id, "valid_from": day(14), "amount": "-4700.00",
    })  # fmt: skip
    assert answer.status_code == 422
    answer = post(client, people[Role.OPERATOR], {
        "replaces": in_force.id, "valid_from": day(14), "amount": "4700", "leg_seq": 1,
    })  # fmt: skip
    assert answer.status_code == 422 and "leg_seq" in answer.get_json()["errors"]
    missing = post(client, people[Role.OPERATOR], {"replaces": 999999, "valid_from": day(3)})
    assert missing.status_code == 404
    db_session.expire_all()
    assert db_session.get(Tariff, in_force.id).valid_to is None
    assert row_count(db_session, Tariff) == 1 and audit_entries(db_session, "tariff") == []


def test_the_list_filters_and_pages(client, people, in_force):
    headers = people[Role.OPERATOR].headers
    assert post(client, people[Role.OPERATOR], body(size_group="20")).status_code == 201
    post(client, people[Role.OPERATOR], body(route="EAST", leg_seq=None, currency="CNY"))

    def listed(query=""):
        answer = client.get(f"/api/v1/tariffs{query}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return answer

    assert len(listed().get_json()) == 3
    assert [t["id"] for t in listed(f"?on={today()}").get_json()] == [in_force.id]
    assert {t["route"] for t in listed("?route=EAST").get_json()} == {"EAST"}
    assert [t["leg_seq"] for t in listed("?route=XAEU&leg_seq=0").get_json()] == [None]
    assert [t["size_group"] for t in listed("?size_group=20").get_json()] == ["20"]
    assert json.loads(listed("?page_size=1").headers["X-Pagination"])["total"] == 3
    assert client.get("/api/v1/tariffs?on=tomorrow", headers=headers).status_code == 422


def test_a_json_number_is_read_exactly_never_as_a_float(client, db_session, people):
    """``4850.100000000000000001`` is 4850.1 as a binary float, which would pass for an
    amount of two places; read exactly, it has more and is refused."""
    text = json.dumps(body(amount="AMOUNT")).replace('"AMOUNT"', "4850.100000000000000001")
    answer = client.post(
        "/api/v1/tariffs", data=text, content_type="application/json",
        headers=people[Role.OPERATOR].headers,
    )  # fmt: skip
    assert answer.status_code == 422, answer.get_json()
    assert "amount" in answer.get_json()["errors"]
    assert row_count(db_session, Tariff) == 0
    exact = json.dumps(body(amount="AMOUNT")).replace('"AMOUNT"', "4850.10")
    created = client.post(
        "/api/v1/tariffs", data=exact, content_type="application/json",
        headers=people[Role.OPERATOR].headers,
    )  # fmt: skip
    assert created.status_code == 201 and created.get_json()["amount"] == "4850.10"


def test_numbers_beyond_any_quantity_are_refused_as_floats_and_fractions_never_cut(
    client, db_session, people, in_force
):
    """``1e600000`` read as a ``Decimal`` would take minutes to turn into an integer: it
    stays an infinite float and is refused at once; a fraction where a whole number belongs
    is refused, not cut (12.9 is not tariff 12)."""
    assert _number("4850.10") == Decimal("4850.10") and isinstance(_number("1e30"), Decimal)
    assert _number("1e600000") == float("inf") and _number("1e-600000") == 0.0
    headers = people[Role.OPERATOR].headers
    for text in ('{"version": 1e600000}', '{"version": 1.5}'):
        answer = client.patch(
            f"/api/v1/tariffs/{in_force.id}", data=text, content_type="application/json",
            headers=headers,
        )  # fmt: skip
        assert answer.status_code == 422 and "version" in answer.get_json()["errors"], text
    cut = json.dumps(body(valid_from=day(5))).replace("}", f', "replaces": {in_force.id}.9}}')
    answer = client.post("/api/v1/tariffs", data=cut, content_type="application/json",
                         headers=headers)  # fmt: skip
    assert answer.status_code == 422 and "replaces" in answer.get_json()["errors"]
    assert row_count(db_session, Tariff) == 1
