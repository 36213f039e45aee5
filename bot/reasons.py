"""Reasons a person reads (refusals, import problems, outbox reasons), made from labels.

A `Reason` is its Vietnamese text — it compares, joins and prints as a string, so reports,
CSV files and the command line show it as they are — and it keeps the label key and the
values it was made from (`key`, `values`), so a caller holding another renderer can say it
again (`renderer.label(reason.key, reason.values)`). The words live in messages/vi/labels/,
like every other text; only the choice of key and values is made in Python.

The outbox stores its reasons as codes (`OutboxReason`); `outbox_reason` says one in
Vietnamese wherever a person reads it (a broadcast's report, `loa outbox`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.render import Renderer, default_renderer
from bot.store.outbox import OutboxReason

__all__ = ["Reason", "Refused", "outbox_reason"]


class Reason(str):
    """A label rendered from the default messages, remembering its key and values."""

    key: str
    values: Mapping[str, Any]

    def __new__(cls, key: str, **values: Any) -> Reason:
        """Render the label `key` with `values`."""
        made = super().__new__(cls, default_renderer().label(key, values))
        made.key = key
        made.values = values
        return made


class Refused(ValueError):
    """A request refused; `reason` says why (its text is the exception's message)."""

    def __init__(self, key: str, **values: Any) -> None:
        """Make the reason from the label `key` and its `values`."""
        self.reason = Reason(key, **values)
        super().__init__(self.reason)


def outbox_reason(stored: str, renderer: Renderer | None = None) -> str:
    """Say a stored outbox reason in Vietnamese (label `outbox.reason.<code>`).

    A text that is no code (an older row the migration could not recognize) is shown as it is.
    """
    try:
        code = OutboxReason(stored)
    except ValueError:
        return stored
    return (renderer or default_renderer()).label(f"outbox.reason.{code.value}")
