"""Files offered by link for a limited time (the channel could not carry them itself)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, iso, parse_iso

__all__ = ["FileLinks", "LinkedFile"]


@dataclass(frozen=True, slots=True)
class LinkedFile:
    """A file behind a link: its name, content type, bytes, who it is for, and its expiry."""

    name: str
    content_type: str
    content: bytes
    for_account: str
    expires_at: datetime


class FileLinks:
    """Queries over the file_links table; tokens are kept only as SHA-256 digests."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, token: str, file: LinkedFile, now: datetime) -> None:
        """Keep `file` under `token` until its expiry (expired links are purged first)."""
        async with self._db.transaction():
            await self.purge(now)
            await self._db.execute(
                "INSERT INTO file_links (token_digest, name, content_type, content, for_account,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _digest(token),
                    file.name,
                    file.content_type,
                    file.content,
                    file.for_account,
                    iso(now),
                    iso(file.expires_at),
                ),
            )

    async def get(self, token: str, now: datetime) -> LinkedFile | None:
        """Return the file behind `token`, or None if unknown or expired (then it is removed)."""
        row = await self._db.fetchone(
            "SELECT name, content_type, content, for_account, expires_at FROM file_links"
            " WHERE token_digest = ?",
            (_digest(token),),
        )
        if row is None:
            return None
        expires_at = parse_iso(row["expires_at"])
        if expires_at <= now:
            await self._db.execute_rowcount(
                "DELETE FROM file_links WHERE token_digest = ?", (_digest(token),)
            )
            return None
        return LinkedFile(
            row["name"], row["content_type"], bytes(row["content"]), row["for_account"], expires_at
        )

    async def purge(self, now: datetime) -> int:
        """Remove every expired link; return how many."""
        return await self._db.execute_rowcount(
            "DELETE FROM file_links WHERE expires_at <= ?", (iso(now),)
        )


def _digest(token: str) -> str:
    """Return the SHA-256 hex digest of a token (the table's key)."""
    return hashlib.sha256(token.encode()).hexdigest()
