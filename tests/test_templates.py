"""Every template renders with real figures: no undefined variable, no stray markup."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.premiums import household_quote, near_poor_quote, student_quote, voluntary_quote
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Say
from bot.render import Renderer, default_messages_dir

BOOK = RateBook.load(default_rates_path())
KB = KnowledgeBase.load(default_topics_path())
INFO = [t.id for t in KB.topics if t.kind == "info"]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_every_info_topic_has_a_template() -> None:
    folder = default_messages_dir() / "vi" / "topics"
    assert {p.stem for p in folder.glob("*.j2")} >= set(INFO)
    assert len(INFO) >= 25


@pytest.mark.parametrize("topic", INFO)
@pytest.mark.parametrize("on", [date(2026, 3, 1), date(2026, 11, 25)])
def test_topic_templates_render_short_dated_answers(
    renderer: Renderer, topic: str, on: date
) -> None:
    text = renderer.text(f"topics/{topic}", {"f": BOOK.snapshot(on)})
    assert 50 < len(text) <= 1500
    assert "\n\n\n" not in text
    assert "{{" not in text
    if "đồng" in text:
        assert "/20" in text  # names the date its figures apply from


def test_household_result_lists_each_member_and_the_total(renderer: Renderer) -> None:
    quote = household_quote(BOOK, 4, 6, date(2026, 11, 25))
    text = renderer.text("calc/result_household", {"q": quote})
    for amount in ("683.100 đồng", "478.170 đồng", "409.860 đồng", "341.550 đồng"):
        assert amount in text
    assert "Tổng cộng: 1.912.680 đồng." in text
    assert "25/11/2026" in text


def test_a_period_straddling_a_rate_change_names_both_rates(renderer: Renderer) -> None:
    quote = household_quote(BOOK, 1, 6, date(2026, 5, 1))
    text = renderer.text("calc/result_household", {"q": quote})
    assert "2.340.000 đồng từ 01/07/2024" in text
    assert "2.530.000 đồng từ 01/07/2026" in text


@pytest.mark.parametrize(
    ("template", "quote", "expected"),
    [
        ("calc/result_student", student_quote(BOOK, 12, date(2026, 11, 25)), "683.100 đồng"),
        ("calc/result_near_poor", near_poor_quote(BOOK, 3, date(2026, 11, 25)), "34.155 đồng"),
        (
            "calc/result_voluntary",
            voluntary_quote(BOOK, 1_500_000, "poor", date(2026, 11, 25)),
            "Bạn đóng: 165.000 đồng/tháng",
        ),
    ],
)
def test_other_results_render(
    renderer: Renderer, template: str, quote: object, expected: str
) -> None:
    assert expected in renderer.text(template, {"q": quote})


def test_reminder_overview_lists_one_line_per_card_and_date(renderer: Renderer) -> None:
    card = {"name": "Nguyễn Văn Ba", "expiry": date(2026, 12, 31), "place": "Thôn 3, Ea Tul"}
    planned = [
        {"when": date(2026, 12, 1), "offset": -30},
        {"when": date(2026, 12, 31), "offset": 0},
        {"when": date(2027, 3, 21), "offset": 80},
    ]
    text = renderer.text(
        "remind/overview", {"cards": [card, card], "enabled": True, "planned": planned}
    )
    lines = text.splitlines()
    assert lines.count("• Nguyễn Văn Ba: hết hạn 31/12/2026 (Thôn 3, Ea Tul)") == 2
    assert "• 01/12/2026: nhắc trước 30 ngày" in lines
    assert "• 31/12/2026: ngày thẻ hết hạn" in lines
    assert "• 21/03/2027: nhắc sau 80 ngày" in lines
    off = renderer.text("remind/overview", {"cards": [card], "enabled": False, "planned": []})
    assert "TẮT" in off


def test_only_telegram_is_told_to_press_the_phone_button(renderer: Renderer) -> None:
    for template in ("remind/ask_phone", "register/ask_phone"):
        data = {"retry": False, "tries_left": 3, "problem": ""}
        say = Say(template, data, request_phone=True)
        telegram = renderer.render(say, channel="telegram")
        zalo = renderer.render(say, channel="zalo")
        assert "Gửi số điện thoại của tôi" in telegram.text
        assert "Gửi số điện thoại của tôi" not in zalo.text
        assert "0905 123 456" in zalo.text
