"""Typed selection of buttons: "2", "6 tháng" or "bhyt ho gia dinh" picks the button shown."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.text import fold
from bot.core.types import Button

__all__ = ["keyed", "resolve"]

_LEADING_NUMBER = re.compile(r"^(\d+)\b")


def _leading_numbers(buttons: Sequence[Button]) -> list[str] | None:
    """Return each label's leading number when every label starts with a distinct one."""
    numbers = []
    for button in buttons:
        found = _LEADING_NUMBER.match(button.label.strip())
        if not found:
            return None
        numbers.append(str(int(found.group(1))))
    return numbers if len(set(numbers)) == len(numbers) else None


def keyed(buttons: Sequence[Button]) -> list[tuple[str, Button]]:
    """Pair each button with what a person types to pick it.

    Buttons whose labels all start with a distinct number ("3 tháng", "6 tháng", "12 tháng")
    are picked by that number; any other list is numbered 1, 2, 3…
    """
    numbers = _leading_numbers(buttons)
    keys = numbers if numbers is not None else [str(i) for i in range(1, len(buttons) + 1)]
    return list(zip(keys, buttons, strict=True))


def resolve(text: str, buttons: Sequence[Button]) -> Button | None:
    """Return the button that typed `text` selects among `buttons`, or None."""
    if not buttons:
        return None
    typed = fold(text).strip(" .)")
    if not typed:
        return None
    for key, button in keyed(buttons):
        if typed == key or typed == fold(button.label):
            return button
    return None
