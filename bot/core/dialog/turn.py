"""A turn: everything the core needs to decide an answer to one incoming message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.effects import Outcomes
from bot.core.places import Place
from bot.core.types import Incoming, State

__all__ = ["Turn"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One incoming message in context: cleaned text, saved state, the person's status, time.

    `stopped`: the person turned proactive messages off (/stop) and only they turn them on
    again; `blocked`: a channel reported them unreachable (they blocked Loa), so writing
    again shows they can be reached. `place`: where the person lives, as on record;
    `place_unknown`: the caller looked and found none, so the place question may be asked
    (a caller that keeps no places leaves both unset and the question is never asked).
    """

    incoming: Incoming
    text: str
    state: State | None
    stopped: bool
    now: datetime
    today: date
    outcomes: Outcomes = field(default_factory=Outcomes)
    blocked: bool = False
    place: Place | None = None
    place_unknown: bool = False

    @property
    def payload(self) -> str:
        """Return the button payload (empty unless a button was pressed)."""
        return self.incoming.text if self.incoming.kind == "button" else ""
