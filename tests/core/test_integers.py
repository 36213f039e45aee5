from __future__ import annotations

import pytest

from bot.core.integers import MAX_ROW_ID, ascii_int, row_id


@pytest.mark.parametrize(
    "text", ["", "\u00b2", "\u0663", "\uff11", "-1", "+1", " 1", "1.0", "9" * 4]
)
def test_ascii_int_reads_only_short_ascii_digits(text: str) -> None:
    assert ascii_int(text, 3) is None


def test_ascii_int_and_row_id_read_plain_numbers() -> None:
    assert ascii_int("042", 3) == 42
    assert row_id("17") == 17
    assert row_id(str(MAX_ROW_ID)) == MAX_ROW_ID


@pytest.mark.parametrize("text", ["0", str(MAX_ROW_ID + 1), "9" * 24, "²", "1²", "9" * 5000])
def test_row_id_refuses_what_sqlite_cannot_hold(text: str) -> None:
    assert row_id(text) is None
