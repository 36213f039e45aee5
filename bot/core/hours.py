"""The sending hours: the local hours of the day in which proactive messages may go out.

One rule, written once: a moment is inside when its local hour is in [start, end); before
`start` the hours open at `start` the same local day, from `end` on at `start` the next day.
Pure: every moment is passed in (aware, in any zone) and answers come in the hours' zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["SendingHours"]


@dataclass(frozen=True, slots=True)
class SendingHours:
    """The whole local hours [start, end) of `tz` in which proactive messages go out."""

    start: int
    end: int
    tz: ZoneInfo

    def __post_init__(self) -> None:
        """Refuse a window that is not within one day (0 ≤ start < end ≤ 24)."""
        if not 0 <= self.start < self.end <= 24:
            raise ValueError(f"sending hours {self.start}-{self.end} are not within one day")

    def is_open(self, now: datetime) -> bool:
        """Tell whether `now` is inside the sending hours."""
        return self.start <= now.astimezone(self.tz).hour < self.end

    def opens_at(self, moment: datetime) -> datetime:
        """Return the first moment from `moment` inside the hours (`moment` itself if inside)."""
        local = moment.astimezone(self.tz)
        if local.hour < self.start:
            return self._opening(local.date())
        if local.hour >= self.end:
            return self._opening(local.date() + timedelta(days=1))
        return moment

    def next_day_opening(self, now: datetime) -> datetime:
        """Return when the hours open on the local day after `now`'s."""
        return self._opening(now.astimezone(self.tz).date() + timedelta(days=1))

    def _opening(self, day: date) -> datetime:
        """Return when the hours open on the local `day`."""
        return datetime.combine(day, time(self.start), self.tz)
