from __future__ import annotations

from datetime import date

import pytest

from bot.core.dates import parse_day

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("05/03/1958", date(1958, 3, 5)),
        ("5/3/58", date(1958, 3, 5)),
        ("5-3-1958", date(1958, 3, 5)),
        ("5.3.1958", date(1958, 3, 5)),
        (" 31 12 2026 ", date(2026, 12, 31)),
        ("1/1/27", date(2027, 1, 1)),
        ("29/2/2028", date(2028, 2, 29)),
    ],
)
def test_typed_dates(typed: str, expected: date) -> None:
    assert parse_day(typed, TODAY) == expected


@pytest.mark.parametrize(
    "typed", ["31/02/2026", "29/2/2027", "0/1/2026", "12/13/2026", "hôm qua", "", "1958"]
)
def test_impossible_or_unreadable_dates(typed: str) -> None:
    assert parse_day(typed, TODAY) is None
