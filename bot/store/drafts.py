"""Officers' broadcast drafts (one per officer) and the places their audience buttons offer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import aiosqlite

from bot.store.db import Database, iso, parse_iso

__all__ = ["DRAFT_LIFETIME", "Draft", "DraftStep", "Drafts", "Place"]

DRAFT_LIFETIME = timedelta(days=1)
"""A draft untouched for this long is ignored and removed."""


class DraftStep(StrEnum):
    """Where an officer is in the /broadcast flow."""

    COMMUNES = "communes"
    AUDIENCE = "audience"
    AUDIENCE_TEXT = "audience_text"
    MESSAGE = "message"
    PREVIEW = "preview"
    WHEN = "when"
    WHEN_TEXT = "when_text"
    CONFIRM = "confirm"

    @property
    def awaits_text(self) -> bool:
        """Tell whether the officer's next chat message belongs to this step."""
        return self in _TYPED


_NUMBER = re.compile(r"(\d+)")


def _natural(place: Place) -> tuple[object, ...]:
    """Order "Thôn 2" before "Thôn 10"."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(place.key))


_TYPED = frozenset({DraftStep.AUDIENCE_TEXT, DraftStep.MESSAGE, DraftStep.WHEN_TEXT})


@dataclass(frozen=True, slots=True)
class Draft:
    """A broadcast being written: its step, audience text, template and chosen time."""

    actor: str  # the officer's account, `telegram:123`
    token: str
    chat_id: str
    step: DraftStep
    audience: str = ""
    template: str = ""
    send_at: datetime | None = None
    urgent: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A commune or village known to the registry: its key and its display name."""

    key: str
    name: str


def _draft(row: aiosqlite.Row) -> Draft:
    return Draft(
        actor=row["actor"],
        token=row["token"],
        chat_id=row["chat_id"],
        step=DraftStep(row["step"]),
        audience=row["audience"],
        template=row["template"],
        send_at=parse_iso(row["send_at"]) if row["send_at"] else None,
        urgent=bool(row["urgent"]),
        updated_at=parse_iso(row["updated_at"]),
    )


class Drafts:
    """Queries over broadcast drafts and the communes and villages of the registry."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, actor: str, now: datetime) -> Draft | None:
        """Return the officer's draft, unless there is none or it is older than a day."""
        row = await self._db.fetchone(
            "SELECT * FROM broadcast_drafts WHERE actor = ? AND updated_at >= ?",
            (actor, iso(now - DRAFT_LIFETIME)),
        )
        return _draft(row) if row is not None else None

    async def awaits_text(self, actor: str, now: datetime) -> bool:
        """Tell whether the officer has a live draft waiting for typed text (one key look-up)."""
        row = await self._db.fetchone(
            "SELECT 1 FROM broadcast_drafts WHERE actor = ? AND updated_at >= ?"
            " AND step IN ('audience_text', 'message', 'when_text')",
            (actor, iso(now - DRAFT_LIFETIME)),
        )
        return row is not None

    async def save(self, draft: Draft, now: datetime) -> Draft:
        """Store the officer's draft (replacing theirs) and return it as stored."""
        stamp = iso(now)
        await self._db.execute(
            "INSERT INTO broadcast_drafts (actor, token, chat_id, step, audience, template,"
            " send_at, urgent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (actor) DO UPDATE SET token = excluded.token,"
            " chat_id = excluded.chat_id, step = excluded.step, audience = excluded.audience,"
            " template = excluded.template, send_at = excluded.send_at,"
            " urgent = excluded.urgent, updated_at = excluded.updated_at,"
            " created_at = CASE WHEN broadcast_drafts.token = excluded.token"
            "  THEN broadcast_drafts.created_at ELSE excluded.created_at END",
            (
                draft.actor,
                draft.token,
                draft.chat_id,
                draft.step.value,
                draft.audience,
                draft.template,
                iso(draft.send_at) if draft.send_at is not None else None,
                int(draft.urgent),
                stamp,
                stamp,
            ),
        )
        stored = await self.get(draft.actor, now)
        assert stored is not None
        return stored

    async def drop(self, actor: str) -> bool:
        """Remove the officer's draft; return whether there was one."""
        removed = await self._db.execute_rowcount(
            "DELETE FROM broadcast_drafts WHERE actor = ?", (actor,)
        )
        return removed > 0

    async def clean(self, now: datetime) -> int:
        """Remove drafts untouched for more than a day; return how many."""
        return await self._db.execute_rowcount(
            "DELETE FROM broadcast_drafts WHERE updated_at < ?", (iso(now - DRAFT_LIFETIME),)
        )

    async def communes(self, limit: int = 100) -> list[Place]:
        """Return the communes of the registry, by key."""
        rows = await self._db.fetchall(
            "SELECT commune_key AS key, MIN(commune) AS name FROM residents"
            " WHERE commune_key <> '' GROUP BY commune_key LIMIT ?",
            (limit,),
        )
        return sorted((Place(row["key"], row["name"]) for row in rows), key=_natural)

    async def villages(self, commune_key: str, limit: int = 100) -> list[Place]:
        """Return the villages of one commune in the registry, by key."""
        rows = await self._db.fetchall(
            "SELECT village_key AS key, MIN(village) AS name FROM residents"
            " WHERE commune_key = ? AND village_key <> ''"
            " GROUP BY village_key LIMIT ?",
            (commune_key, limit),
        )
        return sorted((Place(row["key"], row["name"]) for row in rows), key=_natural)
