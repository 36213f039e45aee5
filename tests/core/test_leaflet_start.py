"""A leaflet's code, decided purely: looked up first, then the village's greeting or the
normal one; typed alone (Zalo) it works like `/start <code>`."""

from __future__ import annotations

from dataclasses import replace

from bot.core.dialog import Dialog
from bot.core.effects import LeafletPlace, Outcomes, UseLeaflet
from bot.core.types import Incoming, Kind
from tests.core.test_place_question import dialog, turn

__all__ = ["dialog"]  # the module-scoped fixture, shared


def _start(text: str) -> Incoming:
    return Incoming("test", "1", Kind.COMMAND, text=text, command="start", display_name="Lan")


def test_a_code_is_looked_up_then_greets_as_the_villages_loa(dialog: Dialog) -> None:
    asked = replace(turn(Kind.COMMAND, "/start"), incoming=_start("l-Ab3_x9Zq"))
    first = dialog.decide(asked)
    assert first.then_decide
    assert first.effects == (UseLeaflet("l-Ab3_x9Zq"),)
    assert first.says == ()
    found = LeafletPlace("Xã Hòa Phú", "Thôn Đông")
    second = dialog.decide(replace(asked, outcomes=Outcomes().added(first.effects[0], found)))
    (say,) = second.says
    assert say.template == "start_leaflet"
    assert say.data["commune"] == "Xã Hòa Phú"
    assert say.data["village"] == "Thôn Đông"
    assert not second.effects


def test_an_unknown_or_revoked_code_gets_the_normal_greeting(dialog: Dialog) -> None:
    asked = replace(turn(Kind.COMMAND, "/start"), incoming=_start("l-nobody"))
    second = dialog.decide(
        replace(asked, outcomes=Outcomes().added(UseLeaflet("l-nobody"), LeafletPlace()))
    )
    assert [say.template for say in second.says] == ["start"]


def test_what_is_not_a_code_is_never_looked_up(dialog: Dialog) -> None:
    for payload in ("cb-invite", "l-" + "x" * 70, "../etc", "<b>l-x</b>", "l-ä", ""):
        decision = dialog.decide(replace(turn(Kind.COMMAND, "/start"), incoming=_start(payload)))
        assert not decision.effects
        assert [say.template for say in decision.says] == ["start"]


def test_a_code_typed_alone_on_zalo_is_looked_up_too(dialog: Dialog) -> None:
    typed = dialog.decide(turn(Kind.TEXT, "l-Ab3_x9Zq"))
    assert typed.effects == (UseLeaflet("l-Ab3_x9Zq"),)
    assert typed.then_decide
