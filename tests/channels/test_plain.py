from __future__ import annotations

import pytest

from bot.channels.plain import as_numbered_text, split_text
from bot.core.types import Button, Reply


def test_numbered_text_lists_buttons_to_type() -> None:
    text = as_numbered_text(Reply("Chọn:", (Button("Một", "a"), Button("Hai", "b"))))
    assert "  1. Một\n  2. Hai" in text


def test_labels_that_start_with_a_number_are_listed_one_to_n() -> None:
    incomes = tuple(Button(f"{n}.000.000 đồng", f"i:{n}") for n in (1, 3, 5, 10))
    text = as_numbered_text(Reply("Chọn:", incomes))
    assert "  1. 1.000.000 đồng\n  2. 3.000.000 đồng\n  3. 5.000.000 đồng\n  4. 10" in text


def test_a_reply_asking_for_a_number_lists_its_buttons_without_numbers() -> None:
    buttons = (Button("1 người", "h:1"), Button("Bỏ qua", "h:skip"))
    text = as_numbered_text(Reply("Nhà mấy người?", buttons, asks_number=True))
    assert "  • 1 người\n  • Bỏ qua" in text
    assert "1." not in text


def test_short_text_is_one_part() -> None:
    assert split_text("xin chào", 2000) == ["xin chào"]


@pytest.mark.parametrize("limit", [50, 120, 2000])
def test_long_text_splits_at_paragraphs_under_the_limit(limit: int) -> None:
    paragraphs = [f"Đoạn {i}: " + "chữ " * (i % 9 + 3) for i in range(60)]
    text = "\n\n".join(paragraphs)
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_a_word_longer_than_the_limit_is_cut() -> None:
    parts = split_text("x" * 25, 10)
    assert parts == ["x" * 10, "x" * 10, "x" * 5]
