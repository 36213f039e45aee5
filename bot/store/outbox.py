"""The outbox: every proactive message as a row from queued to sent, failed or skipped."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from bot.core.types import Button
from bot.store.db import Database, iso, parse_iso

__all__ = [
    "Claim",
    "Claimed",
    "Outbox",
    "OutboxItem",
    "OutboxReason",
    "OutboxRow",
    "OutboxStatus",
    "Outcome",
]


class OutboxStatus(StrEnum):
    """Where a proactive message is in its life."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxReason(StrEnum):
    """Why a row was skipped, failed or is tried again: the code stored in `last_error`.

    Codes are stable (reports group by them) and read in Vietnamese through the labels
    `outbox.reason.<code>`; the channel's own words, if any, are kept in `last_detail`.
    """

    STOPPED = "stopped"  # the contact stopped proactive messages (skipped at claim)
    BLOCKED = "blocked"  # the person blocked the bot or is gone
    CANCELLED = "cancelled"  # its broadcast was cancelled
    RENEWED = "renewed"  # the card was renewed before its reminder went out
    DAILY_CAP = "daily_cap"  # the contact already got the day's proactive messages
    RATE_LIMITED = "rate_limited"  # the channel asked to wait (HTTP 429)
    TRANSIENT = "transient"  # a network error, timeout or server error: tried again
    REFUSED = "refused"  # the channel refused this message (bad request)
    PROACTIVE_OFF = "proactive_off"  # proactive messages are off on the channel
    GAVE_UP = "gave_up"  # every attempt failed
    UNEXPECTED = "unexpected"  # an unexpected error (a bug), tried again
    NOT_PREPARED = "not_prepared"  # the batch could not be readied (the database, a bug)
    TEMPLATE = "template"  # the broadcast's template could not be rendered
    RECIPIENT_GONE = "recipient_gone"  # the recipient is no longer in the registry
    NO_BROADCAST = "no_broadcast"  # the row's broadcast does not exist


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message to queue for one contact."""

    contact_id: int
    kind: str
    text: str
    buttons: tuple[Button, ...] = ()
    not_before: datetime | None = None
    dedupe_key: str | None = None
    priority: int = 100
    broadcast_id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored outbox row, as `loa outbox` and the tests see it."""

    id: int
    contact_id: int
    kind: str
    text: str
    buttons: tuple[Button, ...]
    priority: int
    status: OutboxStatus
    dedupe_key: str | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None  # an OutboxReason code (older unknown texts stay as they were)
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    broadcast_id: int | None = None
    last_detail: str | None = None  # the channel's words about `last_error`, if any


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row the sender now holds in `sending`, with the chat it goes to.

    A broadcast row (`broadcast_id` set) comes with empty text: it is rendered at send time.
    """

    id: int
    contact_id: int
    chat_id: str
    kind: str
    text: str
    buttons: tuple[Button, ...]
    attempts: int
    priority: int = 100
    broadcast_id: int | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """What one claim took: rows to deliver, and how many it skipped (contact not active)."""

    rows: list[Claimed]
    skipped: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one delivery of a claimed row ended; build it with the class methods."""

    id: int
    status: OutboxStatus
    attempted: bool = True
    error: OutboxReason | None = None
    retry_at: datetime | None = None
    block_contact: int | None = None
    detail: str | None = None

    @classmethod
    def sent(cls, row_id: int) -> Outcome:
        """The message was delivered."""
        return cls(row_id, OutboxStatus.SENT)

    @classmethod
    def retry(
        cls,
        row_id: int,
        at: datetime,
        reason: OutboxReason,
        detail: str | None = None,
        *,
        attempted: bool = True,
    ) -> Outcome:
        """Queue the row again for `at`; `attempted` counts the try towards the limit."""
        return cls(row_id, OutboxStatus.QUEUED, attempted, reason, at, detail=detail)

    @classmethod
    def deferred(cls, row_id: int, at: datetime) -> Outcome:
        """Put the row back untried until `at` (its chat had no budget left)."""
        return cls(row_id, OutboxStatus.QUEUED, attempted=False, retry_at=at)

    @classmethod
    def failed(cls, row_id: int, reason: OutboxReason, detail: str | None = None) -> Outcome:
        """The message will never be delivered, for `reason`."""
        return cls(row_id, OutboxStatus.FAILED, error=reason, detail=detail)

    @classmethod
    def skipped(cls, row_id: int, reason: OutboxReason, detail: str | None = None) -> Outcome:
        """The message will not be sent, on purpose, for `reason` (e.g. DAILY_CAP)."""
        return cls(row_id, OutboxStatus.SKIPPED, attempted=False, error=reason, detail=detail)

    @classmethod
    def blocked(cls, row_id: int, contact_id: int, detail: str | None = None) -> Outcome:
        """The person blocked the bot or is gone: skip the row and mark the contact blocked."""
        return cls(
            row_id,
            OutboxStatus.SKIPPED,
            error=OutboxReason.BLOCKED,
            block_contact=contact_id,
            detail=detail,
        )


NORMAL_PRIORITY = 100
"""Rows below this priority are urgent: they may go out outside the sending hours."""
URGENT_PRIORITY = 50

_CLAIM_SQL = (
    "SELECT o.id, o.contact_id, o.kind, o.text, o.buttons, o.attempts, o.priority,"
    " o.broadcast_id,"
    " c.external_id, c.status AS contact_status"
    " FROM outbox o JOIN contacts c ON c.id = o.contact_id"
    " WHERE o.status = 'queued' AND o.next_attempt_at <= ? AND c.channel = ?"
    " AND o.priority < ?"
    " ORDER BY o.priority, o.next_attempt_at, o.id LIMIT ?"
)
_INSERT_SQL = (
    "INSERT INTO outbox (contact_id, kind, text, buttons, priority, dedupe_key, broadcast_id,"
    " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (dedupe_key) DO NOTHING"
)
_RECORD_SQL = (
    "UPDATE outbox SET status = ?, attempts = attempts + ?,"
    " next_attempt_at = COALESCE(?, next_attempt_at), last_error = COALESCE(?, last_error),"
    " last_detail = CASE WHEN ? IS NULL THEN last_detail ELSE ? END,"
    " sent_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'"
)


class Outbox:
    """Queries over the outbox table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, item: OutboxItem, now: datetime) -> int | None:
        """Queue one item; return its id (None when its dedupe key was queued before)."""
        (row_id,) = await self.enqueue_many([item], now)
        return row_id

    async def enqueue_many(self, items: Sequence[OutboxItem], now: datetime) -> list[int | None]:
        """Queue items in one transaction (unless inside one); return ids, None for dedupe hits."""
        if not items:
            return []
        stamp = iso(now)
        rows = [
            (
                item.contact_id,
                item.kind,
                item.text,
                _dump_buttons(item.buttons),
                item.priority,
                item.dedupe_key,
                item.broadcast_id,
                iso(item.not_before) if item.not_before is not None else stamp,
                stamp,
                stamp,
            )
            for item in items
        ]
        async with self._db.transaction():
            top = await self._db.fetchone("SELECT COALESCE(MAX(id), 0) AS top FROM outbox")
            assert top is not None
            await self._db.executemany(_INSERT_SQL, rows)
            added = await self._db.fetchall(
                "SELECT id, dedupe_key FROM outbox WHERE id > ? ORDER BY id", (top["top"],)
            )
        return _match_ids(items, [(row["id"], row["dedupe_key"]) for row in added])

    async def requeue_inflight(self, now: datetime) -> int:
        """Put rows left in `sending` (by a crash) back in the queue; return how many."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'queued', updated_at = ? WHERE status = 'sending'",
            (iso(now),),
        )

    async def claim(
        self, channel: str, now: datetime, limit: int, *, urgent_only: bool = False
    ) -> Claim:
        """Take up to `limit` due rows for `channel` into `sending`, most urgent first.

        Rows of contacts who stopped or blocked the bot are skipped in the same transaction.
        With `urgent_only`, only rows below NORMAL_PRIORITY are taken (outside sending hours).
        """
        stamp = iso(now)
        below = NORMAL_PRIORITY if urgent_only else 2**62
        async with self._db.transaction():
            found = await self._db.fetchall(_CLAIM_SQL, (stamp, channel, below, limit))
            active = [row for row in found if row["contact_status"] == "active"]
            take = [row["id"] for row in active]
            skip = [
                (OutboxReason(row["contact_status"]).value, stamp, row["id"])
                for row in found
                if row["contact_status"] != "active"
            ]
            if take:
                await self._db.execute(
                    "UPDATE outbox SET status = 'sending', updated_at = ?"
                    " WHERE id IN (SELECT value FROM json_each(?))",
                    (stamp, json.dumps(take)),
                )
            if skip:
                await self._db.executemany(
                    "UPDATE outbox SET status = 'skipped', last_error = ?, last_detail = NULL,"
                    " updated_at = ? WHERE id = ?",
                    skip,
                )
        rows = [
            Claimed(
                id=row["id"],
                contact_id=row["contact_id"],
                chat_id=row["external_id"],
                kind=row["kind"],
                text=row["text"],
                buttons=_load_buttons(row["buttons"]),
                attempts=row["attempts"],
                priority=row["priority"],
                broadcast_id=row["broadcast_id"],
            )
            for row in active
        ]
        return Claim(rows, len(skip))

    async def sent_counts(
        self,
        contact_ids: Sequence[int],
        start: datetime,
        end: datetime,
        *,
        besides: Sequence[int] = (),
    ) -> dict[int, int]:
        """Return, per contact, the rows sent in [start, end) plus those being sent now.

        Rows in `sending` are in flight and count as sent (a crash's leftovers are queued
        again at start-up); `besides` names rows to leave out (the claim being checked).
        """
        if not contact_ids:
            return {}
        # CROSS JOIN keeps the contacts as the outer loop, so each is looked up by its index
        # (left alone, SQLite would scan every sent row through the status index).
        rows = await self._db.fetchall(
            "SELECT o.contact_id, COUNT(*) AS n FROM json_each(?) AS j"
            " CROSS JOIN outbox o ON o.contact_id = j.value"
            " WHERE (o.status = 'sent' AND o.sent_at >= ? AND o.sent_at < ?)"
            " OR (o.status = 'sending' AND o.id NOT IN (SELECT value FROM json_each(?)))"
            " GROUP BY o.contact_id",
            (json.dumps(sorted(set(contact_ids))), iso(start), iso(end), json.dumps(list(besides))),
        )
        return {row["contact_id"]: row["n"] for row in rows}

    async def record(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Store how deliveries ended, in one transaction; contacts who blocked become blocked."""
        if not outcomes:
            return
        stamp = iso(now)
        updates = [
            (
                outcome.status.value,
                1 if outcome.attempted else 0,
                iso(outcome.retry_at) if outcome.retry_at is not None else None,
                outcome.error,
                outcome.error,
                outcome.detail,
                stamp if outcome.status is OutboxStatus.SENT else None,
                stamp,
                outcome.id,
            )
            for outcome in outcomes
        ]
        blocked = [
            (stamp, outcome.block_contact)
            for outcome in outcomes
            if outcome.block_contact is not None
        ]
        async with self._db.transaction():
            await self._db.executemany(_RECORD_SQL, updates)
            if blocked:
                await self._db.executemany(
                    "UPDATE contacts SET status = 'blocked', status_changed_at = ?"
                    " WHERE id = ? AND status <> 'blocked'",
                    blocked,
                )

    async def next_due(self, channel: str) -> datetime | None:
        """Return when the earliest queued row for `channel` is due, or None if none is queued."""
        row = await self._db.fetchone(
            "SELECT MIN(o.next_attempt_at) AS due FROM outbox o"
            " JOIN contacts c ON c.id = o.contact_id"
            " WHERE o.status = 'queued' AND c.channel = ?",
            (channel,),
        )
        return parse_iso(row["due"]) if row is not None and row["due"] is not None else None

    async def counts(self) -> dict[OutboxStatus, int]:
        """Return how many rows have each status."""
        rows = await self._db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        counts = dict.fromkeys(OutboxStatus, 0)
        counts.update({OutboxStatus(row["status"]): row["n"] for row in rows})
        return counts

    async def latest_failures(self, limit: int = 10) -> list[OutboxRow]:
        """Return the most recently failed rows, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE status = 'failed' ORDER BY updated_at DESC, id DESC"
            " LIMIT ?",
            (limit,),
        )
        return [_row(row) for row in rows]


def _match_ids(
    items: Sequence[OutboxItem], added: list[tuple[int, str | None]]
) -> list[int | None]:
    """Pair each item with the row it inserted (rows come in insertion order)."""
    ids: list[int | None] = []
    position = 0
    for item in items:
        if position < len(added) and (
            item.dedupe_key is None or added[position][1] == item.dedupe_key
        ):
            ids.append(added[position][0])
            position += 1
        else:
            ids.append(None)
    return ids


def _dump_buttons(buttons: Sequence[Button]) -> str:
    return json.dumps([[b.label, b.payload] for b in buttons], ensure_ascii=False)


def _load_buttons(text: str) -> tuple[Button, ...]:
    return tuple(Button(label, payload) for label, payload in json.loads(text))


def _row(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        contact_id=row["contact_id"],
        kind=row["kind"],
        text=row["text"],
        buttons=_load_buttons(row["buttons"]),
        priority=row["priority"],
        status=OutboxStatus(row["status"]),
        dedupe_key=row["dedupe_key"],
        attempts=row["attempts"],
        next_attempt_at=parse_iso(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=parse_iso(row["created_at"]),
        updated_at=parse_iso(row["updated_at"]),
        sent_at=parse_iso(row["sent_at"]) if row["sent_at"] is not None else None,
        broadcast_id=row["broadcast_id"],
        last_detail=row["last_detail"],
    )
