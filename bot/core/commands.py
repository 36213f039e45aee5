"""Slash commands as people type them on every channel: "/start", "/Start@LoaBot code"."""

from __future__ import annotations

import re

__all__ = ["parse_command"]

_COMMAND = re.compile(r"/(\S+)(?:\s+(.*))?", re.DOTALL)


def parse_command(text: str) -> tuple[str, str] | None:
    """Return a command's (name, arguments), or None when `text` is not one.

    The name is lower-cased and loses a "@botname" suffix; the arguments are the rest without
    surrounding spaces (line breaks inside are kept). A lone "/", or "/" followed by a space,
    is text.
    """
    found = _COMMAND.fullmatch(text.strip())
    if found is None:
        return None
    name = found.group(1).split("@", 1)[0].lower()
    if not name:
        return None
    return name, (found.group(2) or "").strip()
