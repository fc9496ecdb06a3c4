"""Time as the port keeps it: stored in UTC, shown and reckoned in Asia/Shanghai."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dryport.db import utcnow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

__all__ = [
    "LOCAL_TZ",
    "local_day_start",
    "local_iso",
    "local_stamp",
    "local_today",
    "utcnow",
]


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def local_day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def local_day_end(day: date) -> datetime:
    """Midnight after ``day`` in Asia/Shanghai: an exclusive upper bound."""
    return local_day_start(day + timedelta(days=1))


def local_iso(moment: datetime) -> str:
    """``moment`` in Beijing time, ISO 8601 with its offset (``2026-11-03T14:00:00+08:00``):
    how a CSV prints a time, so that a spreadsheet and a program read the same instant."""
    return moment.astimezone(LOCAL_TZ).isoformat()


def local_stamp(moment: datetime) -> str:
    """``moment`` in Beijing time to the minute, with its offset (``2026-11-03 14:00 +08:00``):
    how every printed document (waybills, the monthly report) shows a time."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%Y-%m-%d %H:%M} {local.isoformat()[-6:]}"
