"""The municipality's clock: dates are Danish dates, timestamps are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIMEZONE = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def local_today(now: datetime | None = None) -> date:
    """The date in Denmark at ``now`` (default: the current time)."""
    return (now or utcnow()).astimezone(LOCAL_TIMEZONE).date()
