"""The year's report: its figures against a hand count, like for like at the ends of months
of 28, 29, 30 and 31 days, "n/a" against nothing, the projection, and the targets that
administrators set (a station's together never above the zone's)."""

from datetime import date

import pytest
from sqlalchemy import select

from dryport.models import AuditEntry, BookingStatus, Role
from dryport.report_formats import annual_json
from dryport.services import targets
from dryport.services.annual import DONE, IN_PROGRESS, TO_COME, annual_report
from dryport.services.errors import Conflict, Forbidden, Invalid
from dryport.services.reports import Period
from tests.conftest import beijing

B = BookingStatus


@pytest.fixture
def years(shipped):
    """2028 (a leap year) and 2027, by hand; nothing in 2026.

    2028: Jan 10 EAST HB 2 TEU; Jan 31 23:30 (15:30 UTC) XAEU ZP 2 TEU (a 40 ft) and HK 1;
    Feb 28 EAST HK 1; Feb 29 EAST HB 3; Mar 1 00:10 (still 29 February in UTC) WHSEA HB 2;
    Apr 30 EAST HB 1 → 12 TEU, 11 units. 2027: Jan 15 EAST 2; Feb 28 EAST 4; Mar 1 EAST 1;
    Apr 30 EAST 2; Dec 31 23:30 EAST HK 1 → 10 TEU."""

    def ship(route, at, origin, lines, status=B.DEPARTED):
        shipped(route, at, [("Tea", origin, lines, 10000, status)])

    ship("EAST", beijing(2028, 1, 10, 10), "HB", (("22G1", 2),))
    shipped("XAEU", beijing(2028, 1, 31, 23, 30), [
        ("Tea", "ZP", (("42G1", 1),), 20000, B.ARRIVED),
        ("Silk", "HK", (("22G1", 1),), 9000, B.DEPARTED),
        ("Silk", "HK", (("22G1", 4),), 9000, B.CANCELLED),  # not shipped
    ], capacity=82)  # fmt: skip
    ship("EAST", beijing(2028, 2, 28, 9), "HK", (("22G1", 1),))
    ship("EAST", beijing(2028, 2, 29, 10), "HB", (("22G1", 3),))
    ship("WHSEA", beijing(2028, 3, 1, 0, 10), "HB", (("22G1", 2),))
    ship("EAST", beijing(2028, 4, 30, 12), "HB", (("22G1", 1),))
    ship("EAST", beijing(2027, 1, 15, 10), "HB", (("22G1", 2),))
    ship("EAST", beijing(2027, 2, 28, 10), "HB", (("22G1", 4),))
    ship("EAST", beijing(2027, 3, 1, 10), "HB", (("22G1", 1),))
    ship("EAST", beijing(2027, 4, 30, 10), "HB", (("22G1", 2),))
    ship("EAST", beijing(2027, 12, 31, 23, 30), "HK", (("22G1", 1),))


def _teu(rows) -> list[float]:
    return [float(row.teu) for row in rows]


def test_a_finished_year_against_a_hand_count(db_session, years):
    report = annual_report(db_session, 2028, today=date(2029, 3, 1))
    assert (report.totals.teu, report.totals.units) == (12, 11)
    assert report.totals.last_year_teu == 10 and report.totals.growth.percent == 20.0
    assert _teu(report.by_month) == [5, 4, 2, 1] + [0] * 8
    assert [float(m.last_year_teu) for m in report.by_month] == [2, 4, 1, 2] + [0] * 7 + [1]
    assert {m.state for m in report.by_month} == {DONE}
    stations = {s.code: float(row.teu) for s, row, target in report.by_station}
    assert (stations["HB"], stations["HK"], stations["ZP"], stations["SQ"]) == (8, 2, 2, 0)
    assert {r.code: float(row.teu) for r, row in report.by_route} == {
        "EAST": 7, "XAEU": 3, "WHSEA": 2}  # fmt: skip
    assert report.projected_teu == 12  # a finished year: what it shipped
    assert not report.in_progress and report.last == date(2028, 12, 31)


def test_the_year_so_far_is_compared_with_the_same_days_of_last_year(db_session, years):
    report = annual_report(db_session, 2028, today=date(2028, 2, 28))
    feb = report.by_month[1]
    assert feb.state == IN_PROGRESS
    assert feb.period == Period(date(2028, 2, 1), date(2028, 2, 28))
    assert feb.last_year_period == Period(date(2027, 2, 1), date(2027, 2, 28))
    assert (float(feb.teu), float(feb.last_year_teu)) == (1, 4)  # 29 Feb is not yet counted
    assert float(report.totals.teu) == 6 and float(report.totals.last_year_teu) == 6
    assert report.totals.growth.percent == 0.0
    assert report.last_year_last == date(2027, 2, 28)
    assert [m.state for m in report.by_month[2:]] == [TO_COME] * 10
    assert report.totals.units == 5


def test_29_february_ends_the_month_and_is_set_against_last_year_s_whole_february(
    db_session, years
):
    report = annual_report(db_session, 2028, today=date(2028, 2, 29))
    feb = report.by_month[1]
    assert feb.state == DONE and feb.last_year_period.whole_month
    assert (float(feb.teu), float(feb.last_year_teu)) == (4, 4)
    assert float(report.totals.teu) == 9 and report.totals.growth.percent == 50.0


def test_after_a_leap_year_february_is_set_against_its_29_days(db_session, years):
    """28 February 2029 ends the month: last year's whole February, 29 February included."""
    report = annual_report(db_session, 2029, today=date(2029, 2, 28))
    assert report.by_month[1].state == DONE
    assert report.by_month[1].last_year_period == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert float(report.totals.last_year_teu) == 9 and report.totals.growth.percent == -100.0
    assert report.last_year_last == date(2028, 2, 29)


@pytest.mark.parametrize(("today", "state", "teu", "last_year"), [
    (date(2028, 1, 30), IN_PROGRESS, 2, 2),  # 31 days: the 31st at 23:30 not yet
    (date(2028, 1, 31), DONE, 5, 2),
    (date(2028, 4, 29), IN_PROGRESS, 0, 0),  # 30 days
    (date(2028, 4, 30), DONE, 1, 2),
])  # fmt: skip
def test_a_month_ends_on_its_last_day(db_session, years, today, state, teu, last_year):
    month = annual_report(db_session, 2028, today=today).by_month[today.month - 1]
    assert (month.state, float(month.teu), float(month.last_year_teu)) == (state, teu, last_year)


def test_against_nothing_there_is_no_percentage(db_session, years):
    report = annual_report(db_session, 2027, today=date(2027, 6, 30))
    assert report.totals.last_year_teu == 0 and report.totals.growth.percent is None
    data = annual_json(report)
    assert data["growth_pct"] is None and data["by_month"][0]["growth_pct"] is None
    april = annual_report(db_session, 2028, today=date(2028, 4, 29)).by_month[3]
    assert april.growth.percent is None  # 0 against 0


def test_the_projection_is_the_run_rate(db_session, years):
    report = annual_report(db_session, 2028, today=date(2028, 2, 28))
    assert report.days_elapsed == 59 and report.days_in_year == 366
    assert report.projected_teu == 37  # 6 × 366 / 59 = 37.2
    assert annual_report(db_session, 2027, today=date(2027, 3, 1)).projected_teu == 43  # 7×365/60


def test_a_year_not_begun_has_no_figures_and_no_projection(db_session, years):
    report = annual_report(db_session, 2029, today=date(2028, 5, 1))
    assert report.last is None and report.projected_teu is None
    assert report.totals.growth.percent is None
    assert {m.state for m in report.by_month} == {TO_COME}
    assert float(report.by_month[0].last_year_teu) == 5  # last year's month, shown beside
    assert annual_json(report)["period"] is None


def test_the_json_names_the_days_compared(db_session, years):
    data = annual_json(annual_report(db_session, 2028, today=date(2028, 2, 28)))
    assert data["period"] == {"from": "2028-01-01", "to": "2028-02-28"}
    assert data["last_year_period"] == {"from": "2027-01-01", "to": "2027-02-28"}
    assert (data["teu_ytd"], data["units_ytd"], data["same_period_last_year_teu"]) == (6, 5, 6)
    assert data["by_month"][1]["state"] == "in_progress"
    assert data["target_teu"] is None and data["target_pct"] is None


# targets


def _set(db_session, admin, zone, stations=(), **extra):
    body = {"target_teu": zone, "stations": [{"station": c, "target_teu": t} for c, t in stations]}
    return targets.set_targets(db_session, admin, 2028, body | extra)


def test_targets_show_against_what_shipped(db_session, years, make_user):
    admin = make_user(Role.ADMIN)
    _set(db_session, admin, 30, [("HB", 16), ("HK", 4)])
    report = annual_report(db_session, 2028, today=date(2029, 1, 5))
    assert report.target_teu == 30 and report.target_pct == 40.0
    by_code = {s.code: (float(row.teu), target) for s, row, target in report.by_station}
    assert by_code["HB"] == (8, 16) and by_code["HK"] == (2, 4) and by_code["ZP"] == (2, None)
    data = annual_json(report)
    hb = next(row for row in data["by_station"] if row["station"] == "HB")
    assert hb["target_pct"] == 50.0


def test_stations_may_not_promise_more_than_the_zone(db_session, make_user):
    admin = make_user(Role.ADMIN)
    with pytest.raises(Invalid) as refused:
        _set(db_session, admin, 30, [("HB", 20), ("HK", 11)])
    assert "31" in str(refused.value.message) and "target_teu" in refused.value.errors
    assert targets.year_targets(db_session, 2028) == {}
    _set(db_session, admin, 30, [("HB", 20), ("HK", 10)])  # equal is allowed
    assert set(targets.year_targets(db_session, 2028)) == {None, "HB", "HK"}


def test_setting_a_year_again_replaces_it_and_logs_each_change(db_session, make_user):
    admin = make_user(Role.ADMIN)
    first = _set(db_session, admin, 30, [("HB", 20), ("HK", 10)])
    version = targets.targets_version(first)
    second = _set(db_session, admin, 40, [("HB", 25)], version=version)
    assert {code: t.target_teu for code, t in second.items()} == {None: 40, "HB": 25}
    assert targets.targets_version(second) > version
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "annual_target")
    ).all()
    assert sorted(actions) == ["create", "create", "create", "delete", "update", "update"]
    with pytest.raises(Conflict):  # set from an older read
        _set(db_session, admin, 50, version=version)


def test_removing_a_station_alone_moves_the_year_s_version_on(db_session, make_user):
    admin = make_user(Role.ADMIN)
    version = targets.targets_version(_set(db_session, admin, 30, [("HB", 20)]))
    assert targets.targets_version(_set(db_session, admin, 30)) > version


def test_only_administrators_set_targets(db_session, make_user):
    with pytest.raises(Forbidden):
        _set(db_session, make_user(Role.OPERATOR), 30)


def test_an_unknown_or_repeated_station_is_refused(db_session, make_user):
    admin = make_user(Role.ADMIN)
    with pytest.raises(Invalid) as refused:
        _set(db_session, admin, 30, [("XX", 1), ("HB", 1), ("HB", 2)])
    assert set(refused.value.errors["stations"]) == {0, 2}
