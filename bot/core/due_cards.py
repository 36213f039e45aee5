"""Residents with a reminder stage due today, and why some of them cannot be reached.

Pure data shared by the planner (scheduler/), the command line and the officers' screens,
which never import the planner itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["UNREACHABLE_REASONS", "DueCard", "NotReached"]

UNREACHABLE_REASONS = (
    "no_chat",
    "no_chat_no_phone",
    "invalid_phone",
    "no_zalo",
    "stopped",
    "blocked",
    "disabled",
)
"""Why no reminder reaches a resident with a stage due: no chat linked and ZNS off (a phone on
the list), no chat and no phone, a phone ZNS cannot take, a phone ZNS reported as having no
Zalo account or refusing notices (for this stage), the chat stopped or blocked Loa, or the
resident turned reminders off."""


@dataclass(frozen=True, slots=True)
class DueCard:
    """A resident whose card has a reminder stage due today."""

    resident_id: int
    full_name: str
    commune: str
    village: str
    expiry_date: date
    stage: int


@dataclass(frozen=True, slots=True)
class NotReached(DueCard):
    """A resident with a stage due today that no reminder can reach, and why (a reason code).

    `phone` is the list's (international form), for a collector's call or visit.
    """

    phone: str | None
    reason: str
