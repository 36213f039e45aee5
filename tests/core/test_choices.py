from __future__ import annotations

import pytest

from bot.core.choices import keyed, resolve
from bot.core.types import Button

MENU = (Button("📖 Hỏi đáp BHYT, BHXH", "topics"), Button("🧮 Tính tiền đóng", "calc"))
PERIODS = (Button("3 tháng", "p:3"), Button("6 tháng", "p:6"), Button("12 tháng", "p:12"))
INCOMES = tuple(Button(f"{n}.000.000 đồng", f"i:{n}") for n in (1, 3, 5, 10))
HOUSEHOLD = (*(Button(f"{n} người", f"h:{n}") for n in range(1, 7)), Button("Bỏ qua", "h:skip"))


def test_plain_lists_are_numbered_from_one() -> None:
    assert [key for key, _ in keyed(MENU)] == ["1", "2"]


@pytest.mark.parametrize("buttons", [PERIODS, INCOMES, HOUSEHOLD])
def test_labels_starting_with_a_number_are_still_numbered_one_to_n(
    buttons: tuple[Button, ...],
) -> None:
    assert [key for key, _ in keyed(buttons)] == [str(i) for i in range(1, len(buttons) + 1)]


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


@pytest.mark.parametrize(("typed", "payload"), [("1", "p:3"), ("3", "p:12"), ("6 thang", "p:6")])
def test_a_list_number_or_a_label_selects_a_period(typed: str, payload: str) -> None:
    picked = resolve(typed, PERIODS)
    assert picked is not None
    assert picked.payload == payload


@pytest.mark.parametrize("typed", ["7", "3", "1", " 4. "])
def test_when_a_number_is_asked_a_typed_number_is_never_a_list_item(typed: str) -> None:
    assert resolve(typed, HOUSEHOLD, number_asked=True) is None


@pytest.mark.parametrize(("typed", "payload"), [("bỏ qua", "h:skip"), ("4 nguoi", "h:4")])
def test_when_a_number_is_asked_labels_still_select(typed: str, payload: str) -> None:
    picked = resolve(typed, HOUSEHOLD, number_asked=True)
    assert picked is not None
    assert picked.payload == payload


@pytest.mark.parametrize("typed", ["", "0", "3", "tính", "bao nhiêu tiền", "1 2"])
def test_anything_else_selects_nothing(typed: str) -> None:
    assert resolve(typed, MENU) is None
