"""The message log: every message in and out, stored as plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.store.db import Database, iso, parse_iso

__all__ = ["LoggedMessage", "MessageLog"]

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    """One logged message."""

    id: int
    contact_id: int
    direction: Direction
    kind: str
    text: str
    created_at: datetime


class MessageLog:
    """Queries over the messages table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, contact_id: int, direction: Direction, kind: str, text: str, now: datetime
    ) -> int:
        """Log one message; return its id."""
        return await self._db.execute(
            "INSERT INTO messages (contact_id, direction, kind, text, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (contact_id, direction, kind, text, iso(now)),
        )

    async def prune(self, before: datetime, *, chunk: int = 5000) -> int:
        """Delete the messages logged before `before`, a chunk per statement; return how many.

        Ids grow with time: the first message logged at or after `before` bounds the old ones,
        found from the start of the table without an index on the time, and the deletes go by
        id in chunks so that the connection is never held long.
        """
        row = await self._db.fetchone(
            "SELECT COALESCE((SELECT id FROM messages WHERE created_at >= ? ORDER BY id LIMIT 1),"
            " (SELECT COALESCE(MAX(id), 0) + 1 FROM messages)) AS bound",
            (iso(before),),
        )
        assert row is not None
        removed = 0
        while True:
            count = await self._db.execute_rowcount(
                "DELETE FROM messages WHERE id IN"
                " (SELECT id FROM messages WHERE id < ? ORDER BY id LIMIT ?)",
                (row["bound"], chunk),
            )
            removed += count
            if count < chunk:
                return removed

    async def for_contact(self, contact_id: int, limit: int = 50) -> list[LoggedMessage]:
        """Return the contact's latest messages, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM (SELECT * FROM messages WHERE contact_id = ? ORDER BY id DESC LIMIT ?)"
            " ORDER BY id",
            (contact_id, limit),
        )
        return [
            LoggedMessage(
                id=row["id"],
                contact_id=row["contact_id"],
                direction=row["direction"],
                kind=row["kind"],
                text=row["text"],
                created_at=parse_iso(row["created_at"]),
            )
            for row in rows
        ]
