"""Answering in the resident's own form of address (#19 kind 8)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.addressing import self_address
from bot.core.dialog import Dialog, Turn
from bot.core.dialog.memory import split_memory
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Incoming, Kind, State
from bot.render import Renderer

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def turn(kind: Kind, text: str = "", *, state: State | None = None) -> Turn:
    return Turn(Incoming("test", "1", kind, text=text), text, state, False, NOW, date(2026, 11, 25))


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Chào cháu, bác năm nay 70 tuổi, hỏi bhyt", "bác"),
        ("chao chau, chu nam nay 60 tuoi", "chú"),
        ("Cháu ơi, bà muốn hỏi trợ cấp", "bà"),
        ("cho cô hỏi thẻ bhyt", "cô"),
        ("em muốn đăng ký bhyt", "em"),
        ("Chị đóng bhxh tự nguyện 10 năm", "chị"),
        ("Thưa con, ông năm nay 80", "ông"),
        ("cháu muốn hỏi bhyt học sinh", "cháu"),
        ("anh 45 tuổi đóng bhxh tự nguyện được không", "anh"),
    ],
)
def test_the_form_a_resident_calls_themselves_by_is_read(text: str, form: str) -> None:
    assert self_address(text) == form


@pytest.mark.parametrize(
    "text",
    [
        "con tôi sinh năm 2020 thẻ hết hạn khi nào",
        "thẻ có giá trị khi nào",  # "có" is not "cô"
        "co the bhyt dien tu khong",
        "mua bhyt cho chau noi",
        "bà nội cháu 80 tuổi",
        "bhyt hộ gia đình bao nhiêu",
    ],
)
def test_children_grandparents_and_look_alike_words_are_not_the_resident(text: str) -> None:
    assert self_address(text) is None


def test_the_answer_greets_in_the_form_and_the_conversation_remembers_it(
    dialog: Dialog,
) -> None:
    renderer = Renderer()
    first = dialog.decide(turn(Kind.TEXT, "Chào cháu, bác muốn hỏi thẻ bhyt điện tử"))
    shown = renderer.render(first.says[0]).text
    assert shown.startswith("Dạ thưa bác,")
    memory, state = split_memory(first.state)
    assert memory == {"address": "bác"}
    assert state is None  # no flow of its own
    later = dialog.decide(turn(Kind.BUTTON, "reg", state=first.state))
    text = renderer.render(later.says[-1]).text
    assert "Bác quan tâm" in text
    assert "bạn" not in text.lower().split()
    assert not later.says[0].data.get("greet")  # greeted once, not at every answer
    inner = split_memory(later.state)[1]
    assert inner is not None
    assert inner.flow == "register"
    assert "_memory" not in inner.data  # flows never see the memory


def test_without_a_form_loa_says_ban(dialog: Dialog) -> None:
    decision = dialog.decide(turn(Kind.BUTTON, "reg"))
    assert "Bạn quan tâm" in Renderer().render(decision.says[-1]).text
