"""Plain-text presentation for channels without buttons (terminal, Zalo) and message splitting."""

from __future__ import annotations

from bot.core.choices import keyed
from bot.core.types import Reply

__all__ = ["as_numbered_text", "split_text"]


def as_numbered_text(reply: Reply) -> str:
    """Return the reply's text with its buttons as a list to type from ("Gõ 1 …").

    When the reply asks for a number, the list has no numbers (a typed number is the
    answer, not a list item): its items are picked by name.
    """
    if not reply.buttons:
        return reply.text
    if reply.asks_number:
        lines = [f"  • {button.label}" for button in reply.buttons]
        return reply.text + "\n\n" + "\n".join(lines) + "\n(Gõ số hoặc tên mục để chọn)"
    lines = [f"  {key}. {button.label}" for key, button in keyed(reply.buttons)]
    return reply.text + "\n\n" + "\n".join(lines) + "\n(Gõ số hoặc tên mục để chọn)"


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` characters, at paragraph or line breaks."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n\n")
        if cut <= 0:
            cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return parts
