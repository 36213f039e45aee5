"""Linking a resident to their card so Loa can remind them before it expires.

Three ways, cheapest first: share (or type) the phone number the commune has on its list;
type the BHXH number or CCCD with the date of birth; or, with no list entry, type the
card's expiry date. A phone shared with Telegram's own contact button is the sender's, so
it links at once; a typed phone is only a claim, so it needs the card holder's birth date
too and counts towards the same daily limit as the BHXH-number route. Until a person is
verified no reply names a card, a date or a place, nor tells whether a number is listed.
The look-ups and writes are effects the engine runs; this module only decides what to ask
and what to say about each outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.dates import parse_day
from bot.core.dialog.menu import back_to_menu
from bot.core.dialog.turn import Turn
from bot.core.effects import (
    LinkIdentity,
    Linking,
    LinkOwnPhone,
    LinkPhone,
    ReminderOverview,
    ResidentEffect,
    SelfReport,
    SetReminders,
    as_data,
)
from bot.core.phones import normalise_phone
from bot.core.types import Choice, Decision, Say, State

__all__ = ["FLOW", "Reminders"]

FLOW = "remind"
_MAX_PHONE_TRIES = 3
_WAYS = (
    Choice("remind:phone", "remind.by_phone"),
    Choice("remind:id", "remind.by_id"),
    Choice("remind:date", "remind.by_date"),
)


@dataclass(frozen=True, slots=True)
class Reminders:
    """The "Nhắc tôi gia hạn thẻ" conversation and /nhacnho."""

    def start(self) -> Decision:
        """Explain and offer the three ways to link."""
        return Decision(says=(Say("remind/ask_how", choices=(*_WAYS, *back_to_menu())),))

    def overview(self, turn: Turn) -> Decision:
        """Show the person's cards and planned reminders (/nhacnho)."""
        seen = turn.outcomes.of(ReminderOverview)
        if seen is None:
            return Decision(says=(), effects=(ReminderOverview(),), then_decide=True)
        if not seen.cards:
            return self.start()
        switch = (
            Choice("remind:off", "remind.turn_off")
            if seen.enabled
            else Choice("remind:on", "remind.turn_on")
        )
        choices = (switch, Choice("remind", "remind.add_card"), *back_to_menu())
        return Decision(says=(Say("remind/overview", as_data(seen), choices, private=True),))

    def on_button(self, turn: Turn, payload: str) -> Decision:
        """Handle remind, remind:phone, remind:id, remind:date, remind:off, remind:on."""
        if payload == "remind:phone":
            return _ask("phone", request_phone=True)
        if payload == "remind:id":
            return _ask("id_number")
        if payload == "remind:date":
            return _ask("expiry")
        if payload in ("remind:off", "remind:on"):
            return self._switch(turn, enabled=payload == "remind:on")
        if payload == "remind:overview":
            return self.overview(turn)
        return self.start()

    def resume(self, turn: Turn) -> Decision:
        """Ask again the step the resident was at (after a question asked on the way)."""
        state = turn.state
        if state is None or state.flow != FLOW:
            return self.start()
        step = state.step
        say = Say(f"remind/ask_{step}", request_phone=step == "phone")
        return Decision(says=(say,), state=state)

    def on_contact(self, turn: Turn) -> Decision:
        """A shared contact: link by its number if it is the sender's own."""
        if not turn.incoming.own_contact:
            return Decision(says=(Say("remind/not_own_contact"),), state=State(FLOW, "phone"))
        return self._link_own_phone(turn, turn.incoming.phone)

    def on_text(self, turn: Turn) -> Decision | None:
        """Read the answer to the current step; None when the text is not an answer."""
        assert turn.state is not None
        step, data = turn.state.step, dict(turn.state.data)
        if step == "phone":
            if normalise_phone(turn.text) is None:
                tries = int(data.get("tries", 0)) + 1
                if tries >= _MAX_PHONE_TRIES:
                    return Decision(says=(Say("remind/gave_up", choices=back_to_menu()),))
                return Decision(
                    says=(Say("remind/bad_phone", {"left": _MAX_PHONE_TRIES - tries}),),
                    state=State(FLOW, "phone", {"tries": tries}),
                )
            return Decision(
                says=(Say("remind/ask_phone_birth"),),
                state=State(FLOW, "phone_birth", {"phone": normalise_phone(turn.text)}),
            )
        if step == "phone_birth":
            born = parse_day(turn.text, turn.today, future_years=0)
            if born is None or born >= turn.today:
                return Decision(says=(Say("remind/bad_date"),), state=turn.state)
            return self._link_claimed(turn, LinkPhone(str(data["phone"]), born))
        if step == "id_number":
            digits = "".join(c for c in turn.text if c.isdigit())
            if len(digits) not in (10, 12) or len(digits) != len(turn.text.replace(" ", "")):
                return Decision(says=(Say("remind/bad_id_number"),), state=turn.state)
            return Decision(
                says=(Say("remind/ask_birth"),), state=State(FLOW, "birth", {"number": digits})
            )
        if step == "birth":
            born = parse_day(turn.text, turn.today, future_years=0)
            if born is None or born >= turn.today:
                return Decision(says=(Say("remind/bad_date"),), state=turn.state)
            return self._link_claimed(turn, LinkIdentity(str(data["number"]), born))
        if step == "expiry":
            expiry = parse_day(turn.text, turn.today)
            if expiry is None:
                return Decision(says=(Say("remind/bad_date"),), state=turn.state)
            return self._self_report(turn, expiry)
        return None

    def _link_own_phone(self, turn: Turn, shared: str) -> Decision:
        phone = normalise_phone(shared)
        if phone is None:
            return Decision(
                says=(Say("remind/bad_phone", {"left": 0}),), state=State(FLOW, "phone")
            )
        outcome = turn.outcomes.of(LinkOwnPhone)
        if outcome is None:
            return _effect(LinkOwnPhone(phone), turn.state)
        if outcome.status == "linked":
            return _linked(outcome)
        choices = (Choice("remind:id", "remind.by_id"), Choice("remind:date", "remind.by_date"))
        return Decision(says=(Say("remind/phone_not_found", choices=(*choices, *back_to_menu())),))

    def _link_claimed(self, turn: Turn, effect: LinkPhone | LinkIdentity) -> Decision:
        """Look up a typed phone or BHXH number with the birth date; say only linked or not."""
        outcome = turn.outcomes.of(type(effect))
        if outcome is None:
            return _effect(effect, turn.state)
        if outcome.status == "linked":
            return _linked(outcome)
        if outcome.status == "too_many":
            return Decision(says=(Say("remind/too_many_tries", choices=back_to_menu()),))
        again = "remind:phone" if isinstance(effect, LinkPhone) else "remind:id"
        choices = (Choice(again, "remind.try_again"), Choice("remind:date", "remind.by_date"))
        return Decision(says=(Say("remind/no_match", choices=(*choices, *back_to_menu())),))

    def _self_report(self, turn: Turn, expiry: date) -> Decision:
        outcome = turn.outcomes.of(SelfReport)
        if outcome is None:
            name = turn.incoming.display_name
            return _effect(SelfReport(expiry, name), turn.state)
        return _linked(outcome)

    def _switch(self, turn: Turn, *, enabled: bool) -> Decision:
        if turn.outcomes.of(SetReminders) is None:
            return _effect(SetReminders(enabled), None)
        choices = (
            (
                Choice("remind:off", "remind.turn_off")
                if enabled
                else Choice("remind:on", "remind.turn_on")
            ),
            *back_to_menu(),
        )
        return Decision(says=(Say("remind/switched", {"enabled": enabled}, choices),))


def _ask(step: str, *, request_phone: bool = False) -> Decision:
    say = Say(f"remind/ask_{step}", request_phone=request_phone)
    return Decision(says=(say,), state=State(FLOW, step))


def _effect(effect: ResidentEffect, state: State | None) -> Decision:
    return Decision(says=(), state=state, effects=(effect,), then_decide=True)


def _linked(outcome: Linking) -> Decision:
    choices = (Choice("remind:overview", "remind.see_plan"), *back_to_menu())
    return Decision(says=(Say("remind/linked", as_data(outcome), choices, private=True),))
