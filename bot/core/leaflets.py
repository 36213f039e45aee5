"""Leaflet codes: the opaque token a village leaflet's QR code carries (`/start l-…`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

__all__ = ["LEAFLET_PREFIX", "MAX_CODE_LENGTH", "LeafletCode", "is_leaflet_code"]

LEAFLET_PREFIX = "l-"
"""Leaflet codes start with this; officers' invitations start with `cb-`."""

MAX_CODE_LENGTH = 64
"""Telegram takes at most 64 characters of A-Za-z0-9_- after `?start=`."""

_CODE = re.compile(rf"{re.escape(LEAFLET_PREFIX)}[A-Za-z0-9_-]+", re.ASCII)


def is_leaflet_code(text: str) -> bool:
    """Tell whether `text` has the form of a leaflet code (known or not)."""
    return len(text) <= MAX_CODE_LENGTH and _CODE.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class LeafletCode:
    """A village's leaflet code: where it points, who made it, and whether it was revoked."""

    code: str
    commune_key: str
    commune: str
    village_key: str
    village: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None = None
