"""Dates as residents type them: 05/03/1958, 5/3/58, 5-3-1958, 5.3.1958, 5 3 1958."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_day"]

_DAY = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})\s*$")


def parse_day(text: str, today: date, *, future_years: int = 10) -> date | None:
    """Return the calendar date typed as day, month, year; None if it is not a real date.

    Two-digit years are read as the latest year not more than `future_years` ahead of
    `today` (so "58" is 1958 and "27" is 2027).
    """
    found = _DAY.match(text)
    if not found:
        return None
    day, month, year = (int(part) for part in found.groups())
    if len(found.group(3)) == 2:
        century = today.year // 100 * 100
        year += century
        if year > today.year + future_years:
            year -= 100
    try:
        return date(year, month, day)
    except ValueError:
        return None
