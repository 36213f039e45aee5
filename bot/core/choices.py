"""Typed selection of buttons: "2", "6 tháng" or "bhyt ho gia dinh" picks the button shown."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.text import fold
from bot.core.types import Button

__all__ = ["keyed", "resolve"]


def keyed(buttons: Sequence[Button]) -> list[tuple[str, Button]]:
    """Pair each button with the list number a person types to pick it: always 1, 2, 3…

    A label that starts with a number ("3 tháng", "1.500.000 đồng") is still item 1, 2, 3…:
    keying it by its own number made lists skip numbers and collide with typed amounts.
    """
    return [(str(i), button) for i, button in enumerate(buttons, start=1)]


def resolve(text: str, buttons: Sequence[Button], *, number_asked: bool = False) -> Button | None:
    """Return the button that typed `text` selects among `buttons`, or None.

    When the step asks for a number (`number_asked`), a typed number is that number and
    never a list position; a button is then picked only by its label ("6 tháng").
    """
    if not buttons:
        return None
    typed = fold(text).strip(" .)")
    if not typed:
        return None
    bare = typed.isascii() and typed.isdigit()
    for key, button in keyed(buttons):
        if (typed == key and not (bare and number_asked)) or typed == fold(button.label):
            return button
    return None
