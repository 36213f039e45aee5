"""The reminder-linking conversation, decided without any database: outcomes are given."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.clock import VIETNAM
from bot.core.dialog.reminders import FLOW, Reminders
from bot.core.dialog.turn import Turn
from bot.core.effects import Card, LinkIdentity, Linking, LinkOwnPhone, LinkPhone, Outcomes
from bot.core.types import Incoming, Kind, State

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
FLOWS = Reminders()


def turn(
    kind: Kind,
    text: str = "",
    *,
    step: str | None = None,
    data: Mapping[str, Any] | None = None,
    outcomes: Outcomes | None = None,
    phone: str = "",
    own: bool = True,
) -> Turn:
    incoming = Incoming(
        "test", "1", kind, text=text, phone=phone, own_contact=own, display_name="Ba"
    )
    state = State(FLOW, step, data or {}) if step else None
    return Turn(incoming, text, state, False, NOW, date(2026, 11, 25), outcomes or Outcomes())


def test_start_offers_three_ways() -> None:
    (say,) = FLOWS.start().says
    assert [c.payload for c in say.choices][:3] == ["remind:phone", "remind:id", "remind:date"]


def test_choosing_phone_asks_for_it_with_the_share_button() -> None:
    decision = FLOWS.on_button(turn(Kind.BUTTON, "remind:phone"), "remind:phone")
    assert decision.says[0].request_phone
    assert decision.state == State(FLOW, "phone")


def test_a_typed_phone_asks_the_birth_date_before_any_look_up() -> None:
    asked = FLOWS.on_text(turn(Kind.TEXT, "0905 123 456", step="phone"))
    assert asked is not None
    assert asked.effects == ()
    assert asked.says[0].template == "remind/ask_phone_birth"
    assert asked.state == State(FLOW, "phone_birth", {"phone": "+84905123456"})
    data = {"phone": "+84905123456"}
    look = FLOWS.on_text(turn(Kind.TEXT, "05/03/1958", step="phone_birth", data=data))
    assert look is not None
    assert look.effects == (LinkPhone("+84905123456", date(1958, 3, 5)),)
    assert look.then_decide


def test_a_typed_phone_with_the_right_birth_date_shows_the_cards() -> None:
    card = Card(name="Nguyễn Văn Ba", expiry=date(2026, 12, 31), place="Thôn 3, Ea Tul")
    effect = LinkPhone("+84905123456", date(1958, 3, 5))
    outcome = Outcomes().added(effect, Linking("linked", [card]))
    data = {"phone": "+84905123456"}
    done = FLOWS.on_text(turn(Kind.TEXT, "5/3/58", step="phone_birth", data=data, outcomes=outcome))
    assert done is not None
    assert done.says[0].template == "remind/linked"
    assert done.state is None


def test_a_typed_phone_that_does_not_match_says_only_that() -> None:
    data = {"phone": "+84905123456"}
    for status, template in (
        ("no_match", "remind/no_match"),
        ("too_many", "remind/too_many_tries"),
    ):
        effect = LinkPhone("+84905123456", date(1960, 1, 1))
        outcomes = Outcomes().added(effect, Linking(status))
        said = FLOWS.on_text(
            turn(Kind.TEXT, "1/1/1960", step="phone_birth", data=data, outcomes=outcomes)
        )
        assert said is not None
        assert said.says[0].template == template
        assert said.says[0].data == {}
        assert said.state is None


def test_a_bad_birth_date_after_a_phone_is_asked_again() -> None:
    data = {"phone": "+84905123456"}
    decision = FLOWS.on_text(turn(Kind.TEXT, "hôm qua", step="phone_birth", data=data))
    assert decision is not None
    assert decision.says[0].template == "remind/bad_date"
    assert decision.state == State(FLOW, "phone_birth", data)


def test_ones_own_shared_contact_links_at_once() -> None:
    asked = FLOWS.on_contact(turn(Kind.CONTACT, phone="+84905123456", step="phone"))
    assert asked.effects == (LinkOwnPhone("+84905123456"),)


def test_someone_elses_contact_is_refused_without_a_lookup() -> None:
    decision = FLOWS.on_contact(turn(Kind.CONTACT, phone="+84905123456", own=False, step="phone"))
    assert decision.effects == ()
    assert decision.says[0].template == "remind/not_own_contact"


def test_three_bad_phones_end_the_flow_politely() -> None:
    state: dict[str, Any] = {}
    for _ in range(2):
        decision = FLOWS.on_text(turn(Kind.TEXT, "12ab", step="phone", data=state))
        assert decision is not None
        assert decision.says[0].template == "remind/bad_phone"
        assert decision.state is not None
        state = dict(decision.state.data)
    last = FLOWS.on_text(turn(Kind.TEXT, "12ab", step="phone", data=state))
    assert last is not None
    assert last.says[0].template == "remind/gave_up"
    assert last.state is None


def test_identity_asks_number_then_birth_date_and_hides_whether_the_number_exists() -> None:
    bad = FLOWS.on_text(turn(Kind.TEXT, "12345abc90", step="id_number"))
    assert bad is not None
    assert bad.says[0].template == "remind/bad_id_number"
    asked = FLOWS.on_text(turn(Kind.TEXT, "0123456789", step="id_number"))
    assert asked is not None
    assert asked.state == State(FLOW, "birth", {"number": "0123456789"})
    look = FLOWS.on_text(turn(Kind.TEXT, "5/3/58", step="birth", data={"number": "0123456789"}))
    assert look is not None
    assert look.effects == (LinkIdentity("0123456789", date(1958, 3, 5)),)
    answered = FLOWS.on_text(
        turn(
            Kind.TEXT,
            "5/3/58",
            step="birth",
            data={"number": "0123456789"},
            outcomes=Outcomes().added(
                LinkIdentity("0123456789", date(1958, 3, 5)), Linking("no_match")
            ),
        )
    )
    assert answered is not None
    assert answered.says[0].template == "remind/no_match"


def test_an_impossible_expiry_date_is_asked_again() -> None:
    decision = FLOWS.on_text(turn(Kind.TEXT, "31/02/2027", step="expiry"))
    assert decision is not None
    assert decision.says[0].template == "remind/bad_date"
    assert decision.state == State(FLOW, "expiry")
