"""Answers given shortly before a rate change say what changes and from when (#19.9).

The 2026–2030 poverty standard raises the rural poverty line — the minimum income and the
base of state support for BHXH tự nguyện — from 1,500,000 to 2,200,000 on 1/1/2027.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind, State
from bot.render import Renderer

DECEMBER = date(2026, 12, 15)
JANUARY = date(2027, 1, 20)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def reply(
    dialog: Dialog, text: str, today: date, state: State | None = None
) -> tuple[str, Decision]:
    kind = Kind.BUTTON if text.startswith("calc:") else Kind.TEXT
    incoming = Incoming("test", "1", kind, text=text, display_name="Lan")
    now = datetime(today.year, today.month, today.day, 9, tzinfo=VIETNAM)
    decision = dialog.decide(Turn(incoming, text, state, False, now, today))
    rendered = "\n".join(Renderer().render(say).text for say in decision.says)
    return rendered, decision


def test_in_december_the_support_page_gives_januarys_figures_too(dialog: Dialog) -> None:
    text, _ = reply(dialog, "nhà nước hỗ trợ đóng bhxh tự nguyện bao nhiêu", DECEMBER)
    assert "tự đóng 264.000 đồng" in text  # today: 20% of 22% × 1,500,000
    assert "📅 Từ 01/01/2027" in text
    assert "hỗ trợ 96.800 đồng, tự đóng 387.200 đồng" in text
    assert "hỗ trợ 242.000 đồng, tự đóng 242.000 đồng" in text


def test_in_january_the_new_figures_are_todays_and_nothing_is_announced(dialog: Dialog) -> None:
    text, _ = reply(dialog, "nhà nước hỗ trợ đóng bhxh tự nguyện bao nhiêu", JANUARY)
    assert "tự đóng 387.200 đồng" in text
    assert "264.000" not in text
    assert "📅" not in text


def test_in_december_the_minimum_premium_page_says_it_rises_in_january(dialog: Dialog) -> None:
    text, _ = reply(dialog, "bhxh tự nguyện đóng thấp nhất bao nhiêu", DECEMBER)
    assert "Mức đóng 22%: 330.000 đồng/tháng" in text
    assert "Từ 01/01/2027, thu nhập thấp nhất được chọn là 2.200.000 đồng: đóng 484.000" in text


def test_a_december_quote_tells_the_january_support_and_net(dialog: Dialog) -> None:
    _, asked = reply(dialog, "bhxh tự nguyện thu nhập 3 triệu đóng bao nhiêu", DECEMBER)
    text, _ = reply(dialog, "calc:group:other", DECEMBER, asked.state)
    assert "Bạn đóng: 594.000 đồng/tháng" in text
    assert (
        "📅 Từ 01/01/2027: Nhà nước hỗ trợ 96.800 đồng/tháng, bạn đóng 563.200 đồng/tháng" in text
    )


def test_a_december_quote_at_todays_minimum_warns_it_is_too_low_from_january(
    dialog: Dialog,
) -> None:
    _, asked = reply(dialog, "bhxh tự nguyện thu nhập 1,5 triệu đóng bao nhiêu", DECEMBER)
    text, _ = reply(dialog, "calc:group:poor", DECEMBER, asked.state)
    assert "Bạn đóng: 165.000 đồng/tháng" in text
    assert "📅 Từ 01/01/2027, thu nhập thấp nhất được chọn là 2.200.000 đồng" in text
    assert "bạn đóng 242.000 đồng/tháng" in text  # poor: 484.000 less 50%


def test_in_january_todays_old_minimum_is_refused_with_the_new_bounds(dialog: Dialog) -> None:
    text, _ = reply(dialog, "bhxh tự nguyện thu nhập 1,5 triệu đóng bao nhiêu", JANUARY)
    assert "2.200.000" in text
    assert "165.000" not in text


@pytest.mark.parametrize(("today", "lowest"), [(DECEMBER, 1_500_000), (JANUARY, 2_200_000)])
def test_the_income_buttons_start_at_the_lowest_income_allowed_that_day(
    dialog: Dialog, today: date, lowest: int
) -> None:
    _, asked = reply(dialog, "calc:kind:voluntary", today)
    offered = [c.payload for c in asked.says[0].choices if c.payload.startswith("calc:income:")]
    assert offered[0] == f"calc:income:{lowest}"
    assert all(int(p.rsplit(":", 1)[1]) >= lowest for p in offered)
