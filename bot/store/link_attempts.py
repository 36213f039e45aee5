"""Failed card-linking attempts per person and day."""

from __future__ import annotations

from datetime import date

from bot.store.db import Database

__all__ = ["LinkAttempts"]


class LinkAttempts:
    """Counts failed identity look-ups, so each person gets only a few a day."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def failures(self, contact_id: int, day: date) -> int:
        """Return how many look-ups failed for this person on `day`."""
        row = await self._db.fetchone(
            "SELECT failures FROM link_attempts WHERE contact_id = ? AND day = ?",
            (contact_id, day.isoformat()),
        )
        return int(row["failures"]) if row else 0

    async def add_failure(self, contact_id: int, day: date) -> int:
        """Count one more failure on `day`; return the new count."""
        row = await self._db.fetchone(
            "INSERT INTO link_attempts (contact_id, day, failures) VALUES (?, ?, 1)"
            " ON CONFLICT (contact_id, day) DO UPDATE SET failures = failures + 1"
            " RETURNING failures",
            (contact_id, day.isoformat()),
        )
        assert row is not None
        return int(row["failures"])
