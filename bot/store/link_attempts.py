"""Failed card-linking attempts per day: per person, and per claimed phone or number."""

from __future__ import annotations

import hashlib
from datetime import date

from bot.store.db import Database

__all__ = ["LinkAttempts"]


class LinkAttempts:
    """Counts failed look-ups, so nobody can probe the commune's list for who is on it.

    Each person gets only a few failures a day, and so does each claimed phone or number
    across everyone, so many accounts together cannot guess one resident's birth date.
    Claims are kept only as digests, and only for the day they were made.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def failures(self, contact_id: int, day: date) -> int:
        """Return how many look-ups failed for this person on `day`."""
        row = await self._db.fetchone(
            "SELECT failures FROM link_attempts WHERE contact_id = ? AND day = ?",
            (contact_id, day.isoformat()),
        )
        return int(row["failures"]) if row else 0

    async def target_failures(self, claim: str, day: date) -> int:
        """Return how many look-ups of this phone or number failed on `day`, by anyone."""
        row = await self._db.fetchone(
            "SELECT failures FROM link_target_attempts WHERE target = ? AND day = ?",
            (_digest(claim), day.isoformat()),
        )
        return int(row["failures"]) if row else 0

    async def add_failure(self, contact_id: int, day: date, claim: str = "") -> int:
        """Count one more failure on `day` for the person (and the claim); return theirs."""
        async with self._db.transaction():
            await self._db.execute("DELETE FROM link_attempts WHERE day < ?", (day.isoformat(),))
            await self._db.execute(
                "DELETE FROM link_target_attempts WHERE day < ?", (day.isoformat(),)
            )
            if claim:
                await self._db.execute(
                    "INSERT INTO link_target_attempts (target, day, failures) VALUES (?, ?, 1)"
                    " ON CONFLICT (target, day) DO UPDATE SET failures = failures + 1",
                    (_digest(claim), day.isoformat()),
                )
            row = await self._db.fetchone(
                "INSERT INTO link_attempts (contact_id, day, failures) VALUES (?, ?, 1)"
                " ON CONFLICT (contact_id, day) DO UPDATE SET failures = failures + 1"
                " RETURNING failures",
                (contact_id, day.isoformat()),
            )
        assert row is not None
        return int(row["failures"])


def _digest(claim: str) -> str:
    return hashlib.sha256(claim.encode()).hexdigest()
