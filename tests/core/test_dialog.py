from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.effects import Resume, Stop
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind, State

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def turn(
    kind: Kind,
    text: str = "",
    command: str = "",
    *,
    stopped: bool = False,
    state: State | None = None,
) -> Turn:
    incoming = Incoming("test", "1", kind, text=text, command=command, display_name="Lan")
    return Turn(
        incoming=incoming,
        text=text,
        state=state,
        stopped=stopped,
        now=NOW,
        today=date(2026, 11, 25),
    )


def test_start_greets_by_name_with_the_main_menu(dialog: Dialog) -> None:
    decision = dialog.decide(turn(Kind.COMMAND, command="start"))
    (say,) = decision.says
    assert say.template == "start"
    assert say.data["name"] == "Lan"
    assert [c.payload for c in say.choices] == ["topics", "calc", "reg", "remind", "hotline"]
    assert decision.effects == ()


def test_stop_stops_and_writing_again_is_answered_but_stays_stopped(dialog: Dialog) -> None:
    stopped = dialog.decide(turn(Kind.COMMAND, command="stop"))
    assert stopped.effects == (Stop(),)
    answered = dialog.decide(turn(Kind.TEXT, "menu", stopped=True))
    assert Resume() not in answered.effects
    assert [s.template for s in answered.says] == ["menu"]
    assert answered.says[-1].choices[-1].payload == "resume"


@pytest.mark.parametrize(
    ("kind", "text", "command"),
    [
        (Kind.COMMAND, "", "batdau"),
        (Kind.BUTTON, "resume", ""),
        (Kind.TEXT, "Bắt đầu", ""),
        (Kind.TEXT, "nhan tin lai", ""),
    ],
)
def test_only_the_persons_own_request_resumes(
    dialog: Dialog, kind: Kind, text: str, command: str
) -> None:
    resumed = dialog.decide(turn(kind, text, command, stopped=True))
    assert resumed.effects == (Resume(),)
    assert [s.template for s in resumed.says] == ["resumed"]


def test_a_question_while_stopped_is_answered_with_the_resume_button(dialog: Dialog) -> None:
    answered = dialog.decide(turn(Kind.TEXT, "the bhyt ho gia dinh bao nhieu tien", stopped=True))
    assert Resume() not in answered.effects
    assert answered.says
    assert answered.says[-1].choices[-1].payload == "resume"
    again = dialog.decide(turn(Kind.COMMAND, command="stop", stopped=True))
    assert all(c.payload != "resume" for s in again.says for c in s.choices)


def test_a_person_marked_unreachable_is_reachable_again_by_writing(dialog: Dialog) -> None:
    incoming = Incoming("test", "1", Kind.TEXT, text="menu", display_name="Lan")
    blocked = Turn(incoming, "menu", None, False, NOW, date(2026, 11, 25), blocked=True)
    decision = dialog.decide(blocked)
    assert decision.effects == (Resume(),)
    assert all(c.payload != "resume" for s in decision.says for c in s.choices)


@pytest.mark.parametrize("command", ["help", "menu"])
def test_help_and_menu_end_any_flow(dialog: Dialog, command: str) -> None:
    decision = dialog.decide(turn(Kind.COMMAND, command=command, state=State("calc", "x")))
    assert decision.state is None
    assert decision.says[-1].choices


def test_non_text_gets_the_only_text_answer_and_keeps_the_flow(dialog: Dialog) -> None:
    state = State("calc", "members")
    decision = dialog.decide(turn(Kind.UNSUPPORTED, state=state))
    assert decision.says[0].template == "only_text"
    assert decision.state == state


def test_unknown_command_is_named_back(dialog: Dialog) -> None:
    decision = dialog.decide(turn(Kind.COMMAND, command="xyz"))
    assert decision.says[0].template == "unknown_command"
    assert decision.says[0].data["command"] == "xyz"


def ask(dialog: Dialog, text: str, state: State | None = None) -> Decision:
    return dialog.decide(turn(Kind.TEXT, text, state=state))


def test_a_household_question_with_its_numbers_gets_the_figures(dialog: Dialog) -> None:
    decision = ask(dialog, "nha toi 4 nguoi dong bhyt 6 thang het bao nhieu")
    (say,) = decision.says
    assert say.template == "calc/result_household"
    quote = say.data["q"]
    assert [line.period_amount for line in quote.lines] == [683_100, 478_170, 409_860, 341_550]
    assert quote.total == 1_912_680
    assert decision.state is None


def test_a_missing_period_is_asked_with_buttons_then_priced(dialog: Dialog) -> None:
    first = ask(
        dialog, "Chào cháu, nhà bác có 3 người, mua bảo hiểm y tế hộ gia đình hết bao nhiêu"
    )
    assert first.says[0].template == "calc/ask_months"
    assert [c.payload for c in first.says[0].choices] == [
        "calc:months:3",
        "calc:months:6",
        "calc:months:12",
    ]
    assert first.state is not None
    second = ask(dialog, "12 thang", state=first.state)
    quote = second.says[0].data["q"]
    assert (quote.members, quote.months, quote.total) == (3, 12, 1_366_200 + 956_340 + 819_720)


def test_voluntary_income_is_answered_at_once_for_every_group_then_for_the_one_picked(
    dialog: Dialog,
) -> None:
    first = ask(dialog, "bhxh tự nguyện thu nhập 3 triệu thì đóng bao nhiêu một tháng")
    assert first.says[0].template == "calc/result_voluntary"
    everyone = first.says[0].data["by_group"]
    assert [everyone[g].net_monthly for g in ("poor", "near_poor", "ethnic_minority", "other")] == [
        495_000,
        528_000,
        561_000,
        594_000,
    ]
    assert "calc:group:near_poor" in [c.payload for c in first.says[0].choices]
    second = dialog.decide(turn(Kind.BUTTON, "calc:group:near_poor", state=first.state))
    quote = second.says[0].data["q"]
    assert (quote.gross_monthly, quote.support_monthly, quote.net_monthly) == (
        660_000,
        132_000,
        528_000,
    )


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ("nhà tôi 500 người đóng bhyt 6 tháng bao nhiêu", "members"),
        ("bhxh tu nguyen thu nhap 60 trieu dong bao nhieu", "income"),
    ],
)
def test_out_of_range_numbers_are_explained_and_asked_again(
    dialog: Dialog, typed: str, field: str
) -> None:
    decision = ask(dialog, typed)
    problem = decision.says[0]
    assert problem.template == "calc/out_of_range"
    assert problem.data["field"] == field
    assert decision.state is not None
    assert decision.state.step == field


def test_the_guided_calculator_walks_step_by_step(dialog: Dialog) -> None:
    state = None
    for payload in ["calc", "calc:kind:household", "calc:members:2"]:
        decision = dialog.decide(turn(Kind.BUTTON, payload, state=state))
        state = decision.state
    assert state is not None
    assert state.step == "months"
    done = dialog.decide(turn(Kind.BUTTON, "calc:months:3", state=state))
    assert done.says[0].data["q"].total == 341_550 + 239_085


def test_gibberish_inside_the_calculator_asks_the_same_step_again(dialog: Dialog) -> None:
    state = State("calc", "members", {"kind": "household"})
    decision = ask(dialog, "asdfgh", state=state)
    assert decision.says[0].template == "calc/ask_members"
    assert decision.says[0].data["retry"] is True
    assert decision.state == state


def test_an_unclear_question_offers_the_closest_topics_and_the_menu(dialog: Dialog) -> None:
    decision = ask(dialog, "xyz qwerty")
    (say,) = decision.says
    assert say.template == "unsure"
    assert [c.payload for c in say.choices][-5:] == ["topics", "calc", "reg", "remind", "hotline"]


def test_a_topic_question_is_answered_from_its_template(dialog: Dialog) -> None:
    decision = ask(dialog, "the bhyt mua lan dau bao lau thi co gia tri")
    assert decision.says[0].template == "topics/the_gia_tri"
    assert decision.says[0].data["f"].on == date(2026, 11, 25)


def test_stop_words_stop(dialog: Dialog) -> None:
    assert ask(dialog, "không nhận tin nữa").effects == (Stop(),)


def test_asking_to_calculate_with_an_income_starts_the_voluntary_calculator(
    dialog: Dialog,
) -> None:
    decision = ask(dialog, "tính giúp tôi số tiền với thu nhập 4 triệu")
    assert decision.says[0].template == "calc/result_voluntary"
    assert decision.says[0].data["q"].net_monthly == 814_000
    assert decision.state is not None
    assert decision.state.data == {"kind": "voluntary", "income": 4_000_000}


def test_asking_to_calculate_without_numbers_asks_what_to_calculate(dialog: Dialog) -> None:
    decision = ask(dialog, "tính tiền đóng")
    assert decision.says[0].template == "calc/ask_kind"


@pytest.mark.parametrize("typed", ["9" * 330, "9" * 330 + " đồng"])
def test_an_absurdly_long_income_is_asked_again_politely(dialog: Dialog, typed: str) -> None:
    state = State("calc", "income", {"kind": "voluntary"})
    decision = ask(dialog, typed, state=state)
    assert decision.says[0].template == "calc/ask_income"
    assert decision.says[0].data["retry"] is True
    assert decision.state == state


def test_a_huge_but_readable_income_is_explained_as_out_of_range(dialog: Dialog) -> None:
    state = State("calc", "income", {"kind": "voluntary"})
    decision = ask(dialog, "9" * 15 + " tỷ", state=state)
    assert decision.says[0].template == "calc/out_of_range"
    assert decision.says[0].data["field"] == "income"


def test_numbers_of_309_digits_get_an_answer(dialog: Dialog) -> None:
    assert ask(dialog, "9" * 309).says
    income = State("calc", "income", {"kind": "voluntary"})
    assert ask(dialog, "thu nhập " + "9" * 309 + " tr", state=income).says


@pytest.mark.parametrize(
    ("payload", "state"),
    [
        ("calc:income:²", State("calc", "income", {"kind": "voluntary"})),
        ("calc:members:" + "9" * 24, State("calc", "members", {"kind": "household"})),
        ("calc:months:٣", State("calc", "months", {"kind": "student"})),
        ("reg:household:²", State("register", "household", {"interest": "household"})),
    ],
)
def test_buttons_with_odd_digits_are_asked_again(
    dialog: Dialog, payload: str, state: State
) -> None:
    decision = dialog.decide(turn(Kind.BUTTON, payload, state=state))
    assert decision.says
    assert decision.says[0].template != "calc/out_of_range"


def test_id_names_the_sender_and_keeps_the_flow(dialog: Dialog) -> None:
    state = State("calc", "members", {"kind": "household"})
    incoming = Incoming("zalo", "abc123", Kind.COMMAND, command="id", chat_id="abc123")
    decision = dialog.decide(Turn(incoming, "", state, False, NOW, date(2026, 11, 25)))
    (say,) = decision.says
    assert say.template == "your_id"
    assert {k: say.data[k] for k in ("channel", "sender", "group")} == {
        "channel": "zalo",
        "sender": "abc123",
        "group": "",
    }
    assert decision.state == state
