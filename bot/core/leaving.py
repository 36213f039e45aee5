"""What a resident types to leave a flow or to ask something else in the middle of one.

Pure and folded-text based: "thôi không đăng ký nữa", "hủy bỏ", "dừng lại đi", "bỏ qua đi",
"để sau" all mean "cancel"; a question ("bao nhiêu", "ở đâu", "…?") typed at a step that
waits for data is a question, not data.
"""

from __future__ import annotations

import re

__all__ = ["asks_source", "is_cancel", "is_question"]

_POLITE = r"(?:di|nhe|nha|a|ha|ban|loa|em|chau|con|minh|toi|vay|luon|roi|het|khoi|khong can)"
_LEAD = r"(?:thoi|huy|huy bo|dung|dung lai|ngung|ngung lai|bo qua|bo|khoi|thoat|cancel)"
_NO_MORE = r"(?:khong|ko|k|chua) (?:\w+ ){0,3}nua(?: dau)?"
_LATER = r"(?:de|lam|hoi|dang ky) (?:sau|khi khac|luc khac|hom khac)"
_CANCEL = re.compile(
    rf"^(?:{_LEAD}(?: {_POLITE})*(?: {_NO_MORE})?|{_NO_MORE}|{_LATER}|khong can(?: nua)?)"
    rf"(?: {_POLITE})*$"
)
_SKIP_LIKE = re.compile(rf"^bo qua(?: {_POLITE})*$")
_ASKING = re.compile(
    r"\b(?:bao nhieu|bao lau|bao gio|khi nao|luc nao|o dau|cho nao|the nao|nhu the nao"
    r"|ra sao|lam sao|tai sao|vi sao|la gi|gi khong|co duoc|duoc khong|khong a|phai khong"
    r"|dung khong|co phai|muc dong|cho hoi|hoi chut|cho minh hoi|cho toi hoi|cho em hoi"
    r"|cho chau hoi|cho bac hoi|cho co hoi|cho chu hoi)\b"
)


def is_cancel(folded: str, *, can_skip: bool = False) -> bool:
    """Tell whether folded text asks to leave the flow.

    At a step with a "Bỏ qua" (skip) button, "bỏ qua" (and "bỏ qua đi") skips the step
    instead, so it is not a cancel there.
    """
    if can_skip and _SKIP_LIKE.match(folded):
        return False
    return len(folded) <= 60 and _CANCEL.match(folded) is not None


def is_question(text: str, folded: str) -> bool:
    """Tell whether typed text reads as a question rather than an answer to a step."""
    return "?" in text or _ASKING.search(folded) is not None


_SOURCE = re.compile(
    r"^(?:(?:cho (?:xin|hoi) )?(?:nguon|can cu|van ban|nghi dinh|luat|quy dinh|thong tu)"
    r"(?: (?:dau|nao|o dau|vao dau|gi|the nao|theo|cua|do|nay|khong))*"
    r"|theo (?:nguon|van ban|nghi dinh|luat|quy dinh|thong tu) (?:nao|gi)(?: \w+){0,2})"
    r"(?: (?:a|vay|ha|nhe|nha|ban|loa|chau|em|con))*$"
)


def asks_source(folded: str) -> bool:
    """Tell whether folded text asks for the legal source ("nguồn?", "căn cứ đâu")."""
    return _SOURCE.match(folded) is not None
