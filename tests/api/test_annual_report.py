"""The year's report and the annual targets through the API: the figures as the service
counts them, like for like with the days named, null against nothing, who may read and who
may set, and refused input writing nothing."""

import pytest

from dryport.models import AnnualTarget, BookingStatus, Role
from dryport.services.clock import local_today
from tests.conftest import beijing, row_count

PROBLEM = "application/problem+json"
def this_year():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today().year


def _put(client, people, year, body, role=Role.ADMIN, **headers):
    return client.put(f"/api/v1/targets/{year}", json=body,
                      headers=people[role].headers | headers)  # fmt: skip


def test_the_report_counts_what_left_in_the_year(client, people, shipped):
    shipped("EAST", beijing(2025, 3, 2, 10), [
        ("Tea", "HB", (("22G1", 2),), 20000, BookingStatus.DEPARTED),
        ("Tea", "HK", (("42G1", 1),), 20000, BookingStatus.ARRIVED),
    ])  # fmt: skip
    shipped("EAST", beijing(2024, 12, 31, 23, 30), [
        ("Tea", "HB", (("22G1", 1),), 9000, BookingStatus.DEPARTED),
    ])  # fmt: skip
    answer = client.get("/api/v1/reports/annual?year=2025", headers=people[Role.OPERATOR].headers)
    assert answer.status_code == 200
    data = answer.get_json()
    assert (data["year"], data["teu_ytd"], data["units_ytd"]) == (2025, 4.0, 3)
    assert data["same_period_last_year_teu"] == 1.0 and data["growth_pct"] == 300.0
    assert data["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert data["projected_teu"] == 4.0 and data["target_teu"] is None
    assert [m["teu"] for m in data["by_month"]][:3] == [0, 0, 4.0]
    assert {r["route"]: r["teu"] for r in data["by_route"]}["EAST"] == 4.0
    stations = {s["station"]: s for s in data["by_station"]}
    assert stations["HB"]["teu"] == 2.0 and stations["HB"]["target_teu"] is None
    last = client.get("/api/v1/reports/annual?year=2024", headers=people[Role.ADMIN].headers)
    assert last.get_json()["teu_ytd"] == 1.0  # 23:30 Beijing time on 31 December


def test_without_a_year_it_is_this_year_so_far(client, people):
    data = client.get("/api/v1/reports/annual", headers=people[Role.OPERATOR].headers).get_json()
    assert data["year"] == this_year() and data["in_progress"] is True
    assert data["period"]["to"] == local_today().isoformat()


@pytest.mark.parametrize("year", ["1999", "2101", "٢٠٢٥", "twenty", "2025.5"])
def test_a_bad_year_is_a_422(client, people, year):
    answer = client.get(f"/api/v1/reports/annual?year={year}",
                        headers=people[Role.OPERATOR].headers)  # fmt: skip
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert "year" in answer.get_json()["errors"]


@pytest.mark.parametrize("role", [Role.SHIPPER, Role.CLERK])
def test_only_staff_read_the_report_and_the_targets(client, people, role):
    assert client.get("/api/v1/reports/annual", headers=people[role].headers).status_code == 403
    assert client.get("/api/v1/targets/2026", headers=people[role].headers).status_code == 403


def test_an_administrator_sets_a_year_and_the_report_shows_it(client, people):
    body = {"target_teu": 3000, "stations": [{"station": "HB", "target_teu": 900},
                                             {"station": "HK", "target_teu": 1200}]}  # fmt: skip
    answer = _put(client, people, this_year(), body)
    assert answer.status_code == 200
    assert answer.get_json() == {"year": this_year(), "target_teu": 3000, "version": 1,
                                 "stations": [{"station": "HB", "target_teu": 900},
                                              {"station": "HK", "target_teu": 1200}]}  # fmt: skip
    read = client.get(f"/api/v1/targets/{this_year()}", headers=people[Role.OPERATOR].headers)
    assert read.get_json()["target_teu"] == 3000
    report = client.get("/api/v1/reports/annual", headers=people[Role.OPERATOR].headers)
    stations = {s["station"]: s["target_teu"] for s in report.get_json()["by_station"]}
    assert report.get_json()["target_teu"] == 3000 and stations["HK"] == 1200


def test_operators_may_not_set_targets(client, people, db_session):
    answer = _put(client, people, this_year(), {"target_teu": 10}, role=Role.OPERATOR)
    assert answer.status_code == 403 and row_count(db_session, AnnualTarget) == 0


def test_stations_above_the_zone_are_refused_and_nothing_is_written(client, people, db_session):
    body = {"target_teu": 100, "stations": [{"station": "HB", "target_teu": 60},
                                            {"station": "HK", "target_teu": 50}]}  # fmt: skip
    answer = _put(client, people, this_year(), body)
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert "110" in answer.get_json()["errors"]["target_teu"][0]
    assert row_count(db_session, AnnualTarget) == 0


@pytest.mark.parametrize("body", [
    {},
    {"target_teu": -1},
    {"target_teu": 1.5},
    {"target_teu": "１０"},
    {"target_teu": 10, "stations": [{"station": "NOPE", "target_teu": 1}]},
    {"target_teu": 10, "stations": [{"target_teu": 1}]},
    {"target_teu": 10, "stations": "HB"},
    {"target_teu": 10**7},
])  # fmt: skip
def test_bad_targets_are_a_422(client, people, body, db_session):
    answer = _put(client, people, this_year(), body)
    assert answer.status_code == 422 and answer.get_json()["errors"]
    assert row_count(db_session, AnnualTarget) == 0


def test_a_stale_version_is_a_409(client, people):
    _put(client, people, this_year(), {"target_teu": 10})
    assert _put(client, people, this_year(), {"target_teu": 20, "version": 1}).status_code == 200
    answer = _put(client, people, this_year(), {"target_teu": 30, "version": 1})
    assert answer.status_code == 409 and answer.mimetype == PROBLEM


@pytest.mark.parametrize("year", ["1999", "2101", "20x5", "99999999999"])
def test_a_year_outside_the_calendar_is_a_404(client, people, year):
    answer = client.get(f"/api/v1/targets/{year}", headers=people[Role.ADMIN].headers)
    assert answer.status_code == 404
    assert _put(client, people, year, {"target_teu": 1}).status_code == 404


def test_the_targets_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/targets/{year}"])
    assert "get" in paths["/api/v1/reports/annual"]
