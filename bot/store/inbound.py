"""Incoming message ids already handled, per channel, so a redelivery is answered once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.db import Database, iso

__all__ = ["KEEP_FOR", "SeenInbound"]

KEEP_FOR = timedelta(days=3)
"""How long an id is remembered: far longer than any platform retries a delivery."""
_PRUNE_EVERY = 1000


class SeenInbound:
    """Queries over the inbound_seen table."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._since_prune = 0

    async def first_time(self, channel: str, message_id: str, now: datetime) -> bool:
        """Record `message_id` of `channel`; return False if it was handled before."""
        added = await self._db.execute_rowcount(
            "INSERT INTO inbound_seen (channel, message_id, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (channel, message_id) DO NOTHING",
            (channel, message_id, iso(now)),
        )
        self._since_prune += 1
        if self._since_prune >= _PRUNE_EVERY:
            self._since_prune = 0
            await self.prune(now)
        return added == 1

    async def prune(self, now: datetime) -> int:
        """Forget ids older than KEEP_FOR; return how many."""
        return await self._db.execute_rowcount(
            "DELETE FROM inbound_seen WHERE seen_at < ?", (iso(now - KEEP_FOR),)
        )
