"""Weekly schedules through the API: POST /api/v1/departures/series."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dryport.models import Departure, Role
from dryport.services.clock import local_today

PROBLEM = "application/problem+json"
def next_year():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today().year + 1
PATH = "/api/v1/departures/series"


@pytest.fixture
def operator(make_user, api_token):
    return api_token(make_user(Role.OPERATOR).email)


def body(**overrides) -> dict:
    data = {
        "route": "XAEU",
        "service_no": "X8157",
        "weekday": 4,
        "time": "21:30",
        "cutoff_hours": 48,
        "capacity_teu": 82,
        "from": f"{next_year()}-01-25",
        "to": f"{next_year()}-02-28",
    }
    return {**data, **overrides}


def _count(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Departure))


def _thursdays(start: date, end: date) -> list[str]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day.isoformat() for day in days if day.isoweekday() == 4]


def test_a_schedule_plans_its_departures(client, db_session, operator):
    response = client.post(PATH, json=body(capacity_kg=1_500_000), headers=operator)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["skipped"] == []
    thursdays = _thursdays(date(next_year(), 1, 25), date(next_year(), 2, 28))
    assert [d["departs_at"][:10] for d in answer["created"]] == thursdays
    first = answer["created"][0]
    assert first["departs_at"].endswith("T21:30:00+08:00")
    assert (
        first["cutoff_at"][:10]
        == (date.fromisoformat(thursdays[0]) - timedelta(days=2)).isoformat()
    )
    assert {d["service_no"] for d in answer["created"]} == {"X8157"}
    assert {
        (d["route"], d["capacity_teu"], d["capacity_kg"], d["status"]) for d in answer["created"]
    } == {("XAEU", 82, 1_500_000, "SCHEDULED")}
    assert _count(db_session) == len(thursdays)


def test_sent_twice_it_plans_nothing_new(client, db_session, operator):
    first = client.post(PATH, json=body(), headers=operator).get_json()
    again = client.post(PATH, json=body(), headers=operator)
    assert again.status_code == 201
    assert again.get_json()["created"] == []
    assert [d["id"] for d in again.get_json()["skipped"]] == [d["id"] for d in first["created"]]
    assert _count(db_session) == len(first["created"])


def test_a_departure_of_a_schedule_is_replanned_and_cancelled_alone(client, db_session, operator):
    created = client.post(PATH, json=body(), headers=operator).get_json()["created"]
    one, two = created[0], created[1]
    changed = client.patch(
        f"/api/v1/departures/{one['id']}",
        json={"version": one["version"], "capacity_teu": 50},
        headers=operator,
    )
    assert changed.status_code == 200, changed.get_json()
    cancelled = client.post(f"/api/v1/departures/{two['id']}/cancel", headers=operator)
    assert cancelled.status_code == 200, cancelled.get_json()
    listed = {
        d["id"]: d
        for d in client.get(
            f"/api/v1/departures?route=XAEU&from={next_year()}-01-01&to={next_year()}-03-31",
            headers=operator,
        ).get_json()
    }
    assert listed[one["id"]]["capacity_teu"] == 50
    assert listed[two["id"]]["status"] == "CANCELLED"
    rest = [listed[d["id"]] for d in created[2:]]
    assert {(d["capacity_teu"], d["status"]) for d in rest} == {(82, "SCHEDULED")}
    again = client.post(PATH, json=body(), headers=operator).get_json()
    assert again["created"] == [] and two["id"] in [d["id"] for d in again["skipped"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"weekday": 0}, "weekday"),
        ({"weekday": 8}, "weekday"),
        ({"weekday": "4"}, "weekday"),
        ({"time": "9:30"}, "time"),
        ({"time": "24:00"}, "time"),
        ({"time": "21:30:00"}, "time"),
        ({"cutoff_hours": 0}, "cutoff_hours"),
        ({"cutoff_hours": 169}, "cutoff_hours"),
        ({"capacity_teu": 0}, "capacity_teu"),
        ({"capacity_kg": 10}, "capacity_kg"),
        ({"service_no": ""}, "service_no"),
        ({"from": "2027/01/25"}, "from"),
        ({"to": f"{next_year()}-02-30"}, "to"),
        ({"to": f"{next_year()}-01-24"}, "to"),
        ({"to": f"{next_year() + 1}-01-26"}, "to"),
        ({"route": "NOPE"}, "route"),
        ({"from": f"{next_year()}-01-25", "to": f"{next_year()}-01-26", "weekday": 7}, "weekday"),
        (
            {
                "from": (local_today() - timedelta(days=10)).isoformat(),
                "to": (local_today() + timedelta(days=10)).isoformat(),
            },
            "from",
        ),
    ],
)
def test_refused_per_field_and_nothing_written(client, db_session, operator, overrides, field):
    response = client.post(PATH, json=body(**overrides), headers=operator)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]
    assert _count(db_session) == 0


def test_a_missing_field_is_named(client, operator):
    data = body()
    del data["weekday"], data["from"]
    errors = client.post(PATH, json=data, headers=operator).get_json()["errors"]
    assert {"weekday", "from"} <= errors.keys()


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.CLERK])
def test_only_staff_plan_schedules(client, db_session, make_user, api_token, role):
    headers = api_token(make_user(role).email)
    response = client.post(PATH, json=body(), headers=headers)
    assert response.status_code == 403
    assert _count(db_session) == 0


def test_signed_out_is_401(client):
    assert client.post(PATH, json=body()).status_code == 401


def test_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/departures/series"]["post"]
    assert {"201", "403", "422"} <= operation["responses"].keys()
