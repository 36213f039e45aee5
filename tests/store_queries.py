"""What tests read straight from a test's database, by plain SQL (never needed by Loa itself)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.core.types import Button
from bot.store.contacts import Contact, ContactStatus, contact_from_row
from bot.store.db import Database, parse_iso
from bot.store.outbox import OutboxRow, OutboxStatus
from bot.store.reminders import ReminderStatus

__all__ = [
    "AuditEntry",
    "ReminderRow",
    "applied_versions",
    "audit_entries",
    "contact_counts",
    "find_contact",
    "outbox_row",
    "outbox_rows",
    "reminders_of",
]


async def outbox_rows(db: Database) -> list[OutboxRow]:
    """Return every outbox row, oldest first."""
    return [_outbox(row) for row in await db.fetchall("SELECT * FROM outbox ORDER BY id")]


async def outbox_row(db: Database, row_id: int) -> OutboxRow | None:
    """Return the outbox row with this id, if any."""
    row = await db.fetchone("SELECT * FROM outbox WHERE id = ?", (row_id,))
    return _outbox(row) if row is not None else None


async def contact_counts(db: Database) -> dict[ContactStatus, int]:
    """Return how many contacts have each status (0 for a status nobody has)."""
    rows = await db.fetchall("SELECT status, COUNT(*) AS n FROM contacts GROUP BY status")
    return dict.fromkeys(ContactStatus, 0) | {ContactStatus(r["status"]): r["n"] for r in rows}


async def applied_versions(db: Database) -> list[int]:
    """Return the migration versions applied to the database, in order."""
    rows = await db.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    return [row["version"] for row in rows]


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """A stored reminder stage."""

    resident_id: int
    expiry_date: date
    stage: int
    status: ReminderStatus
    due_on: date
    not_before: datetime | None
    reason: str | None


async def reminders_of(db: Database, resident_id: int) -> list[ReminderRow]:
    """Return every stage recorded for a resident, by expiry date and stage."""
    rows = await db.fetchall(
        "SELECT * FROM reminders WHERE resident_id = ? ORDER BY expiry_date, stage",
        (resident_id,),
    )
    return [
        ReminderRow(
            resident_id=row["resident_id"],
            expiry_date=date.fromisoformat(row["expiry_date"]),
            stage=row["stage"],
            status=ReminderStatus(row["status"]),
            due_on=date.fromisoformat(row["due_on"]),
            not_before=_moment(row["not_before"]),
            reason=row["reason"],
        )
        for row in rows
    ]


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _outbox(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        contact_id=row["contact_id"],
        kind=row["kind"],
        text=row["text"],
        buttons=tuple(Button(label, payload) for label, payload in json.loads(row["buttons"])),
        priority=row["priority"],
        status=OutboxStatus(row["status"]),
        dedupe_key=row["dedupe_key"],
        attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        sent_at=_moment(row["sent_at"]),
        broadcast_id=row["broadcast_id"],
        last_detail=row["last_detail"],
    )


async def find_contact(db: Database, channel: str, external_id: str) -> Contact | None:
    """Return the contact at this address, if any."""
    row = await db.fetchone(
        "SELECT * FROM contacts WHERE channel = ? AND external_id = ?", (channel, external_id)
    )
    return contact_from_row(row) if row else None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited action: who, what, when."""

    actor: str
    action: str
    detail: str
    at: datetime


async def audit_entries(db: Database, limit: int = 100) -> list[AuditEntry]:
    """Return the latest officers' audit entries, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id", (limit,)
    )
    return [AuditEntry(r["actor"], r["action"], r["detail"], parse_iso(r["at"])) for r in rows]
