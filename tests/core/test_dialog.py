from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.types import Effect, Incoming, Kind, State

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


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


def test_start_greets_by_name_with_the_main_menu() -> None:
    decision = Dialog().decide(turn(Kind.COMMAND, command="start"))
    (say,) = decision.says
    assert say.template == "start"
    assert say.data["name"] == "Lan"
    assert [c.payload for c in say.choices] == ["topics", "calc", "hotline"]
    assert decision.effects == ()


def test_stop_stops_and_writing_again_resumes() -> None:
    stopped = Dialog().decide(turn(Kind.COMMAND, command="stop"))
    assert stopped.effects == (Effect.STOP,)
    resumed = Dialog().decide(turn(Kind.TEXT, "menu", stopped=True))
    assert resumed.effects == (Effect.RESUME,)
    assert [s.template for s in resumed.says] == ["resumed", "menu"]


@pytest.mark.parametrize("command", ["help", "menu"])
def test_help_and_menu_end_any_flow(command: str) -> None:
    decision = Dialog().decide(turn(Kind.COMMAND, command=command, state=State("calc", "x")))
    assert decision.state is None
    assert decision.says[-1].choices


def test_non_text_gets_the_only_text_answer_and_keeps_the_flow() -> None:
    state = State("calc", "members")
    decision = Dialog().decide(turn(Kind.UNSUPPORTED, state=state))
    assert decision.says[0].template == "only_text"
    assert decision.state == state


def test_unknown_command_is_named_back() -> None:
    decision = Dialog().decide(turn(Kind.COMMAND, command="xyz"))
    assert decision.says[0].template == "unknown_command"
    assert decision.says[0].data["command"] == "xyz"
