"""The registration flow decides steps, consent, validation and timeouts without any I/O."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.dialog.registration import check_name
from bot.core.effects import Outcomes, RegistrationSaved, SaveRegistration, Stop
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
    *,
    state: State | None = None,
    now: datetime = NOW,
    phone: str = "",
    own: bool = True,
    outcomes: Outcomes | None = None,
) -> Turn:
    incoming = Incoming("test", "1", kind, text=text, phone=phone, own_contact=own)
    return Turn(incoming, text, state, False, now, date(2026, 11, 25), outcomes or Outcomes())


def walk(dialog: Dialog, steps: list[tuple[Kind, str]]) -> Decision:
    decision = dialog.decide(turn(Kind.BUTTON, "reg"))
    for kind, text in steps:
        decision = dialog.decide(turn(kind, text, state=decision.state))
    return decision


FULL = [
    (Kind.BUTTON, "reg:interest:household"),
    (Kind.BUTTON, "reg:consent:yes"),
    (Kind.TEXT, "  Nguyễn   Thị Hoa "),
    (Kind.TEXT, "+84 905 123 456"),
    (Kind.TEXT, "xa hoa phu"),
    (Kind.TEXT, "Thôn 3"),
    (Kind.BUTTON, "reg:household:skip"),
    (Kind.TEXT, "buổi chiều"),
]


def test_the_full_flow_ends_in_one_save_effect_with_what_was_confirmed(dialog: Dialog) -> None:
    summary = walk(dialog, FULL)
    assert summary.says[0].template == "register/summary"
    assert not summary.effects
    confirm = dialog.decide(turn(Kind.BUTTON, "reg:confirm", state=summary.state))
    (effect,) = confirm.effects
    assert confirm.then_decide
    assert isinstance(effect, SaveRegistration)
    assert (effect.name, effect.phone, effect.commune, effect.household, effect.time) == (
        "Nguyễn Thị Hoa",
        "+84905123456",
        "xa hoa phu",
        None,
        "afternoon",
    )
    assert effect.consent_at == NOW
    outcome = Outcomes().added(effect, RegistrationSaved("DK000007", merged=False))
    done = dialog.decide(turn(Kind.BUTTON, "reg:confirm", state=summary.state, outcomes=outcome))
    assert done.says[0].template == "register/done"
    assert {k: done.says[0].data[k] for k in ("reference", "merged")} == {
        "reference": "DK000007",
        "merged": False,
    }
    assert done.state is None


def test_refusing_consent_ends_the_flow_with_nothing_to_store(dialog: Dialog) -> None:
    decision = walk(dialog, [(Kind.BUTTON, "reg:interest:other"), (Kind.BUTTON, "reg:consent:no")])
    assert decision.says[0].template == "register/refused"
    assert decision.state is None
    assert decision.effects == ()


def test_the_interest_named_in_free_text_is_taken(dialog: Dialog) -> None:
    decision = dialog.decide(turn(Kind.TEXT, "tôi muốn đăng ký mua bhyt cho cả nhà"))
    assert decision.state is not None
    assert decision.state.step == "consent"
    assert decision.state.data["interest"] == "household"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Nguyen Van 2", "digits"),
        ("a" * 500, "too_long"),
        ("Hoa 🌸", "symbols"),
        ("<b>Hoa</b>", "symbols"),
        ("{{ name }}", "symbols"),
        ("   ", "empty"),
    ],
)
def test_bad_names_are_refused_with_a_reason(typed: str, problem: str) -> None:
    assert check_name(typed) == (None, problem)


def test_a_name_that_reads_like_a_command_is_still_a_name(dialog: Dialog) -> None:
    asked = walk(dialog, FULL[:2])
    named = dialog.decide(turn(Kind.TEXT, "Dũng", state=asked.state))
    assert named.state is not None
    assert named.state.data["name"] == "Dũng"
    stopped = dialog.decide(turn(Kind.TEXT, "dừng", state=asked.state))
    assert stopped.effects == (Stop(),)
    assert stopped.state is None


def test_three_invalid_phones_cancel_politely(dialog: Dialog) -> None:
    decision = walk(dialog, FULL[:3])
    for typed in ("12345", "abc"):
        decision = dialog.decide(turn(Kind.TEXT, typed, state=decision.state))
        assert decision.says[0].data["problem"] in ("too_short", "letters")
    decision = dialog.decide(turn(Kind.TEXT, "1900 9068", state=decision.state))
    assert decision.says[0].template == "register/phone_gave_up"
    assert decision.state is None
    assert not decision.effects


def test_someone_elses_contact_is_refused(dialog: Dialog) -> None:
    asked = walk(dialog, FULL[:3])
    refused = dialog.decide(turn(Kind.CONTACT, phone="84905123456", own=False, state=asked.state))
    assert refused.says[0].template == "register/not_own_contact"
    assert refused.state is not None
    assert "phone" not in refused.state.data
    taken = dialog.decide(turn(Kind.CONTACT, phone="84905123456", state=asked.state))
    assert taken.state is not None
    assert taken.state.data["phone"] == "+84905123456"


def test_a_flow_idle_for_30_minutes_is_dropped(dialog: Dialog) -> None:
    asked = walk(dialog, FULL[:4])
    late = NOW + timedelta(minutes=31)
    decision = dialog.decide(turn(Kind.TEXT, "Xã Hòa Phú", state=asked.state, now=late))
    assert decision.says[0].template == "register/expired"
    assert decision.state is None or decision.state.flow != "register"
    in_time = dialog.decide(
        turn(Kind.TEXT, "Xã Hòa Phú", state=asked.state, now=NOW + timedelta(minutes=29))
    )
    assert in_time.state is not None
    assert in_time.state.data["commune"] == "Xã Hòa Phú"


def test_huy_cancels_and_edit_goes_back_to_the_summary(dialog: Dialog) -> None:
    summary = walk(dialog, FULL)
    cancelled = dialog.decide(turn(Kind.TEXT, "hủy", state=summary.state))
    assert cancelled.says[0].template == "privacy/cancelled"
    assert cancelled.state is None
    editing = dialog.decide(turn(Kind.BUTTON, "reg:edit:village", state=summary.state))
    assert editing.says[0].template == "register/ask_village"
    again = dialog.decide(turn(Kind.TEXT, "Tổ 5", state=editing.state))
    assert again.says[0].template == "register/summary"
    assert again.state is not None
    assert again.state.data["village"] == "Tổ 5"
