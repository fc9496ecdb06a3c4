"""Time as the port keeps it: stored in UTC, shown and reckoned in Asia/Shanghai."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dryport.db import utcnow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

#: The years a time given to the port may fall in: every departure it plans or records, and
#: every date a list is filtered by. Outside them a time is a typing error, and one near year
#: 1 or 9999 could not even be converted to UTC or Beijing time.
YEARS = range(2000, 2101)
FIRST_MOMENT = datetime(YEARS[0], 1, 1, tzinfo=UTC)

__all__ = [
    "FIRST_MOMENT",
    "LOCAL_TZ",
    "YEARS",
    "local_day_start",
    "local_iso",
    "local_minute",
    "local_stamp",
    "local_today",
    "to_local",
    "utcnow",
]


def to_local(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai, the one conversion every page, paper and export uses.

    A time in the last 8 hours of year 9999 has no Beijing time (a datetime ends with that
    year): it is given in UTC, its offset saying so, so that a stored time, however odd,
    never breaks a page.
    """
    try:
        return moment.astimezone(LOCAL_TZ)
    except OverflowError:
        return moment.astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow()).date()


def local_day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def local_day_end(day: date) -> datetime:
    """Midnight after ``day`` in Asia/Shanghai: an exclusive upper bound."""
    return local_day_start(day + timedelta(days=1))


def local_iso(moment: datetime) -> str:
    """``moment`` in Beijing time, ISO 8601 with its offset (``2026-11-03T14:00:00+08:00``):
    how a CSV prints a time, so that a spreadsheet and a program read the same instant."""
    return to_local(moment).isoformat()


def local_minute(moment: datetime) -> str:
    """``moment`` in Beijing time to the minute (``2026-11-03 14:00``), as a message says it."""
    return f"{to_local(moment):%Y-%m-%d %H:%M}"


def local_stamp(moment: datetime) -> str:
    """``moment`` in Beijing time to the minute, with its offset (``2026-11-03 14:00 +08:00``):
    how every printed document (waybills, the monthly report) shows a time."""
    local = to_local(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.isoformat()[-6:]}"
