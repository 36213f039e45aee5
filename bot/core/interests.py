"""What a resident can register an interest in: the codes, and the label naming each.

The codes are stored (the registrations table checks them), typed in broadcast audiences
(`quan_tam=voluntary`) and carried in button payloads (`reg:interest:voluntary`); their names
are the labels `interest.<code>` in messages/vi/labels/interests.toml.
"""

from __future__ import annotations

from typing import Final

__all__ = ["INTERESTS", "interest_label"]

INTERESTS: Final[tuple[str, ...]] = ("household", "voluntary", "student", "sponsor", "other")


def interest_label(code: str) -> str:
    """Return the key of the label naming the interest `code`."""
    return f"interest.{code}"
