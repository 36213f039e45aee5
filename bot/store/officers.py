"""Officers, their one-time invitations, each commune's officer chat, and the audit log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, iso, parse_iso

__all__ = ["AuditEntry", "Officer", "Officers", "hash_code"]


@dataclass(frozen=True, slots=True)
class Officer:
    """A Telegram user who follows up one commune's registrations."""

    telegram_id: int
    name: str
    commune: str
    commune_key: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited action: who, what, when."""

    actor: str
    action: str
    detail: str
    at: datetime


def hash_code(code: str) -> str:
    """Return the stored form of an invitation code (its SHA-256, hex)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class Officers:
    """Queries over officers, invitations, commune chats and the audit log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, telegram_id: int, name: str, commune: str, commune_key: str, by: str, now: datetime
    ) -> Officer:
        """Make a Telegram user the officer of a commune (replacing an earlier commune)."""
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO officers (telegram_id, name, commune, commune_key, added_by,"
                " added_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET"
                " name = excluded.name, commune = excluded.commune,"
                " commune_key = excluded.commune_key, added_by = excluded.added_by,"
                " added_at = excluded.added_at",
                (telegram_id, name, commune, commune_key, by, iso(now)),
            )
            await self._audit(by, "officer_add", f"{telegram_id} {commune_key}", now)
        officer = await self.get(telegram_id)
        assert officer is not None
        return officer

    async def remove(self, telegram_id: int, by: str, now: datetime) -> bool:
        """Remove an officer; return False if there was none."""
        async with self._db.transaction():
            removed = await self._db.execute_rowcount(
                "DELETE FROM officers WHERE telegram_id = ?", (telegram_id,)
            )
            if removed:
                await self._audit(by, "officer_remove", str(telegram_id), now)
        return removed > 0

    async def get(self, telegram_id: int) -> Officer | None:
        """Return the officer with this Telegram id, if any."""
        row = await self._db.fetchone(
            "SELECT * FROM officers WHERE telegram_id = ?", (telegram_id,)
        )
        if row is None:
            return None
        return Officer(
            telegram_id=row["telegram_id"],
            name=row["name"],
            commune=row["commune"],
            commune_key=row["commune_key"],
            added_by=row["added_by"],
            added_at=parse_iso(row["added_at"]),
        )

    async def all(self) -> list[Officer]:
        """Return every officer, by commune then id."""
        rows = await self._db.fetchall(
            "SELECT telegram_id FROM officers ORDER BY commune_key, telegram_id"
        )
        found = [await self.get(row["telegram_id"]) for row in rows]
        return [officer for officer in found if officer is not None]

    async def create_invite(
        self, code: str, commune: str, commune_key: str, by: str, now: datetime, expires: datetime
    ) -> None:
        """Store a one-time invitation (only the code's hash is kept)."""
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO officer_invites (code_hash, commune, commune_key, created_by,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (hash_code(code), commune, commune_key, by, iso(now), iso(expires)),
            )
            await self._audit(by, "invite_create", commune_key, now)

    async def redeem_invite(
        self, code: str, telegram_id: int, name: str, now: datetime
    ) -> Officer | None:
        """Use an unexpired, unused invitation to make `telegram_id` an officer, or None."""
        actor = f"telegram:{telegram_id}"
        async with self._db.transaction():
            row = await self._db.fetchone(
                "UPDATE officer_invites SET used_by = ?, used_at = ?"
                " WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?"
                " RETURNING commune, commune_key, created_by",
                (telegram_id, iso(now), hash_code(code), iso(now)),
            )
            if row is None:
                await self._audit(actor, "invite_refused", "", now)
                return None
            await self._db.execute(
                "INSERT INTO officers (telegram_id, name, commune, commune_key, added_by,"
                " added_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET"
                " name = excluded.name, commune = excluded.commune,"
                " commune_key = excluded.commune_key, added_by = excluded.added_by,"
                " added_at = excluded.added_at",
                (
                    telegram_id,
                    name,
                    row["commune"],
                    row["commune_key"],
                    row["created_by"],
                    iso(now),
                ),
            )
            await self._audit(actor, "invite_redeem", row["commune_key"], now)
        return await self.get(telegram_id)

    async def set_chat(
        self, commune: str, commune_key: str, chat_id: str, by: str, now: datetime
    ) -> None:
        """Post a commune's new registrations to `chat_id`."""
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO commune_chats (commune_key, commune, chat_id, set_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (commune_key) DO UPDATE SET"
                " commune = excluded.commune, chat_id = excluded.chat_id, set_at = excluded.set_at",
                (commune_key, commune, chat_id, iso(now)),
            )
            await self._audit(by, "chat_set", f"{commune_key} {chat_id}", now)

    async def chat_for(self, commune_key: str) -> str | None:
        """Return the officer chat configured for a commune, if any."""
        row = await self._db.fetchone(
            "SELECT chat_id FROM commune_chats WHERE commune_key = ?", (commune_key,)
        )
        return str(row["chat_id"]) if row else None

    async def audit(self, actor: str, action: str, detail: str, now: datetime) -> None:
        """Record one action in the audit log."""
        await self._audit(actor, action, detail, now)

    async def _audit(self, actor: str, action: str, detail: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (actor, action, detail, at) VALUES (?, ?, ?, ?)",
            (actor, action, detail, iso(now)),
        )

    async def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        """Return the latest audit entries, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id",
            (limit,),
        )
        return [
            AuditEntry(row["actor"], row["action"], row["detail"], parse_iso(row["at"]))
            for row in rows
        ]
