"""Flows that understand the resident (#19 kind 7): numbers, cancel phrases, questions mid-flow."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind, State

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
