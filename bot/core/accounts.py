"""Who someone is on a channel: an account ("telegram", "12345"), written `telegram:12345`.

Officers, administrators and notice chats are addressed by account, so one person can use
Telegram and Zalo, and nothing outside the adapters assumes a channel. A bare number is read
as a Telegram id, the only kind Loa knew before Zalo officers (ADMIN_IDS, old audit rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CHANNELS", "TYPED_CHOICES", "Account", "AccountError"]

CHANNELS = ("telegram", "zalo")
"""The channels Loa serves, in the order operators read them."""
TYPED_CHOICES = frozenset({"zalo"})
"""Channels that show no buttons and no groups (Zalo's Bot API, 2025): choices are a numbered
list answered by typing the number, and officers get their notices in their own chat."""

_IDS = {
    "telegram": re.compile(r"-?[0-9]{1,20}"),  # users are positive; groups are negative
    "zalo": re.compile(r"[A-Za-z0-9_-]{1,64}"),
}


class AccountError(ValueError):
    """Text that does not name an account; the message says why, in one line."""


@dataclass(frozen=True, slots=True, order=True)
class Account:
    """A user or chat on one channel."""

    channel: str
    id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Account:
        """Read `telegram:123`, `zalo:abc` or a bare Telegram id; raise AccountError if not one."""
        value = text.strip()
        if value.startswith("@"):
            raise AccountError(
                f"'{value}' is a username, not an id: the person can send /id to Loa to get it"
            )
        channel, colon, rest = value.partition(":")
        if not colon:
            channel, rest = "telegram", value
        channel = channel.lower()
        pattern = _IDS.get(channel)
        if pattern is None:
            raise AccountError(f"'{channel}' is not a channel Loa serves ({', '.join(CHANNELS)})")
        if not pattern.fullmatch(rest):
            kind = "digits" if channel == "telegram" else "letters, digits, - and _"
            raise AccountError(f"'{value}' is not a {channel.capitalize()} id ({kind} only)")
        return cls(channel, rest)
