"""Vietnamese text normalisation: cleaning, accent folding and abbreviation expansion.

Three levels, each built on the previous one:

- `clean` makes any input safe to store and display (NFC, no control characters, capped length);
- `fold` makes text comparable: lower case, no diacritics (đ → d), punctuation turned into
  spaces, whitespace collapsed; it keeps number punctuation ("1.5", "3.000.000", "-3");
- `normalise` also expands the abbreviations residents type ("bhyt", "ko", "dc", "3tr"), so a
  message and a topic keyword meet in the same spelling.

All three are pure and fast (one `str.translate` pass plus a few guarded regular expressions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

__all__ = [
    "ABBREVIATIONS",
    "AFTER_NUMBER",
    "MAX_LENGTH",
    "clean",
    "fold",
    "normalise",
    "valid_unicode",
]

MAX_LENGTH = 4096
"""Longest text `clean` keeps, in characters (Telegram's own message limit)."""

# --- clean ---------------------------------------------------------------------------------


def valid_unicode(text: str) -> str:
    """Return `text` encodable as UTF-8: a surrogate pair joined, a lone surrogate made U+FFFD.

    A channel can hand over lone surrogates (JSON's "\\ud800", undecodable bytes read with
    surrogateescape); SQLite, logs and terminals cannot encode them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


# C0/C1 controls, odd line breaks, and the bidirectional overrides that can disguise text.
_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI}]")


def _build_clean_table() -> dict[int, str | None]:
    """Map control characters to nothing (tab to a space, odd line breaks to a newline)."""
    table: dict[int, str | None] = dict.fromkeys([*range(32), *range(127, 160), *map(ord, _BIDI)])
    table[ord("\t")] = " "
    for char in "\n\x85\u2028\u2029":
        table[ord(char)] = "\n"
    return table


_CLEAN_TABLE = _build_clean_table()


def clean(text: str) -> str:
    """Return `text` in NFC without control characters (newlines kept), trimmed and capped."""
    text = unicodedata.normalize("NFC", valid_unicode(text))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = text.translate(_CLEAN_TABLE)
    return text.strip()[:MAX_LENGTH].rstrip()


# --- fold ----------------------------------------------------------------------------------

# ASCII punctuation except the number signs . , - (those are handled by _STRAY_NUMBER_MARK).
_ASCII_PUNCTUATION = "!\"#$%&'()*+/:;<=>?@[\\]^_`{|}~\t\n"
_ASCII_TABLE = bytes.maketrans(_ASCII_PUNCTUATION.encode(), b" " * len(_ASCII_PUNCTUATION))
# After NFD, plain Vietnamese is ASCII plus combining marks; anything else takes the slow path.
_NOT_PLAIN = re.compile(r"[^\x00-\x7f\u0300-\u036f]")
# A "." or "," not between two digits, or a "-" that is not a leading minus sign.
# Whatever is neither a letter, a digit, a space nor a number sign: emoji and other symbols.
_SYMBOL = re.compile(r"[^\w\s.,-]")
_STRAY_NUMBER_MARK = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|(?<=\S)-|-(?!\d)")


def _build_fold_table() -> dict[int, str | None]:
    """Map accented Latin letters to ASCII, punctuation and symbols to a space (slow path)."""
    table: dict[int, str | None] = {}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if base.isascii() and base.isalpha():
            table[code] = base
    for char in "đĐ":
        table[ord(char)] = "d"
    for code in range(0x0300, 0x0370):  # combining marks
        table[code] = None
    for char in _ASCII_PUNCTUATION:
        table[ord(char)] = " "
    for code in [*range(0x2000, 0x2070), *range(0x3000, 0x3040)]:  # quotes, dashes, spaces
        table[code] = " "
    for char in "\u00a0«»¡¿·•×÷°§¶©®™€₫":
        table[ord(char)] = " "
    for char in "\u200b\u200c\u200d\u2060\ufeff":  # zero-width characters join, not split
        table[ord(char)] = None
    return table


_FOLD_TABLE = _build_fold_table()


def _strip_accents(lowered: str) -> str:
    """Remove diacritics from lower-case text and turn punctuation and symbols into spaces."""
    decomposed = unicodedata.normalize("NFD", lowered.replace("đ", "d"))
    if not _NOT_PLAIN.search(decomposed):
        return decomposed.encode("ascii", "ignore").translate(_ASCII_TABLE).decode("ascii")
    folded = lowered.translate(_FOLD_TABLE)
    return folded if folded.isascii() else _SYMBOL.sub(" ", folded)


def _fold_lowered(lowered: str) -> str:
    """Fold text that is already clean and lower-cased."""
    folded = _strip_accents(lowered)
    if "." in folded or "," in folded or "-" in folded:
        folded = _STRAY_NUMBER_MARK.sub(" ", folded)
    return " ".join(folded.split())


@lru_cache(maxsize=1024)
def fold(text: str) -> str:
    """Return `text` cleaned, lower-cased, without diacritics (đ → d), punctuation as spaces.

    Number punctuation survives so amounts can still be read: a "." or "," between two digits
    ("1.5", "3.000.000") and a leading minus sign ("-3"). Accepts decomposed (NFD) input.
    """
    return _fold_lowered(clean(text).lower())


# --- normalise -----------------------------------------------------------------------------

ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        # insurance
        "bhyt": "bao hiem y te",
        "bhxh": "bao hiem xa hoi",
        "bhxhtn": "bao hiem xa hoi tu nguyen",
        "bh": "bao hiem",
        "hgd": "ho gia dinh",
        "gd": "gia dinh",
        "hssv": "hoc sinh sinh vien",
        "sv": "sinh vien",
        "dtts": "dan toc thieu so",
        "kcb": "kham chua benh",
        "bv": "benh vien",
        "tyt": "tram y te",
        "cmnd": "chung minh nhan dan",
        "cmt": "chung minh nhan dan",
        "dvc": "dich vu cong",
        "sdt": "so dien thoai",
        "dt": "dien thoai",
        "dk": "dang ky",
        "dky": "dang ky",
        "dki": "dang ky",
        "dkien": "dieu kien",
        "gh": "gia han",
        # negation
        "ko": "khong",
        "k": "khong",
        "kh": "khong",
        "kg": "khong",
        "khg": "khong",
        "hk": "khong",
        "hok": "khong",
        "hem": "khong",
        "khum": "khong",
        # common chat spellings
        "dc": "duoc",
        "bn": "bao nhieu",
        "bnh": "bao nhieu",
        "bnhieu": "bao nhieu",
        "baonhieu": "bao nhieu",
        "nhiu": "nhieu",
        "j": "gi",
        "ji": "gi",
        "gj": "gi",
        "ng": "nguoi",
        "ngta": "nguoi ta",
        "mn": "moi nguoi",
        "vs": "voi",
        "cx": "cung",
        "ms": "moi",
        "nx": "nua",
        "trc": "truoc",
        "r": "roi",
        "v": "vay",
        "z": "vay",
        "lm": "lam",
        "ntn": "nhu the nao",
        "mk": "minh",
        "mik": "minh",
        "mh": "minh",
        "vk": "vo",
        "ad": "admin",
        "oke": "ok",
        "okie": "ok",
        "okay": "ok",
        "thanks": "cam on",
        "thank": "cam on",
        "tks": "cam on",
        "thks": "cam on",
        "thx": "cam on",
        "camon": "cam on",
        "hello": "xin chao",
        "hi": "xin chao",
        "bhiem": "bao hiem",
        "tui": "toi",
        "ti": "ty",  # "tỉ lệ" and "tỷ lệ" are one word
        "coi": "xem",  # southern "coi" = "xem" (look up)
        "ngan": "nghin",
        "ngin": "nghin",
    }
)
"""Whole-word abbreviations (in folded form) and their expansions; extend freely."""

AFTER_NUMBER: Mapping[str, str] = MappingProxyType(
    {
        "tr": "trieu",
        "trd": "trieu",
        "cu": "trieu",
        "k": "nghin",
        "th": "thang",
        "thg": "thang",
        "d": "dong",
        "vnd": "dong",
    }
)
"""Units that only mean this right after a number ("3tr", "500k", "6th"); they win there."""

_AFTER_BHXH: Mapping[str, str] = MappingProxyType({"tn": "tu nguyen"})
"""Abbreviations that only mean this right after "bhxh" ("bhxh tn")."""

# Spellings that must be read before folding: "hông" (= không) and "nhiêu" (= bao nhiêu) fold
# to "hong" and "nhieu", which would then be confused with "hỏng" (broken) and "nhiều" (many).
_HONG = re.compile(r"\bh[oô]ng\b")
_LONE_NHIEU = re.compile(r"(?<!bao )\bnhiêu\b")
_HAS_DIGIT = re.compile(r"\d")
_NUMBER_OR_WORD = re.compile(r"-?\d[\d.,]*\d|-?\d|[^\d-]+")


def _expand_before_fold(lowered: str) -> str:
    """Expand the few spellings whose meaning depends on their diacritics."""
    if "nhiêu" in lowered:
        lowered = _LONE_NHIEU.sub("bao nhiêu", lowered)
    if "hông" in lowered or "hong" in lowered:
        lowered = _HONG.sub("không", lowered)
    return lowered


def _split_numbers(words: list[str]) -> list[str]:
    """Split numbers from the letters glued to them: "3tr5" → "3", "tr", "5"."""
    out: list[str] = []
    for word in words:
        if word.isalpha():
            out.append(word)
        else:
            out.extend(_NUMBER_OR_WORD.findall(word))
    return out


@lru_cache(maxsize=64)
def normalise(text: str) -> str:
    """Return `fold(text)` with abbreviations expanded and numbers split from their units.

    The matcher and every extractor normalise the same message, so the latest results are
    kept (the function is pure).

    Examples: "bhyt hgđ 4ng đóng bn?" → "bao hiem y te ho gia dinh 4 nguoi dong bao nhieu";
    "3tr" → "3 trieu"; "500k" → "500 nghin"; "bhxh tn" → "bao hiem xa hoi tu nguyen".
    """
    folded = _fold_lowered(_expand_before_fold(clean(text).lower()))
    words = folded.split()
    has_digit = _HAS_DIGIT.search(folded) is not None
    if not has_digit and "bhxh" not in words:
        return " ".join([ABBREVIATIONS.get(word, word) for word in words])
    if has_digit:
        words = _split_numbers(words)
    out: list[str] = []
    previous = ""
    for word in words:
        expansion: str | None = None
        if previous and previous[-1].isdigit():
            expansion = AFTER_NUMBER.get(word)
        if expansion is None and previous == "bhxh":
            expansion = _AFTER_BHXH.get(word)
        if expansion is None:
            expansion = ABBREVIATIONS.get(word, word)
        out.append(expansion)
        previous = word
    return " ".join(out)
