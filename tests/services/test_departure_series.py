"""Weekly schedules: the weekday arithmetic, the range, idempotence, and that a departure of a
schedule is edited and cancelled like any other."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from dryport.models import AuditEntry, Departure, DepartureStatus, Role
from dryport.services import operations, schedules
from dryport.services.clock import LOCAL_TZ, local_today, to_local
from dryport.services.errors import Forbidden, Invalid

def next_year():
    """Asked each time: a suite that runs past midnight in Beijing moves with the day."""
    return local_today().year + 1


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


def series(**overrides) -> dict:
    data = {
        "route": "EAST",
        "service_no": "X9021",
        "weekday": 2,
        "time": time(10, 0),
        "cutoff_hours": 24,
        "capacity_teu": 60,
        "from": date(next_year(), 1, 20),
        "to": date(next_year(), 3, 10),
    }
    return {**data, **overrides}


def _count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Departure))


def _weekdays(weekday: int, start: date, end: date) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.isoweekday() == weekday]


def test_the_weekday_each_week_across_month_ends_both_ends_included():
    # Tuesdays from 2027-01-26 (a Tuesday, the first day) to 2027-03-02 (the last day)
    times = schedules.series_times(2, time(10, 0), 24, date(2027, 1, 26), date(2027, 3, 2))
    days = [departs.date() for departs, _ in times]
    assert days == [date(2027, 1, 26) + timedelta(weeks=n) for n in range(6)]
    assert days[1] == date(2027, 2, 2) and days[-1] == date(2027, 3, 2)
    assert all(d.isoweekday() == 2 for d in days)


def test_beijing_time_has_no_summer_time():
    # Europe and America change their clocks in March and October; Beijing does not
    times = schedules.series_times(7, time(1, 30), 30, date(2027, 3, 1), date(2027, 11, 30))
    assert {departs.astimezone(UTC).time() for departs, _ in times} == {time(17, 30)}
    assert {(departs - cutoff) for departs, cutoff in times} == {timedelta(hours=30)}


def test_the_first_week_starts_at_the_weekday_on_or_after_the_first_day():
    # 2027-01-28 is a Thursday: the first Monday is 2027-02-01, and the range ends before the
    # Monday after
    times = schedules.series_times(1, time(8, 0), 12, date(2027, 1, 28), date(2027, 2, 7))
    assert [departs.date() for departs, _ in times] == [date(2027, 2, 1)]


def test_a_series_plans_every_week_with_its_cutoff_and_audit(db_session, operator):
    result = schedules.create_series(db_session, operator, series())
    db_session.commit()
    created = result["created"]
    assert result["skipped"] == []
    tuesdays = _weekdays(2, date(next_year(), 1, 20), date(next_year(), 3, 10))
    assert [to_local(d.departs_at) for d in created] == [
        datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ) for day in tuesdays
    ]
    assert {d.service_no for d in created} == {"X9021"}
    assert all(d.cutoff_at == d.departs_at - timedelta(hours=24) for d in created)
    assert all(d.status is DepartureStatus.SCHEDULED and d.capacity_teu == 60 for d in created)
    logged = db_session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity == "departure", AuditEntry.action == "create")
    )
    assert logged == len(created)


def test_the_same_series_twice_plans_nothing_new(db_session, operator):
    first = schedules.create_series(db_session, operator, series())
    db_session.commit()
    again = schedules.create_series(db_session, operator, series())
    db_session.commit()
    assert again["created"] == []
    assert [d.id for d in again["skipped"]] == [d.id for d in first["created"]]
    assert _count(db_session) == len(first["created"])


def test_an_overlapping_range_plans_only_the_new_weeks(db_session, operator):
    first = schedules.create_series(db_session, operator, series())
    db_session.commit()
    later = schedules.create_series(
        db_session, operator, series(**{"from": date(next_year(), 3, 1), "to": date(next_year(), 4, 5)})
    )
    db_session.commit()
    start = datetime.combine(date(next_year(), 3, 1), time(0, 0), tzinfo=LOCAL_TZ)
    overlap = [d for d in first["created"] if d.departs_at >= start]
    assert overlap and later["skipped"] == overlap  # the Tuesdays to 10 March
    assert all(d.departs_at > overlap[-1].departs_at for d in later["created"])
    tuesdays = _weekdays(2, date(next_year(), 3, 1), date(next_year(), 4, 5))
    assert len(later["created"]) == len(tuesdays) - len(overlap) > 0
    assert _count(db_session) == len(first["created"]) + len(later["created"])


def test_any_departure_of_the_route_at_that_time_is_skipped(db_session, operator, make_departure):
    departs = datetime.combine(date(next_year(), 2, 2), time(10, 0), tzinfo=LOCAL_TZ)
    other = make_departure("EAST", departs_at=departs, service_no="X0001")
    other.status = DepartureStatus.CANCELLED
    elsewhere = make_departure("XAEU", departs_at=departs + timedelta(weeks=1), service_no="X9021")
    db_session.commit()
    data = series(**{"from": date(next_year(), 2, 1), "to": date(next_year(), 2, 28)})
    result = schedules.create_series(db_session, operator, data)
    assert [d.id for d in result["skipped"]] == [other.id]
    assert departs + timedelta(weeks=1) in [d.departs_at for d in result["created"]]
    assert elsewhere.id not in [d.id for d in result["created"]]


def test_a_departure_of_a_series_is_edited_and_cancelled_like_any_other(db_session, operator):
    created = schedules.create_series(db_session, operator, series())["created"]
    db_session.commit()
    one, two = created[1], created[2]
    operations.update_departure(
        db_session, operator, one.id, {"version": one.version, "capacity_teu": 40}
    )
    operations.cancel_departure(db_session, operator, two.id)
    db_session.commit()
    assert one.capacity_teu == 40 and two.status is DepartureStatus.CANCELLED
    others = [d for d in created if d not in (one, two)]
    assert {(d.capacity_teu, d.status) for d in others} == {(60, DepartureStatus.SCHEDULED)}
    # sent again, the schedule neither restores the cancelled one nor plans a second
    again = schedules.create_series(db_session, operator, series())
    assert again["created"] == [] and two in again["skipped"]
    assert two.status is DepartureStatus.CANCELLED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"route": "NOPE"}, "route"),
        ({"to": date(next_year(), 1, 19)}, "to"),
        ({"to": date(next_year() + 1, 1, 21)}, "to"),  # 367 days, both ends counted
        ({"from": date(next_year(), 1, 20), "to": date(next_year(), 1, 21), "weekday": 5}, "weekday"),
        (
            {"from": local_today() - timedelta(days=14), "to": local_today() + timedelta(days=14)},
            "from",
        ),
    ],
)
def test_refusals_write_nothing(db_session, operator, overrides, field):
    with pytest.raises(Invalid) as refused:
        schedules.create_series(db_session, operator, series(**overrides))
    assert field in refused.value.errors
    db_session.rollback()
    assert _count(db_session) == 0


def test_a_whole_year_is_allowed(db_session, operator):
    start = date(next_year(), 1, 1)
    result = schedules.create_series(
        db_session, operator, series(**{"from": start, "to": start + timedelta(days=365)})
    )
    assert len(result["created"]) in (52, 53)


def test_a_refusal_by_the_single_departure_rules_writes_nothing(db_session, operator):
    # a border crossing the route does not have
    with pytest.raises(Invalid):
        schedules.create_series(db_session, operator, series(border_crossing="NOPE"))
    db_session.rollback()
    assert _count(db_session) == 0


def test_only_staff_plan_schedules(db_session, make_user):
    with pytest.raises(Forbidden):
        schedules.create_series(db_session, make_user(Role.SHIPPER), series())
    with pytest.raises(Forbidden):
        schedules.create_series(db_session, make_user(Role.CLERK), series())
    assert _count(db_session) == 0
