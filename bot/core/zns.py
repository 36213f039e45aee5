"""ZNS (Zalo notifications by phone) facts the rest of Loa shares: tokens and template fields.

Pure: no I/O. The client (bot/channels/zns_client.py) and the token store
(bot/store/zns_tokens.py) both speak `ZnsTokens`; the settings read `FIELD_NAMES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

__all__ = ["FIELD_NAMES", "STAGE_KINDS", "ZnsTokens", "parse_field_map", "zns_phone"]

FIELD_NAMES = ("name", "expiry", "days_left", "commune", "hotline")
"""Loa's fields a template may show: the resident's name, the card's expiry (dd/mm/yyyy), the
days left (negative once expired), the commune, and the office's hotline."""
STAGE_KINDS = ("before", "on_day", "after", "last")
"""The reminder stages' kinds (scheduler.planner.stage_kind); each may have its own template."""
_PARAMETER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_E164_VN = re.compile(r"^\+84(\d{9,10})$")


@dataclass(frozen=True, slots=True)
class ZnsTokens:
    """The OA's tokens: the access token (expiry unknown: None) and the single-use refresh one."""

    access_token: str
    access_expires_at: datetime | None
    refresh_token: str


def parse_field_map(text: str) -> tuple[tuple[str, str], ...]:
    """Read `ten=name,han_the=expiry` (template parameter = Loa field); raise ValueError.

    The result pairs (parameter, Loa field), in the order written; an unknown Loa field, a
    parameter named twice or a malformed pair is refused with the reason.
    """
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        parameter, sep, field = (s.strip() for s in part.partition("="))
        if not sep or not parameter or not field:
            raise ValueError(f"'{part}' must look like parameter=field, e.g. ten=name")
        if field not in FIELD_NAMES:
            raise ValueError(f"'{field}' is not a Loa field (known: {', '.join(FIELD_NAMES)})")
        if not _PARAMETER.match(parameter):
            raise ValueError(f"'{parameter}' is not a template parameter name (A-Z, 0-9, _)")
        if any(parameter == known for known, _ in pairs):
            raise ValueError(f"the parameter '{parameter}' is named twice")
        pairs.append((parameter, field))
    return tuple(pairs)


def zns_phone(phone_e164: str) -> str:
    """Return a Vietnamese E.164 number (+84905123456) as ZNS takes it: 84905123456."""
    found = _E164_VN.match(phone_e164.strip())
    if not found:
        raise ValueError("not a Vietnamese number in E.164 form (+84…)")
    return "84" + found.group(1)
