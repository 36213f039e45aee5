"""The "Đăng ký tư vấn" conversation: interest, consent, name, phone, places, call-back time.

Nothing personal is asked before the resident agrees to the notice; nothing is stored as a
registration before they confirm the summary. Saving is an effect the engine runs
(`SaveRegistration`), and listing one's registrations (`ListRegistrations`) too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core import extract
from bot.core.dialog.menu import back_to_menu
from bot.core.dialog.turn import Turn
from bot.core.effects import ListRegistrations, SaveRegistration, as_data
from bot.core.integers import ascii_int
from bot.core.interests import INTERESTS, interest_label
from bot.core.phones import display_phone, normalise_phone, phone_problem
from bot.core.places import display_place, place_key
from bot.core.text import fold
from bot.core.types import Choice, Decision, Say, State

__all__ = [
    "CALL_TIMES",
    "FLOW",
    "IDLE_LIMIT",
    "MAX_NAME_LENGTH",
    "MAX_PHONE_TRIES",
    "STEPS",
    "Registration",
    "check_name",
]

FLOW = "register"
CALL_TIMES = ("morning", "afternoon", "evening", "any")
IDLE_LIMIT = timedelta(minutes=30)
MAX_NAME_LENGTH = 100
MAX_PHONE_TRIES = 3
MAX_HOUSEHOLD = 30
_HOUSEHOLD_BUTTONS = 6
STEPS = ("interest", "consent", "name", "phone", "commune", "village", "household", "time")
_EDITABLE = ("interest", "name", "phone", "commune", "village", "household", "time")
_NAME_PUNCTUATION = frozenset(" '’-.")
_YES = frozenset({"dong y", "co", "ok", "oke", "vang", "da", "duoc", "dong y a", "co a", "u"})
_NO = frozenset({"khong", "khong dong y", "thoi", "ko", "k", "khong a"})
_SKIP = frozenset({"bo qua", "bo qua di", "khong", "khong biet", "ko", "k"})
_INTEREST_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("voluntary", ("bhxh", "tu nguyen", "luong huu", "huu tri")),
    ("student", ("hoc sinh", "sinh vien")),
    ("sponsor", ("tang the", "ho tro the", "mua giup", "mua tang", "kho khan")),
    ("household", ("ca nha", "ho gia dinh", "gia dinh", "bhyt", "bao hiem y te", "the")),
)
_CALL_TIME_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("any", ("bat ky", "luc nao", "gio nao", "khi nao cung")),
    ("morning", ("sang",)),
    ("afternoon", ("chieu", "trua")),
    ("evening", ("toi",)),
)


def check_name(text: str) -> tuple[str | None, str | None]:
    """Return (tidy name, None) or (None, reason): empty, too_long, digits, symbols, short."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        return None, "empty"
    if len(name) > MAX_NAME_LENGTH:
        return None, "too_long"
    if any(ch.isdigit() for ch in name):
        return None, "digits"
    for ch in name:
        if ch in _NAME_PUNCTUATION:
            continue
        if not unicodedata.category(ch).startswith(("L", "M")):
            return None, "symbols"
    if sum(ch.isalpha() for ch in name) < 2:
        return None, "short"
    return name, None


def _has(folded: str, words: tuple[str, ...]) -> bool:
    padded = f" {folded} "
    return any(f" {word} " in padded for word in words)


def _pick(folded: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    for value, words in table:
        if _has(folded, words):
            return value
    return None


@dataclass(frozen=True, slots=True)
class Registration:
    """Asks one thing at a time, shows a summary, and saves only what was confirmed."""

    def start(self, turn: Turn, text: str = "") -> Decision:
        """Begin; an interest named in `text` ("đăng ký bhyt cho cả nhà") is taken as chosen."""
        data: dict[str, Any] = {}
        interest = _pick(fold(text), _INTEREST_WORDS) if text else None
        if interest is not None:
            data["interest"] = interest
        return self._next(turn, data)

    def expired(self, turn: Turn) -> bool:
        """Tell whether the person's registration was left idle for more than 30 minutes."""
        state = turn.state
        if state is None or state.flow != FLOW or "at" not in state.data:
            return False
        return turn.now - datetime.fromisoformat(str(state.data["at"])) > IDLE_LIMIT

    def listing(self, turn: Turn) -> Decision:
        """Show the person's registrations and their status (/dangky)."""
        items = turn.outcomes.of(ListRegistrations)
        if items is None:
            return Decision(says=(), effects=(ListRegistrations(),), then_decide=True)
        if not items:
            start = Choice("reg", "reg.start")
            return Decision(says=(Say("register/none", choices=(start, *back_to_menu())),))
        return Decision(
            says=(Say("register/list", {"items": items}, back_to_menu(), private=True),)
        )

    def on_button(self, turn: Turn, payload: str) -> Decision:
        """Handle reg, reg:interest:x, reg:consent:yes|no, reg:household:n|skip, reg:time:x,
        reg:edit, reg:edit:field, reg:confirm and reg:cancel."""
        if payload == "reg":
            return self.start(turn)
        data = self._data(turn)
        if data is None:
            return self.start(turn)
        parts = payload.split(":")
        if payload == "reg:confirm":
            return self._confirm(turn, data)
        if payload == "reg:cancel":
            return _cancelled()
        if payload == "reg:edit":
            return _ask_edit(turn, data)
        if len(parts) != 3:
            return self._next(turn, data)
        _, field, value = parts
        if field == "interest" and value in INTERESTS:
            data["interest"] = value
        elif field == "consent" and value in ("yes", "no"):
            return self._consent(turn, data, value == "yes")
        elif field == "household" and (value == "skip" or _bare_number(value) is not None):
            data["household"] = _bare_number(value)
        elif field == "time" and value in CALL_TIMES:
            data["time"] = value
        elif field == "edit" and value in _EDITABLE:
            data.pop(value, None)
            data.pop("tries", None)
        return self._next(turn, data)

    def resume(self, turn: Turn) -> Decision:
        """Ask again the step the resident was at (after a question asked on the way)."""
        return self._next(turn, self._data(turn) or {})

    def on_text(self, turn: Turn) -> Decision:
        """Read the answer to the current step from typed text (everything typed is an answer)."""
        assert turn.state is not None
        data = dict(turn.state.data)
        step = turn.state.step
        text, folded = turn.text, fold(turn.text)
        if step == "interest":
            interest = _pick(folded, _INTEREST_WORDS)
            if interest is None:
                return self._ask(turn, data, step, retry=True)
            data["interest"] = interest
        elif step == "consent":
            if folded in _YES or folded in _NO:
                return self._consent(turn, data, folded in _YES)
            return self._ask(turn, data, step, retry=True)
        elif step == "name":
            name, problem = check_name(text)
            if name is None:
                return self._ask(turn, data, step, problem=problem)
            data["name"] = name
        elif step == "phone":
            return self._phone(turn, data, text)
        elif step in ("commune", "village"):
            place = display_place(text)
            if not place_key(place):
                return self._ask(turn, data, step, retry=True)
            data[step] = place
        elif step == "household":
            size = extract.household_size(text) or _bare_number(text)
            if size is None and folded in _SKIP:
                data["household"] = None
            elif size is None or not 1 <= size <= MAX_HOUSEHOLD:
                return self._ask(turn, data, step, retry=True)
            else:
                data["household"] = size
        elif step == "time":
            chosen = _pick(folded, _CALL_TIME_WORDS)
            if chosen is None:
                return self._ask(turn, data, step, retry=True)
            data["time"] = chosen
        else:
            return self._next(turn, data)
        return self._next(turn, data)

    def on_contact(self, turn: Turn) -> Decision:
        """Take a phone shared with Telegram's button; refuse someone else's contact."""
        data = self._data(turn) or {}
        step = turn.state.step if turn.state else ""
        if step != "phone":
            return self._next(turn, data)
        if not turn.incoming.own_contact:
            refused = Say("register/not_own_contact")
            asked = self._ask(turn, data, "phone")
            return Decision(says=(refused, *asked.says), state=asked.state)
        return self._phone(turn, data, turn.incoming.phone)

    def _phone(self, turn: Turn, data: dict[str, Any], text: str) -> Decision:
        phone = normalise_phone(text)
        if phone is not None:
            data.pop("tries", None)
            data["phone"] = phone
            return self._next(turn, data)
        tries = int(data.get("tries", 0)) + 1
        if tries >= MAX_PHONE_TRIES:
            return Decision(says=(Say("register/phone_gave_up", choices=_restart()),))
        data["tries"] = tries
        problem = phone_problem(text) or "invalid"
        return self._ask(turn, data, "phone", problem=problem)

    def _consent(self, turn: Turn, data: dict[str, Any], agreed: bool) -> Decision:
        if not agreed:
            return Decision(says=(Say("register/refused", choices=back_to_menu()),))
        data["consent_at"] = turn.now.isoformat()
        return self._next(turn, data)

    def _confirm(self, turn: Turn, data: dict[str, Any]) -> Decision:
        missing = [step for step in STEPS if step != "consent" and step not in data]
        if missing or "consent_at" not in data:
            return self._next(turn, data)
        saved = turn.outcomes.of(SaveRegistration)
        if saved is None:
            return Decision(says=(), effects=(_to_save(data),), then_decide=True)
        return Decision(says=(Say("register/done", as_data(saved), back_to_menu(), private=True),))

    def _data(self, turn: Turn) -> dict[str, Any] | None:
        state = turn.state
        return dict(state.data) if state is not None and state.flow == FLOW else None

    def _next(self, turn: Turn, data: dict[str, Any]) -> Decision:
        for step in STEPS:
            if step == "consent" and "consent_at" not in data:
                return self._ask(turn, data, step)
            if step != "consent" and step not in data:
                return self._ask(turn, data, step)
        return self._summary(turn, data)

    def _ask(
        self,
        turn: Turn,
        data: dict[str, Any],
        step: str,
        *,
        retry: bool = False,
        problem: str | None = None,
    ) -> Decision:
        facts = {"retry": retry, "problem": problem or "", "tries_left": _tries_left(data)}
        say = Say(
            f"register/ask_{step}",
            {**facts, "interest": data.get("interest", "")},
            _choices(step),
            request_phone=step == "phone",
        )
        return Decision(says=(say,), state=_state(turn, step, data))

    def _summary(self, turn: Turn, data: dict[str, Any]) -> Decision:
        shown = {**data, "phone_display": display_phone(str(data["phone"]))}
        choices = (
            Choice("reg:confirm", "reg.confirm"),
            Choice("reg:edit", "reg.edit"),
            Choice("reg:cancel", "reg.cancel"),
        )
        return Decision(
            says=(Say("register/summary", {"d": shown}, choices, private=True),),
            state=_state(turn, "summary", data),
        )


def _ask_edit(turn: Turn, data: dict[str, Any]) -> Decision:
    choices = tuple(Choice(f"reg:edit:{field}", f"reg.field.{field}") for field in _EDITABLE)
    return Decision(
        says=(Say("register/ask_edit", choices=choices),), state=_state(turn, "edit", data)
    )


def _state(turn: Turn, step: str, data: dict[str, Any]) -> State:
    return State(FLOW, step, {**data, "at": turn.now.isoformat()})


def _to_save(data: Mapping[str, Any]) -> SaveRegistration:
    """Return the effect that saves the confirmed answers (as they are kept in the state)."""
    household = data["household"]
    return SaveRegistration(
        interest=str(data["interest"]),
        name=str(data["name"]),
        phone=str(data["phone"]),
        commune=str(data["commune"]),
        village=str(data["village"]),
        household=int(household) if household is not None else None,
        time=str(data["time"]),
        consent_at=datetime.fromisoformat(str(data["consent_at"])),
    )


def _tries_left(data: Mapping[str, Any]) -> int:
    return MAX_PHONE_TRIES - int(data.get("tries", 0))


def _choices(step: str) -> tuple[Choice, ...]:
    if step == "interest":
        return tuple(Choice(f"reg:interest:{k}", interest_label(k)) for k in INTERESTS)
    if step == "consent":
        return (Choice("reg:consent:yes", "reg.consent.yes"), Choice("reg:consent:no", "reg.no"))
    if step == "household":
        sizes = range(1, _HOUSEHOLD_BUTTONS + 1)
        return (
            *(Choice(f"reg:household:{n}", "reg.household", {"n": n}) for n in sizes),
            Choice("reg:household:skip", "reg.skip"),
        )
    if step == "time":
        return tuple(Choice(f"reg:time:{t}", f"reg.time.{t}") for t in CALL_TIMES)
    return ()


def _cancelled() -> Decision:
    return Decision(says=(Say("privacy/cancelled", choices=back_to_menu()),))


def _restart() -> tuple[Choice, ...]:
    return (Choice("reg", "reg.start"), *back_to_menu())


def _bare_number(text: str) -> int | None:
    stripped = text.strip().rstrip(".")
    return ascii_int(stripped, 3)
