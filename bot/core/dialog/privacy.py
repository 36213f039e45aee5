"""A resident's control over their data: /mydata, /xoa (confirmed), /huy and stop words."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.core.dialog.menu import back_to_menu, main_menu
from bot.core.dialog.turn import Turn
from bot.core.effects import EraseMyData, ShowMyData, as_data
from bot.core.types import Choice, Decision, Say, State

__all__ = [
    "CANCEL_WORDS",
    "FLOW",
    "STOP_PHRASES",
    "Privacy",
    "wants",
]

FLOW = "privacy"
STOP_PHRASES = frozenset(
    {
        "stop",
        "dung",
        "dung lai",
        "ngung",
        "ngung nhan tin",
        "ngung nhan tin nhan",
        "khong nhan tin nua",
        "khong nhan tin nhan nua",
        "dung nhan tin",
        "dung gui tin",
    }
)
"""Folded texts that stop proactive messages, even in the middle of a flow."""
CANCEL_WORDS = frozenset({"huy", "huy bo", "huy dang ky", "/huy", "cancel"})
"""Folded texts that cancel the current flow."""
_YES = frozenset({"co", "dong y", "xoa", "ok", "vang", "co xoa"})
# Folded words that are also given names ("Dũng", "Huy"): while a name is asked, they count
# only when typed with the command's own diacritics.
_NAME_LIKE = {"dung": ("ừ",), "huy": ("ủ", "ỷ")}


def wants(text: str, folded: str, *, naming: bool = False) -> str | None:
    """Return "stop" or "cancel" when a typed text asks for it, else None."""
    wanted = "stop" if folded in STOP_PHRASES else "cancel" if folded in CANCEL_WORDS else None
    marks = _NAME_LIKE.get(folded)
    if wanted is None or not naming or marks is None:
        return wanted
    lowered = unicodedata.normalize("NFC", text).lower()
    return wanted if any(mark in lowered for mark in marks) else None


@dataclass(frozen=True, slots=True)
class Privacy:
    """Shows what is stored, erases it after a confirmation, cancels flows."""

    def my_data(self, turn: Turn) -> Decision:
        """Show everything stored about the person (/mydata)."""
        stored = turn.outcomes.of(ShowMyData)
        if stored is None:
            return Decision(says=(), effects=(ShowMyData(),), then_decide=True)
        choices = (Choice("privacy:erase", "privacy.erase"), *back_to_menu())
        return Decision(says=(Say("privacy/my_data", as_data(stored), choices, private=True),))

    def ask_erase(self, turn: Turn) -> Decision:
        """Explain what /xoa erases and ask for a confirmation."""
        choices = (
            Choice("privacy:erase:yes", "privacy.erase_yes"),
            Choice("privacy:erase:no", "privacy.erase_no"),
        )
        state = State(FLOW, "erase", {"at": turn.now.isoformat()})
        return Decision(says=(Say("privacy/erase_confirm", choices=choices),), state=state)

    def on_button(self, turn: Turn, payload: str) -> Decision:
        """Handle privacy:erase, privacy:erase:yes and privacy:erase:no."""
        if payload == "privacy:erase":
            return self.ask_erase(turn)
        asked = turn.state is not None and turn.state.flow == FLOW
        if payload == "privacy:erase:yes" and asked:
            return self._erase(turn)
        if payload == "privacy:erase:no" and asked:
            return Decision(says=(Say("privacy/erase_kept", choices=back_to_menu()),))
        return Decision(says=(main_menu("expired_button"),))

    def on_text(self, turn: Turn, folded: str) -> Decision:
        """Read a typed answer to the erase confirmation: yes erases, anything else keeps."""
        if folded in _YES:
            return self._erase(turn)
        return Decision(says=(Say("privacy/erase_kept", choices=back_to_menu()),))

    def cancel(self, turn: Turn) -> Decision:
        """End whatever flow the person is in (/huy, "hủy"); nothing half-entered is kept."""
        if turn.state is None:
            return Decision(says=(main_menu("privacy/nothing_to_cancel"),))
        return Decision(says=(Say("privacy/cancelled", choices=back_to_menu()),))

    def _erase(self, turn: Turn) -> Decision:
        erased = turn.outcomes.of(EraseMyData)
        if erased is None:
            return Decision(says=(), effects=(EraseMyData(),), then_decide=True)
        return Decision(says=(main_menu("privacy/erased", **as_data(erased)),))
