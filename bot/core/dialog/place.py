"""The place question: which commune and village the resident lives in, so news reach them.

Asked after an answered question to a resident with no place on record, never inside a flow,
at most twice in all and once a day; "Bỏ qua" ends the asking. /xa shows the place and
changes it. Buttons offer the communes and villages of the communes' lists (`PlaceBook`,
looked up by the `ListPlaces` effect); typed names are matched without diacritics, and a
name the lists do not know is taken as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.dialog.menu import back_to_menu, main_menu
from bot.core.dialog.turn import Turn
from bot.core.effects import SetPlace
from bot.core.places import Place, PlaceBook, display_place, place_key
from bot.core.types import Choice, Decision, Say, State

__all__ = ["ASKED", "FLOW", "MAX_ASKS", "SKIPPED", "PlaceQuestion", "counted", "due"]

FLOW = "place"
MAX_ASKS = 2
ASKED = "place_asked"
"""Memory key: how many times the question was asked (MAX_ASKS once skipped)."""
_ASKED_ON = "place_asked_on"
SKIPPED = "place/skipped"
_COMMUNE_BUTTONS = 8
_VILLAGE_BUTTONS = 12
_SKIP_WORDS = frozenset({"bo qua", "khong", "thoi", "de sau", "khong biet", "skip"})
_PARTS = re.compile(r"[,;\n]+")


def due(turn: Turn, decision: Decision, memory: dict[str, str]) -> bool:
    """Tell whether to ask the place question after this decision (and count it if so)."""
    if not turn.place_unknown or turn.state is not None or decision.state is not None:
        return False
    if decision.effects or decision.then_decide:
        return False
    asked = memory.get(ASKED, "0")
    if not asked.isdigit() or int(asked) >= MAX_ASKS:
        return False
    if memory.get(_ASKED_ON) == turn.today.isoformat():
        return False
    return any(say.template.startswith(("topics/", "asked/")) for say in decision.says)


def counted(memory: dict[str, str], turn: Turn) -> None:
    """Record in `memory` that the question was asked today."""
    asked = memory.get(ASKED, "0")
    memory[ASKED] = str((int(asked) if asked.isdigit() else 0) + 1)
    memory[_ASKED_ON] = turn.today.isoformat()


class PlaceQuestion:
    """The steps of the place question: commune, then village."""

    def ask(self, book: PlaceBook, *, explicit: bool) -> tuple[Say, State]:
        """Return the question's first message and state: the known communes as buttons."""
        communes = book.communes()[:_COMMUNE_BUTTONS]
        choices = tuple(
            Choice(f"place:c:{i}", "place.name", {"name": name}) for i, name in enumerate(communes)
        )
        say = Say("place/ask", {"known": bool(communes)}, (*choices, _SKIP))
        state = State(FLOW, "commune", {"offered": list(communes), "explicit": explicit})
        return say, state

    def show(self, turn: Turn, book: PlaceBook) -> Decision:
        """/xa: say where Loa thinks the person lives, with a button to change it."""
        place = turn.place
        if place is None:
            say, state = self.ask(book, explicit=True)
            return Decision(says=(Say("place/none"), say), state=state)
        change = Choice("place:change", "place.change")
        data = {"commune": place.commune, "village": place.village}
        return Decision(says=(Say("place/show", data, (change, *back_to_menu())),))

    def on_button(self, turn: Turn, payload: str, book: PlaceBook) -> Decision:
        """Handle place:change, place:skip, place:c:N (a commune), place:v:N (a village)."""
        if payload == "place:change":
            say, asking = self.ask(book, explicit=True)
            return Decision(says=(say,), state=asking)
        if payload == "place:skip":
            return _skipped()
        state = turn.state
        if state is None or state.flow != FLOW:
            return _EXPIRED
        explicit = bool(state.data.get("explicit"))
        offered = _names(state.data.get("offered"))
        kind, _, index = payload.removeprefix("place:").partition(":")
        picked = offered[int(index)] if index.isdigit() and int(index) < len(offered) else None
        commune = str(state.data.get("commune", ""))
        if kind == "nv" and state.step == "village" and commune:
            return _saved(Place(commune), explicit=explicit)
        if picked is None:
            return _EXPIRED
        if kind == "c" and state.step == "commune":
            return self._villages(picked, book, explicit=explicit)
        if kind == "v" and state.step == "village" and commune:
            return _saved(Place(commune, picked), explicit=explicit)
        return _EXPIRED

    def on_text(self, turn: Turn, folded: str, book: PlaceBook) -> Decision:
        """Take a typed commune ("Ea Tul"), village ("Thôn 3") or both ("Thôn 3, Ea Tul")."""
        state = turn.state
        assert state is not None
        explicit = bool(state.data.get("explicit"))
        commune = str(state.data.get("commune", ""))
        if folded in _SKIP_WORDS:
            if state.step == "village" and commune:
                return _saved(Place(commune), explicit=explicit)
            return _skipped()
        parts = [_tidy(display_place(p)) for p in _PARTS.split(turn.text) if place_key(p)]
        if not parts:
            return Decision(says=(Say("place/unclear"),), state=state)
        if state.step == "village" and commune:
            known = book.village(parts[0], commune)
            return _saved(known or Place(commune, parts[0]), explicit=explicit)
        if len(parts) >= 2:
            spelt = book.commune(parts[-1]) or parts[-1]
            known = book.village(parts[0], spelt)
            return _saved(known or Place(spelt, parts[0]), explicit=explicit)
        named = book.commune(parts[0])
        if named is not None:
            return self._villages(named, book, explicit=explicit)
        village = book.village(parts[0])
        if village is not None:
            return _saved(village, explicit=explicit)
        return self._villages(parts[0], book, explicit=explicit)

    def _villages(self, commune: str, book: PlaceBook, *, explicit: bool) -> Decision:
        """Ask the village of `commune`, offering the ones the lists know."""
        villages = tuple(v.village for v in book.villages_of(commune))[:_VILLAGE_BUTTONS]
        choices = tuple(
            Choice(f"place:v:{i}", "place.name", {"name": name}) for i, name in enumerate(villages)
        )
        skip = Choice("place:nv", "place.no_village")
        data = {"commune": commune, "offered": list(villages), "explicit": explicit}
        say = Say(
            "place/ask_village", {"commune": commune, "known": bool(villages)}, (*choices, skip)
        )
        return Decision(
            says=(say,),
            state=State(FLOW, "village", data),
        )


_SKIP = Choice("place:skip", "place.skip")
_EXPIRED = Decision(says=(main_menu("expired_button"),))


def _tidy(name: str) -> str:
    """Capitalize each word of a name typed all in lower case ("ea tul" → "Ea Tul")."""
    if name != name.lower():
        return name
    return " ".join(word[:1].upper() + word[1:] for word in name.split())


def _names(raw: object) -> list[str]:
    return (
        [str(name) for name in raw]
        if isinstance(raw, Sequence) and not isinstance(raw, str)
        else []
    )


def _saved(place: Place, *, explicit: bool) -> Decision:
    data = {"commune": place.commune, "village": place.village}
    return Decision(
        says=(Say("place/saved", data, back_to_menu()),),
        effects=(SetPlace(place.commune, place.village, explicit),),
    )


def _skipped() -> Decision:
    return Decision(says=(Say(SKIPPED, choices=back_to_menu()),))
