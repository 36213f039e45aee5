"""What the /broadcast buttons and typed answers change: pure edits of an audience and a time.

Each audience button toggles one condition, so conditions combine ("Thôn 3" + "thẻ hết hạn");
pressing a chosen one again removes it. Typed conditions use the text syntax of audience.py
and replace only the conditions they name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.audience import Audience, CardRule, CardStatus, parse_audience
from bot.core.places import display_place, place_key
from bot.reasons import Refused

__all__ = [
    "CARD_CHOICES",
    "TimeError",
    "everyone",
    "merge_typed",
    "parse_local_time",
    "short_id",
    "toggle_all_communes",
    "toggle_card",
    "toggle_commune",
    "toggle_interest",
    "toggle_linked",
    "toggle_unknown_communes",
    "toggle_village",
]

CARD_CHOICES: dict[str, CardRule] = {
    "e": CardRule(CardStatus.EXPIRED),
    "e30": CardRule(CardStatus.EXPIRED, 30),
    "s30": CardRule(CardStatus.EXPIRING, 30),
    "n": CardRule(CardStatus.NOT_IN_REGISTRY),
}
"""Card buttons: expired, expired more than 30 days ago, expiring within 30 days, absent."""

_FIELDS_OF_KEY = {
    "xa": ("communes", "all_communes", "unknown_commune"),
    "thon": ("villages",),
    "the": ("card",),
    "quan_tam": ("interest",),
    "lien_ket": ("linked",),
}
_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:lúc\s*)?(\d{1,2})\s*[:hg]\s*(\d{2})$")


class TimeError(Refused):
    """A typed time that cannot be read; `reason` says why (labels `broadcast.why.*`)."""


def short_id(key: str) -> str:
    """Return 8 hex characters naming a place key in a button (payloads stay short)."""
    return hashlib.blake2s(key.encode("utf-8"), digest_size=4).hexdigest()


def _toggled(names: tuple[str, ...], name: str) -> tuple[str, ...]:
    key = place_key(name)
    kept = tuple(n for n in names if place_key(n) != key)
    return kept if len(kept) < len(names) else (*names, display_place(name))


def toggle_commune(audience: Audience, name: str) -> Audience:
    """Add or remove one commune (an administrator's choice); "every commune" is unset."""
    return replace(
        audience,
        communes=_toggled(audience.communes, name),
        all_communes=False,
        unknown_commune=False,
    )


def toggle_all_communes(audience: Audience) -> Audience:
    """Choose everyone, a commune known or not (`xa=*`), or undo that choice."""
    return replace(
        audience, communes=(), all_communes=not audience.all_communes, unknown_commune=False
    )


def toggle_unknown_communes(audience: Audience) -> Audience:
    """Choose only those whose commune is not known (`xa=?`), or undo that choice."""
    return replace(
        audience, communes=(), all_communes=False, unknown_commune=not audience.unknown_commune
    )


def toggle_village(audience: Audience, name: str) -> Audience:
    """Add or remove one village."""
    return replace(audience, villages=_toggled(audience.villages, name))


def toggle_card(audience: Audience, rule: CardRule) -> Audience:
    """Choose a card condition (replacing another), or remove it if it was chosen."""
    return replace(audience, card=None if audience.card == rule else rule)


def toggle_interest(audience: Audience, interest: str) -> Audience:
    """Choose a registered interest (replacing another), or remove it if it was chosen."""
    return replace(audience, interest=None if audience.interest == interest else interest)


def toggle_linked(audience: Audience, linked: bool) -> Audience:
    """Choose linked or not linked, or remove the condition if it was chosen."""
    return replace(audience, linked=None if audience.linked is linked else linked)


def everyone(audience: Audience) -> Audience:
    """Drop every narrowing condition; the communes stay."""
    return Audience(
        communes=audience.communes,
        all_communes=audience.all_communes,
        unknown_commune=audience.unknown_commune,
    )


def merge_typed(audience: Audience, text: str) -> Audience:
    """Apply typed conditions (text syntax) over the audience; raise AudienceError if wrong.

    Only the conditions named in `text` change: `the=het_han>90` keeps the chosen villages.
    """
    typed = parse_audience(text)
    changes: dict[str, object] = {}
    for clause in text.split(";"):
        key = clause.partition("=")[0].strip().lower()
        for field in _FIELDS_OF_KEY.get(key, ()):
            changes[field] = getattr(typed, field)
    return replace(audience, **changes)  # type: ignore[arg-type]


def parse_local_time(text: str, tz: ZoneInfo) -> datetime:
    """Read `dd/mm/yyyy HH:MM` typed in local time (`tz`); raise TimeError if unreadable."""
    found = _TIME.match(" ".join(text.strip().lower().split()))
    if not found:
        raise TimeError("broadcast.why.time_format")
    day, month, year, hour, minute = (int(part) for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        raise TimeError("broadcast.why.no_such_time", text=text.strip()) from None
