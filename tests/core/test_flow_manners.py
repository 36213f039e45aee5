"""Flows that understand the resident (#19 kind 7): numbers, cancel phrases, questions mid-flow."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.dialog.memory import split_memory
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind, State
from bot.render import Renderer

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def turn(kind: Kind, text: str = "", *, state: State | None = None) -> Turn:
    incoming = Incoming("test", "1", kind, text=text)
    return Turn(incoming, text, state, False, NOW, date(2026, 11, 25))


def walk(dialog: Dialog, steps: list[tuple[Kind, str]], state: State | None = None) -> Decision:
    decision = Decision(says=(), state=state)
    for kind, text in steps:
        decision = dialog.decide(turn(kind, text, state=decision.state))
    return decision


def test_a_household_price_page_takes_a_typed_number_as_the_household_size(
    dialog: Dialog,
) -> None:
    page = dialog.decide(turn(Kind.TEXT, "bhyt hộ gia đình bao nhiêu tiền"))
    assert dialog.asks_number(page.state)
    assert page.says[-1].asks_number
    months = dialog.decide(turn(Kind.TEXT, "4", state=page.state))
    assert months.says[-1].template == "calc/ask_months"
    assert months.state is not None
    assert months.state.data["members"] == 4


def test_after_a_price_page_other_text_is_a_question_of_its_own(dialog: Dialog) -> None:
    page = dialog.decide(turn(Kind.TEXT, "bhyt hộ gia đình bao nhiêu tiền"))
    other = dialog.decide(turn(Kind.TEXT, "thẻ bhyt điện tử là gì", state=page.state))
    assert other.says[-1].template.startswith("topics/")
    assert not dialog.asks_number(other.state)


@pytest.mark.parametrize(
    ("state", "asks"),
    [
        (State("calc", "members", {"kind": "household"}), True),
        (State("calc", "months", {"kind": "student"}), True),
        (State("calc", "income", {"kind": "voluntary"}), True),
        (State("register", "household", {}), True),
        (State("calc", "kind", {}), False),
        (State("register", "time", {}), False),
        (None, False),
    ],
)
def test_steps_asking_for_a_number_are_known(
    dialog: Dialog, state: State | None, asks: bool
) -> None:
    assert dialog.asks_number(state) is asks


REGISTER_NAME = [(Kind.BUTTON, "reg:interest:household"), (Kind.BUTTON, "reg:consent:yes")]


def at_step(dialog: Dialog, step: str) -> State:
    """Walk the registration to `step` with ordinary answers."""
    answers = {
        "name": "Nguyễn Thị Hoa",
        "phone": "0905 123 456",
        "commune": "Xã Hòa Phú",
        "village": "Thôn 3",
        "household": "4",
    }
    decision = walk(dialog, [(Kind.BUTTON, "reg"), *REGISTER_NAME])
    assert decision.state is not None
    while decision.state is not None and decision.state.step != step:
        typed = answers[decision.state.step]
        decision = dialog.decide(turn(Kind.TEXT, typed, state=decision.state))
    assert decision.state is not None
    return decision.state


@pytest.mark.parametrize(
    "typed",
    [
        "thôi",
        "thôi không đăng ký nữa",
        "thoi ko dang ky nua",
        "dừng lại",
        "Hủy bỏ",
        "bỏ qua đi",
        "không cần nữa đâu",
        "để sau nhé",
    ],
)
@pytest.mark.parametrize("step", ["name", "phone", "commune"])
def test_a_cancel_phrase_in_any_wording_cancels_the_registration(
    dialog: Dialog, typed: str, step: str
) -> None:
    decision = dialog.decide(turn(Kind.TEXT, typed, state=at_step(dialog, step)))
    assert [s.template for s in decision.says] == ["privacy/cancelled"]
    assert decision.state is None
    assert decision.effects == ()  # cancelling is not /stop


@pytest.mark.parametrize("typed", ["bỏ qua", "bỏ qua đi"])
def test_bo_qua_at_the_household_step_skips_it(dialog: Dialog, typed: str) -> None:
    decision = dialog.decide(turn(Kind.TEXT, typed, state=at_step(dialog, "household")))
    assert decision.state is not None
    assert decision.state.step == "time"
    assert decision.state.data["household"] is None


@pytest.mark.parametrize("typed", ["7", "12 người"])
def test_a_typed_household_size_is_the_size(dialog: Dialog, typed: str) -> None:
    decision = dialog.decide(turn(Kind.TEXT, typed, state=at_step(dialog, "household")))
    assert decision.state is not None
    assert decision.state.data["household"] == int(typed.split()[0])


@pytest.mark.parametrize(
    ("step", "typed"),
    [
        ("name", "bảo hiểm y tế hộ gia đình bao nhiêu tiền"),
        ("name", "the bhyt dien tu"),
        ("phone", "thẻ bhyt hết hạn thì sao?"),
        ("commune", "đóng bhyt ở đâu"),
    ],
)
def test_a_question_mid_registration_is_answered_and_the_flow_offered_back(
    dialog: Dialog, step: str, typed: str
) -> None:
    state = at_step(dialog, step)
    decision = dialog.decide(turn(Kind.TEXT, typed, state=state))
    assert decision.says[0].template.startswith("topics/")
    back = decision.says[-1]
    assert back.template == "flow/offer_back"
    assert [c.payload for c in back.choices] == ["flow:continue", "flow:cancel"]
    # nothing typed was taken as the name, phone or place
    assert split_memory(decision.state)[1] == split_memory(state)[1]
    again = dialog.decide(turn(Kind.BUTTON, "flow:continue", state=decision.state))
    assert again.says[-1].template == f"register/ask_{step}"


def test_a_question_while_linking_a_card_is_answered_and_offered_back(dialog: Dialog) -> None:
    asked = dialog.decide(turn(Kind.BUTTON, "remind:id"))
    decision = dialog.decide(turn(Kind.TEXT, "mã số bhxh là gì?", state=asked.state))
    assert decision.says[-1].template == "flow/offer_back"
    assert split_memory(decision.state)[1] == split_memory(asked.state)[1]
    again = dialog.decide(turn(Kind.BUTTON, "flow:continue", state=decision.state))
    assert again.says[-1].template == "remind/ask_id_number"


def test_names_that_look_like_cancel_words_stay_names(dialog: Dialog) -> None:
    decision = dialog.decide(turn(Kind.TEXT, "Huy", state=at_step(dialog, "name")))
    assert decision.state is not None
    assert decision.state.data["name"] == "Huy"


@pytest.mark.parametrize(
    "steps",
    [
        [(Kind.BUTTON, "reg"), *REGISTER_NAME],
        [(Kind.BUTTON, "remind:phone")],
        [(Kind.BUTTON, "calc"), (Kind.BUTTON, "calc:kind:household")],
    ],
)
def test_every_step_waiting_for_input_says_how_to_cancel(
    dialog: Dialog, steps: list[tuple[Kind, str]]
) -> None:
    decision = walk(dialog, steps)
    assert decision.says[-1].data.get("cancel_hint") is True


def test_answers_outside_a_flow_carry_no_cancel_hint(dialog: Dialog) -> None:
    decision = dialog.decide(turn(Kind.TEXT, "thẻ bhyt điện tử"))
    assert "cancel_hint" not in decision.says[-1].data


def test_the_legal_source_is_cited_once_a_conversation_and_again_on_request(
    dialog: Dialog,
) -> None:
    renderer = Renderer()
    first = dialog.decide(turn(Kind.TEXT, "bhyt học sinh bao nhiêu tiền"))
    assert "NĐ 161/2026" in renderer.render(first.says[-1]).text
    second = dialog.decide(turn(Kind.TEXT, "bhyt cận nghèo đóng bao nhiêu", state=first.state))
    shown = renderer.render(second.says[-1]).text
    assert "NĐ 161/2026" not in shown
    assert "Mức áp dụng từ 01/07/2026." in shown  # the date stays; only the decree goes
    for typed in ("nguồn?", "căn cứ đâu"):
        cited = dialog.decide(turn(Kind.TEXT, typed, state=second.state))
        assert cited.says[-1].template == "topics/bhyt_can_ngheo"
        assert "NĐ 161/2026" in renderer.render(cited.says[-1]).text
