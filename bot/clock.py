"""Clocks: the only place that reads the time; everything else is handed `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["VIETNAM", "Clock", "FixedClock", "SystemClock", "local_date"]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, demos and benchmarks."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """Return the fixed time."""
        return self._at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self._at += delta

    def set(self, at: datetime) -> None:
        """Move the clock to `at` (aware)."""
        self._at = at.astimezone(UTC)


def local_date(now: datetime, tz: ZoneInfo = VIETNAM) -> date:
    """Return the calendar date of `now` in `tz` (Vietnam by default)."""
    return now.astimezone(tz).date()
