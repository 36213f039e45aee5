"""Read whole numbers out of ids, button payloads and bare answers, bounded and ASCII only.

`str.isdigit()` accepts "²" and "٣" and any length, so `int()` after it can raise or give a
number SQLite cannot store; these helpers say None instead.
"""

from __future__ import annotations

__all__ = ["MAX_ROW_ID", "ascii_int", "row_id"]

MAX_ROW_ID = 2**63 - 1
"""The largest id SQLite's INTEGER column holds."""


def ascii_int(text: str, max_digits: int) -> int | None:
    """Return the number when `text` is 1 to `max_digits` ASCII digits, else None."""
    if not 0 < len(text) <= max_digits or not (text.isascii() and text.isdecimal()):
        return None
    return int(text)


def row_id(text: str) -> int | None:
    """Return a database id (1 to MAX_ROW_ID) written in ASCII digits, else None."""
    value = ascii_int(text, len(str(MAX_ROW_ID)))
    return value if value is not None and 0 < value <= MAX_ROW_ID else None
