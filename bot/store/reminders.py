"""Reminder stages decided per card: one row per (resident, expiry date, stage), at most once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.store.db import Database, iso
from bot.store.outbox import OutboxItem

__all__ = [
    "DEDUPE_KEY_SQL",
    "Candidate",
    "Decision",
    "ReminderStatus",
    "Reminders",
    "dedupe_key",
]

# The outbox dedupe key of a reminder; DEDUPE_KEY_SQL builds the same text from a row `m`.
DEDUPE_KEY_SQL = "'reminder:' || m.resident_id || ':' || m.expiry_date || ':' || m.stage"

Enqueue = Callable[[Sequence[OutboxItem], datetime], Awaitable[list[int | None]]]


def dedupe_key(resident_id: int, expiry: date, stage: int) -> str:
    """Return the outbox dedupe key of one reminder stage of one card."""
    return f"reminder:{resident_id}:{expiry.isoformat()}:{stage}"


class ReminderStatus(StrEnum):
    """What became of a stage: handed to the outbox, or cancelled by a renewal."""

    QUEUED = "queued"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resident whose card may have a stage due, with how to reach them.

    `contact_status` and `contact_channel` are None when no contact is linked; `phone` is the
    list's (international form) or None; `done` holds the stages already decided for the
    current expiry date.
    """

    resident_id: int
    full_name: str
    commune: str
    village: str
    expiry_date: date
    contact_id: int | None
    contact_status: str | None
    reminders_enabled: bool
    done: frozenset[int]
    phone: str | None = None
    contact_channel: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A stage to record as queued, with when its message may go out."""

    resident_id: int
    expiry_date: date
    stage: int
    status: ReminderStatus
    due_on: date
    not_before: datetime | None = None


_CANDIDATES_SQL = (
    "SELECT r.id, r.full_name, r.commune, r.village, r.expiry_date, r.contact_id,"
    " r.reminders_enabled, r.phone, c.status AS contact_status, c.channel AS contact_channel,"
    " (SELECT group_concat(m.stage) FROM reminders m"
    "  WHERE m.resident_id = r.id AND m.expiry_date = r.expiry_date) AS done"
    " FROM residents r LEFT JOIN contacts c ON c.id = r.contact_id"
    " WHERE r.id > ? AND r.expiry_date BETWEEN ? AND ? ORDER BY r.id LIMIT ?"
)
_INSERT_SQL = (
    "INSERT INTO reminders (resident_id, expiry_date, stage, status, due_on, not_before,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (resident_id, expiry_date, stage) DO NOTHING"
)


def _done(text: str | None) -> frozenset[int]:
    """Parse group_concat's comma-separated stages."""
    return frozenset(int(part) for part in text.split(",")) if text else frozenset()


class Reminders:
    """Queries over the reminders table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def candidates(
        self, expiry_from: date, expiry_to: date, *, after_id: int = 0, limit: int = 50_000
    ) -> list[Candidate]:
        """Return up to `limit` residents (id above `after_id`) whose expiry is in the range."""
        rows = await self._db.fetchall(
            _CANDIDATES_SQL,
            (after_id, expiry_from.isoformat(), expiry_to.isoformat(), limit),
        )
        return [
            Candidate(
                resident_id=row["id"],
                full_name=row["full_name"],
                commune=row["commune"],
                village=row["village"],
                expiry_date=date.fromisoformat(row["expiry_date"]),
                contact_id=row["contact_id"],
                contact_status=row["contact_status"],
                reminders_enabled=bool(row["reminders_enabled"]),
                done=_done(row["done"]),
                phone=row["phone"],
                contact_channel=row["contact_channel"],
            )
            for row in rows
        ]

    async def save(
        self,
        decisions: Sequence[Decision],
        items: Sequence[OutboxItem],
        now: datetime,
        enqueue: Enqueue,
    ) -> None:
        """Record the stages and queue their messages with `enqueue`, in one transaction.

        A stage recorded before (another planner run) is left alone; its message has the
        same dedupe key, so the outbox ignores it too.
        """
        stamp = iso(now)
        rows = [
            (
                d.resident_id,
                d.expiry_date.isoformat(),
                d.stage,
                d.status.value,
                d.due_on.isoformat(),
                iso(d.not_before) if d.not_before is not None else None,
                stamp,
                stamp,
            )
            for d in decisions
        ]
        async with self._db.transaction():
            if rows:
                await self._db.executemany(_INSERT_SQL, rows)
            if items:
                await enqueue(items, now)

    async def counts(self) -> dict[ReminderStatus, int]:
        """Return how many stages have each status."""
        rows = await self._db.fetchall(
            "SELECT status, COUNT(*) AS n FROM reminders GROUP BY status"
        )
        counts = dict.fromkeys(ReminderStatus, 0)
        counts.update({ReminderStatus(row["status"]): row["n"] for row in rows})
        return counts
