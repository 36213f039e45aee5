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

    async def add_many(
        self, contact_id: int, entries: list[tuple[Direction, str, str]], now: datetime
    ) -> None:
        """Log several messages (direction, kind, text) at once."""
        stamp = iso(now)
        await self._db.executemany(
            "INSERT INTO messages (contact_id, direction, kind, text, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(contact_id, direction, kind, text, stamp) for direction, kind, text in entries],
        )

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
