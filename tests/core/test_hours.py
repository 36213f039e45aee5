"""The sending hours, written once (bot/core/hours.py): inside, the next opening, the next day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.hours import SendingHours

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7 all year: no daylight saving time
HOURS = SendingHours(8, 20, VIETNAM)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VIETNAM)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "inside", "opens"),
    [
        (local(2026, 11, 25, 6, 30), False, local(2026, 11, 25, 8, 0)),  # before
        (local(2026, 11, 25, 7, 59, 59), False, local(2026, 11, 25, 8, 0)),
        (local(2026, 11, 25, 8, 0), True, local(2026, 11, 25, 8, 0)),  # exactly at start
        (local(2026, 11, 25, 19, 59, 59), True, local(2026, 11, 25, 19, 59, 59)),
        (local(2026, 11, 25, 20, 0), False, local(2026, 11, 26, 8, 0)),  # exactly at end
        (local(2026, 11, 25, 23, 30), False, local(2026, 11, 26, 8, 0)),  # after
        (local(2026, 12, 31, 21, 0), False, local(2027, 1, 1, 8, 0)),  # into the next year
    ],
)
def test_inside_and_the_next_opening(now: datetime, inside: bool, opens: datetime) -> None:
    assert HOURS.is_open(now) is inside
    assert HOURS.opens_at(now) == opens
    assert HOURS.is_open(HOURS.opens_at(now))


def test_a_utc_moment_is_judged_by_the_local_clock() -> None:
    # 00:30 UTC is 07:30 in Vietnam: closed, opening at 08:00 local (01:00 UTC) the same day
    now = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    assert not HOURS.is_open(now)
    assert HOURS.opens_at(now) == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert HOURS.opens_at(now).tzinfo == VIETNAM
    # 17:00 UTC on the 24th is already 00:00 on the 25th in Vietnam: the 25th's opening
    late = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert HOURS.opens_at(late) == local(2026, 11, 25, 8, 0)
    assert HOURS.next_day_opening(late) == local(2026, 11, 26, 8, 0)


def test_inside_the_hours_the_moment_itself_is_kept() -> None:
    now = datetime(2026, 11, 25, 3, 15, 42, tzinfo=UTC)  # 10:15:42 local
    assert HOURS.opens_at(now) is now


@pytest.mark.parametrize(
    "now",
    [local(2026, 11, 25, 0, 0), local(2026, 11, 25, 8, 0), local(2026, 11, 25, 23, 59)],
)
def test_the_next_days_opening_is_tomorrow_whatever_the_hour(now: datetime) -> None:
    assert HOURS.next_day_opening(now) == local(2026, 11, 26, 8, 0)


def test_hours_to_midnight_are_open_until_the_day_ends() -> None:
    always = SendingHours(0, 24, VIETNAM)
    assert always.is_open(local(2026, 11, 25, 23, 59, 59))
    assert always.is_open(local(2026, 11, 25, 0, 0))
    assert always.next_day_opening(local(2026, 11, 25, 12, 0)) == local(2026, 11, 26, 0, 0)


@pytest.mark.parametrize(("start", "end"), [(20, 8), (8, 8), (-1, 5), (8, 25)])
def test_a_window_not_within_one_day_is_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="within one day"):
        SendingHours(start, end, VIETNAM)
