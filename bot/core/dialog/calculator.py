"""The guided calculator: what kind of insurance, then the missing numbers, then the figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core import extract
from bot.core.dialog.menu import back_to_menu
from bot.core.dialog.turn import Turn
from bot.core.integers import ascii_int
from bot.core.premiums import (
    QuoteError,
    household_quote,
    near_poor_quote,
    student_quote,
    voluntary_quote,
)
from bot.core.rates import RateBook
from bot.core.text import fold
from bot.core.types import Choice, Decision, Say, State

__all__ = ["FLOW", "KINDS", "Calculator"]

FLOW = "calc"
KINDS = ("household", "student", "near_poor", "voluntary")
GROUPS = ("poor", "near_poor", "ethnic_minority", "other")
_NEEDS: Mapping[str, tuple[str, ...]] = {
    "household": ("members", "months"),
    "student": ("months",),
    "near_poor": ("months",),
    "voluntary": ("income", "group"),
}
_INCOME_CHOICES = (3_000_000, 5_000_000, 10_000_000)
"""Incomes offered as buttons after the lowest one allowed on the day."""
_MILLION = 1_000_000
_MAX_MEMBER_BUTTONS = 5


@dataclass(frozen=True, slots=True)
class Calculator:
    """Asks for what a quote needs, one step at a time, and prices it with the rate book."""

    book: RateBook

    def start(self, turn: Turn, data: Mapping[str, Any] | None = None) -> Decision:
        """Begin (or resume with known numbers) and ask the first missing thing."""
        return self._next(turn, dict(data or {}))

    def on_button(self, turn: Turn, payload: str) -> Decision:
        """Handle a calculator button: calc, calc:kind:x, calc:members:n, calc:months:n…"""
        data = dict(turn.state.data) if turn.state and turn.state.flow == FLOW else {}
        parts = payload.split(":")
        if len(parts) == 1:
            return self._next(turn, {})
        if len(parts) != 3:
            return self._ask(turn, data, retry=True)
        _, field, value = parts
        if field == "kind" and value in KINDS:
            return self._next(turn, {"kind": value})
        if field == "members" and value == "more":
            return Decision(
                says=(Say("calc/ask_members_typed"),), state=State(FLOW, "members", data)
            )
        if field == "group" and value in GROUPS:
            data["group"] = value
            return self._next(turn, data)
        number = ascii_int(value, extract.MAX_DIGITS)
        if field in ("members", "months", "income") and number is not None:
            data[field] = number
            return self._next(turn, data)
        return self._ask(turn, data, retry=True)

    def on_text(self, turn: Turn) -> Decision | None:
        """Read the number asked for from typed text; None if the text is not an answer."""
        assert turn.state is not None
        data = dict(turn.state.data)
        step = turn.state.step
        value: int | str | None = None
        if step == "members":
            value = extract.household_size(turn.text) or _bare_number(turn.text)
        elif step == "months":
            value = extract.months(turn.text) or _bare_number(turn.text)
        elif step == "income":
            value = extract.money(turn.text)
            if value is None:
                bare = _bare_number(turn.text)
                value = bare * _MILLION if bare is not None and 0 < bare < 1000 else bare
        elif step == "group":
            value = extract.support_group(turn.text)
            if value is None and _says_none(turn.text):
                value = "other"
        elif step == "kind":
            return None
        if value is None:
            return None
        data[step] = value
        return self._next(turn, data)

    def resume(self, turn: Turn) -> Decision:
        """Ask the current step again (after a question asked on the way)."""
        data = dict(turn.state.data) if turn.state else {}
        return self._ask(turn, data)

    def reask(self, turn: Turn) -> Decision:
        """Ask the current step again, saying the last answer was not understood."""
        data = dict(turn.state.data) if turn.state else {}
        return self._ask(turn, data, retry=True)

    def _next(self, turn: Turn, data: dict[str, Any]) -> Decision:
        kind = data.get("kind")
        if kind not in KINDS:
            return self._ask(turn, {}, step="kind")
        missing = [need for need in _NEEDS[kind] if need not in data]
        if not missing:
            return self._quote(turn, data)
        if kind == "voluntary" and missing == ["group"]:
            return self._every_group(turn, data)
        try:
            self._price(turn, {**data, **self._stand_ins(missing, _priced_on(turn, data))})
        except QuoteError as error:
            return self._out_of_range(turn, data, error)
        return self._ask(turn, data, step=missing[0])

    def _stand_ins(self, missing: list[str], today: date) -> dict[str, Any]:
        """Return valid placeholder values so known numbers can be checked before the rest."""
        stand_ins = {
            "members": 1,
            "months": 12,
            "income": self.book.integer("poverty_line", today),
            "group": "other",
        }
        return {need: stand_ins[need] for need in missing}

    def _price(self, turn: Turn, data: Mapping[str, Any]) -> object:
        kind, today = data["kind"], _priced_on(turn, data)
        if kind == "household":
            return household_quote(self.book, data["members"], data["months"], today)
        if kind == "student":
            return student_quote(self.book, data["months"], today)
        if kind == "near_poor":
            return near_poor_quote(self.book, data["months"], today)
        months, lowest = int(data.get("months", 1)), bool(data.get("lowest"))
        return voluntary_quote(
            self.book, data["income"], data["group"], today, months, lowest=lowest
        )

    def _every_group(self, turn: Turn, data: dict[str, Any]) -> Decision:
        """Answer an income at once: the amount for everyone, and for each supported group."""
        try:
            quotes = {g: self._price(turn, {**data, "group": g}) for g in GROUPS}
        except QuoteError as error:
            return self._out_of_range(turn, data, error)
        shown = {
            "q": quotes["other"],
            "by_group": quotes,
            **self._coming(turn, {**data, "group": "other"}),
        }
        choices = (
            *self._choices("group", turn.today)[:-1],
            Choice("calc", "calc.again"),
            *back_to_menu(),
        )
        say = Say("calc/result_voluntary", shown, choices)
        return Decision(says=(say,), state=State(FLOW, "group", data))

    def _out_of_range(self, turn: Turn, data: dict[str, Any], error: QuoteError) -> Decision:
        data.pop(error.field, None)
        bounds: dict[str, Any] = {}
        if error.field == "income" and error.minimum is not None and error.maximum is not None:
            day = _priced_on(turn, data)
            bounds = {
                "lowest": voluntary_quote(self.book, error.minimum, "other", day),
                "highest": voluntary_quote(self.book, error.maximum, "other", day),
            }
        problem = Say(
            "calc/out_of_range",
            {
                "field": error.field,
                "value": error.value,
                "minimum": error.minimum,
                "maximum": error.maximum,
                "allowed": error.allowed or (),
                **bounds,
            },
        )
        asked = self._next(turn, data)
        return Decision(says=(problem, *asked.says), state=asked.state)

    def _ask(
        self, turn: Turn, data: dict[str, Any], *, step: str | None = None, retry: bool = False
    ) -> Decision:
        step = step or (turn.state.step if turn.state else "kind")
        template = f"calc/ask_{step}"
        say = Say(
            template,
            {"retry": retry, "kind": data.get("kind", "")},
            self._choices(step, turn.today),
        )
        return Decision(says=(say,), state=State(FLOW, step, data))

    def _choices(self, step: str, today: date) -> tuple[Choice, ...]:
        if step == "kind":
            return tuple(Choice(f"calc:kind:{k}", f"calc.kind.{k}") for k in KINDS)
        if step == "members":
            numbers = range(1, _MAX_MEMBER_BUTTONS + 1)
            return (
                *(Choice(f"calc:members:{n}", "calc.members", {"n": n}) for n in numbers),
                Choice("calc:members:more", "calc.members_more"),
            )
        if step == "months":
            periods = self.book.integers("payment_periods", self.book.covers_from())
            return tuple(Choice(f"calc:months:{m}", "calc.months", {"m": m}) for m in periods)
        if step == "income":
            return tuple(
                Choice(f"calc:income:{amount}", "calc.income", {"amount": amount})
                for amount in self._incomes(today)
            )
        if step == "group":
            return tuple(Choice(f"calc:group:{g}", f"calc.group.{g}") for g in GROUPS)
        return back_to_menu()

    def _incomes(self, today: date) -> tuple[int, ...]:
        """Return the incomes to offer: the lowest allowed today, then a few common ones."""
        lowest = self.book.integer("poverty_line", today)
        return (lowest, *(amount for amount in _INCOME_CHOICES if amount > lowest))

    def _quote(self, turn: Turn, data: dict[str, Any]) -> Decision:
        try:
            quote = self._price(turn, data)
        except QuoteError as error:
            return self._out_of_range(turn, data, error)
        choices = (Choice("calc", "calc.again"), *back_to_menu())
        shown = {"q": quote, "members": int(data.get("members", 1)), **self._coming(turn, data)}
        return Decision(says=(Say(f"calc/result_{data['kind']}", shown, choices),))

    def _coming(self, turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
        """The same BHXH tự nguyện case priced at the next known change, when one is near.

        `next` is that quote; when the income will no longer be allowed, `next_minimum`
        is the lowest income allowed from `next_on` instead.
        """
        upcoming = self.book.next_change(turn.today)
        if data["kind"] != "voluntary" or upcoming is None or "on" in data:
            return {}
        try:
            later = voluntary_quote(self.book, data["income"], data["group"], upcoming)
        except QuoteError as error:
            if error.minimum is None or data["income"] > error.minimum:
                return {}
            lowest = voluntary_quote(self.book, error.minimum, data["group"], upcoming)
            return {"next_on": upcoming, "next_minimum": error.minimum, "next": lowest}
        return {"next_on": upcoming, "next": later}


def _priced_on(turn: Turn, data: Mapping[str, Any]) -> date:
    """Return the day a quote is priced at: the one the question named, else today."""
    return date.fromisoformat(str(data["on"])) if "on" in data else turn.today


def _bare_number(text: str) -> int | None:
    """Return the integer when the text is just a number ("4", "-2", "12."), else None."""
    stripped = text.strip().rstrip(".").replace(" ", "")
    number = ascii_int(stripped.removeprefix("-"), 12)
    if number is None:
        return None
    return -number if stripped.startswith("-") else number


def _says_none(text: str) -> bool:
    """Tell whether the resident says they belong to no support group."""
    folded = fold(text)
    return folded in {"khong", "ko", "k", "khac", "binh thuong", "khong thuoc", "khong co"} or (
        "khong thuoc" in folded
    )
