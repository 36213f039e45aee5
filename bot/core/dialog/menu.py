"""The main menu and the always-available commands."""

from __future__ import annotations

from bot.core.types import Choice, Say

__all__ = ["MAIN_MENU", "back_to_menu", "main_menu"]

MAIN_MENU: tuple[Choice, ...] = (
    Choice("topics", "menu.topics"),
    Choice("calc", "menu.calc"),
    Choice("reg", "menu.register"),
    Choice("remind", "menu.remind"),
    Choice("hotline", "menu.hotline"),
)


def main_menu(template: str = "menu", **data: object) -> Say:
    """Return `template` followed by the main menu buttons."""
    return Say(template, data, MAIN_MENU)


def back_to_menu() -> tuple[Choice, ...]:
    """Return the single "Menu chính" button put under answers."""
    return (Choice("menu", "menu.back"),)
