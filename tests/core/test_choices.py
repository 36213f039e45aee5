from __future__ import annotations

import pytest

from bot.core.choices import keyed, resolve
from bot.core.types import Button

MENU = (Button("📖 Hỏi đáp BHYT, BHXH", "topics"), Button("🧮 Tính tiền đóng", "calc"))
PERIODS = (Button("3 tháng", "p:3"), Button("6 tháng", "p:6"), Button("12 tháng", "p:12"))


def test_plain_lists_are_numbered_from_one() -> None:
    assert [key for key, _ in keyed(MENU)] == ["1", "2"]


def test_lists_of_numbers_are_picked_by_their_own_number() -> None:
    assert [key for key, _ in keyed(PERIODS)] == ["3", "6", "12"]


@pytest.mark.parametrize(
    ("typed", "payload"),
    [
        ("1", "topics"),
        (" 2 ", "calc"),
        ("2.", "calc"),
        ("🧮 Tính tiền đóng", "calc"),
        ("tinh tien dong", "calc"),
        ("TÍNH TIỀN ĐÓNG", "calc"),
    ],
)
def test_typed_text_selects_a_menu_button(typed: str, payload: str) -> None:
    picked = resolve(typed, MENU)
    assert picked is not None
    assert picked.payload == payload


@pytest.mark.parametrize(("typed", "payload"), [("3", "p:3"), ("12", "p:12"), ("6 thang", "p:6")])
def test_typed_number_selects_the_period_it_names(typed: str, payload: str) -> None:
    picked = resolve(typed, PERIODS)
    assert picked is not None
    assert picked.payload == payload


@pytest.mark.parametrize("typed", ["", "0", "3", "tính", "bao nhiêu tiền", "1 2"])
def test_anything_else_selects_nothing(typed: str) -> None:
    assert resolve(typed, MENU) is None
