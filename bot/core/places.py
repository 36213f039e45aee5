"""Commune and village names: a matching key and a tidy display form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.core.text import fold

__all__ = [
    "MAX_PLACE_LENGTH",
    "Place",
    "PlaceBook",
    "PlaceSource",
    "display_place",
    "place_key",
]

MAX_PLACE_LENGTH = 100

# Administrative prefix (lower case, NFC) → its full folded form. Accented and unaccented
# spellings are listed separately so that "Tô Hiệu" (a name) is not read as "Tổ" (a prefix)
# while "To dan pho 5", typed without diacritics, still is.
_PREFIX_FORMS: dict[str, str] = {
    "tổ dân phố": "to dan pho",
    "thị trấn": "thi tran",
    "khu phố": "khu pho",
    "đặc khu": "dac khu",
    "phường": "phuong",
    "thôn": "thon",
    "buôn": "buon",
    "làng": "lang",
    "khóm": "khom",
    "xóm": "xom",
    "sóc": "soc",
    "bản": "ban",
    "ấp": "ap",
    "xã": "xa",
    "tổ": "to dan pho",
    "tdp": "to dan pho",
    "kp": "khu pho",
    "tt": "thi tran",
    "p": "phuong",
    "x": "xa",
}
_PREFIXES: dict[tuple[str, ...], str] = {}
for _form, _full in _PREFIX_FORMS.items():
    _PREFIXES[tuple(_form.split())] = _full
    _PREFIXES.setdefault(tuple(_full.split()), _full)
# Unaccented words that also start names ("Lang Son" may be Lạng Sơn): a prefix only before
# a number.
_NAME_LIKE = {("ban",), ("lang",), ("soc",)}
_PREFIX_LENGTHS = sorted({len(words) for words in _PREFIXES}, reverse=True)
_GLUED = re.compile(r"^(tdp|kp|p|tổ|thôn|thon|ấp|ap|khu|xóm|xom|khóm|khom)(\d\w*)$")
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_ZEROS = re.compile(r"\b0+(?=\d)")


def _words(text: str) -> list[str]:
    """Split lower-case NFC `text` into words, punctuation dropped and "P3" split as "p 3"."""
    words = _NON_WORD.sub(" ", _APOSTROPHES.sub("", text)).split()
    glued = _GLUED.match(words[0]) if words else None
    if glued:
        words[:1] = [glued.group(1), glued.group(2)]
    return words


def place_key(text: str) -> str:
    """Return the matching key of a commune or village name ("Thôn 03" → "thon 3").

    The key is folded (lower case, no diacritics, đ → d), punctuation becomes spaces
    (apostrophes vanish: "H'Leo" → "hleo"), numbers lose leading zeros, and administrative
    prefixes (xã, phường, thôn, ấp, tổ dân phố, TDP, KP…) are dropped while a name follows,
    so "Phường Buôn Ma Thuột" and "Buôn Ma Thuột" share a key. Before a number the prefix is
    kept in full ("Tổ 5", "TDP 05" → "to dan pho 5") so "Thôn 3" and "Tổ 3" stay distinct.
    """
    words = _words(unicodedata.normalize("NFC", text).lower())
    while words:
        for size in _PREFIX_LENGTHS:
            full = _PREFIXES.get(tuple(words[:size]))
            if full is not None and len(words) > size:
                break
        else:
            break
        rest = words[size:]
        if rest[0][0].isdigit():
            words = [full, *rest]
            break
        if tuple(words[:size]) in _NAME_LIKE:
            break
        words = rest
    return _LEADING_ZEROS.sub("", fold(" ".join(words)))


def display_place(text: str) -> str:
    """Return `text` trimmed, NFC, with whitespace collapsed and at most 100 characters."""
    tidy = " ".join(unicodedata.normalize("NFC", text).split())
    return tidy[:MAX_PLACE_LENGTH].rstrip()


class PlaceSource(StrEnum):
    """How a contact's place became known; only `answer` gives way to a later, surer one."""

    LEAFLET = "leaflet"
    ANSWER = "answer"
    REGISTRATION = "registration"
    CARD = "card"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a resident lives: a commune and, when known, a village (display forms)."""

    commune: str
    village: str = ""

    @property
    def commune_key(self) -> str:
        """Return the commune's matching key."""
        return place_key(self.commune)

    @property
    def village_key(self) -> str:
        """Return the village's matching key ('' when no village is known)."""
        return place_key(self.village) if self.village else ""


@dataclass(frozen=True, slots=True)
class PlaceBook:
    """The villages Loa knows from the communes' lists, the most populous first."""

    villages: tuple[Place, ...] = ()

    def communes(self) -> tuple[str, ...]:
        """Return the known communes' names, each once, the most populous first."""
        seen: dict[str, str] = {}
        for village in self.villages:
            seen.setdefault(village.commune_key, village.commune)
        return tuple(seen.values())

    def commune(self, text: str) -> str | None:
        """Return the known commune's name that `text` spells (diacritics or not), if any."""
        key = place_key(text)
        return next((v.commune for v in self.villages if v.commune_key == key), None)

    def villages_of(self, commune: str) -> tuple[Place, ...]:
        """Return the known villages of a commune that have a name."""
        key = place_key(commune)
        return tuple(v for v in self.villages if v.commune_key == key and v.village)

    def village(self, text: str, commune: str | None = None) -> Place | None:
        """Return the one known village `text` spells (in `commune` if given); None if not one."""
        key = place_key(text)
        pool = self.villages_of(commune) if commune is not None else self.villages
        found = [v for v in pool if v.village and v.village_key == key]
        return found[0] if len(found) == 1 else None
