"""How a resident calls themselves ("bác", "cô", "cháu"…), so Loa answers in the same form.

Pure. Loa always calls itself "Loa", whatever the resident's form, so one self-name fits
every addressee. A word counts as the resident's self-reference only in a self position:
at the start of a clause ("bác năm nay 67 tuổi", "Chào cháu, bà muốn hỏi"), after
"cho … hỏi", or as an owner ("nhà bác", "con em"). "con tôi", "cháu nội", "bác ấy" and the
word the resident calls Loa by ("chào cháu", "cháu ơi") are not. Texts typed with diacritics
must carry the form's own marks ("có" is not "cô"); texts typed without any are read folded.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.text import fold

__all__ = ["DEFAULT", "FORMS", "self_address"]

DEFAULT = "bạn"
FORMS = {
    "bac": "bác",
    "co": "cô",
    "chu": "chú",
    "ong": "ông",
    "ba": "bà",
    "chau": "cháu",
    "con": "con",
    "em": "em",
    "anh": "anh",
    "chi": "chị",
}
_TERM = "|".join(FORMS)
_VERB = (
    r"(?:\d+|nam nay|nay|muon|hoi|can|dinh|tinh|dang|da|co|la|o|sinh|dong|thuoc|khong|chua|vua"
    r"|moi|bi|thay|nghe|di|lam|ten|tham gia|mua|duoc|phai|gio|van|cung|nam|nu|chi co|that)"
)
_NOT_AFTER = r"(?:toi|minh|trai|gai|dau|re|nho|lon|ut|noi|ngoai|be|ay|kia|no|ho|oi|voi)"
_STARTS = (
    rf"(?:^|[,.;:!?] ?|^(?:chao|thua|alo|da|vang|day|hi|hello) (?:{_TERM}|loa|ban)(?: oi)? ?"
    rf"|(?:{_TERM}|loa|ban) oi,? )"
)
_SELF = re.compile(
    rf"{_STARTS}(?P<a>{_TERM}) (?!{_NOT_AFTER}\b){_VERB}\b"
    rf"|\bcho (?P<b>{_TERM}) hoi\b"
    rf"|\b(?:nha|vo|chong|the) (?P<c>{_TERM})\b(?! {_NOT_AFTER}\b)"
)


def self_address(text: str) -> str | None:
    """Return the form the resident calls themselves by ("bác"), or None when not said."""
    folded = _fold_keeping_punctuation(text)
    marked = not text.isascii()
    lowered = " ".join(unicodedata.normalize("NFC", text).lower().split())
    for found in _SELF.finditer(folded):
        key = found.group("a") or found.group("b") or found.group("c")
        form = FORMS[key]
        if not marked or re.search(rf"(?<!\w){form}(?!\w)", lowered):
            return form
    return None


def _fold_keeping_punctuation(text: str) -> str:
    """Fold each comma-separated clause and join them with ", " (clause starts matter)."""
    parts = re.split(r"\s*([,.;:!?\n])\s*", text)
    out: list[str] = []
    for part in parts:
        if part in {",", ".", ";", ":", "!", "?", "\n"}:
            out.append("," if part == "\n" else part)
        elif part.strip():
            out.append((" " if out else "") + fold(part))
    return "".join(out).replace(",", ", ").replace("  ", " ").strip()
