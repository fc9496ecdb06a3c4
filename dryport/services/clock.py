"""Time as the port keeps it: stored in UTC, shown and reckoned in Asia/Shanghai."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dryport.db import utcnow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

__all__ = ["LOCAL_TZ", "local_day_start", "local_today", "utcnow"]


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def local_day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def local_day_end(day: date) -> datetime:
    """Midnight after ``day`` in Asia/Shanghai: an exclusive upper bound."""
    return local_day_start(day + timedelta(days=1))
