"""Broadcasts: campaign messages, their recipients resolved in batches, and their outcomes.

A recipient is any contact of the channel. Their commune and village come from the place on
the contact (a leaflet, their answer, a registration or a linked card), else from a registry
record (`residents.contact_id`), else from their latest registration; a contact with none of
these has no known commune (`xa=*` and `xa=?` reach them). A contact who erased their data
(/xoa) is left out until they give a place again.
Each recipient gets one outbox row whose dedupe key is `broadcast:{id}:{contact_id}`, so the
outbox is the per-recipient record; the row is queued without text and rendered when sent,
from the fields `people` returns at that moment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.core.audience import Audience, CardStatus
from bot.store.db import Database, iso, parse_iso
from bot.store.outbox import Outbox, OutboxItem

__all__ = [
    "Broadcast",
    "BroadcastStatus",
    "Broadcasts",
    "NewBroadcast",
    "Outcomes",
    "Recipient",
    "Selection",
    "dedupe_key",
]

_HELD = "9999-12-31T00:00:00.000000+00:00"


def dedupe_key(broadcast_id: int, contact_id: int) -> str:
    """Return the outbox dedupe key of one recipient of one broadcast."""
    return f"broadcast:{broadcast_id}:{contact_id}"


def _key_range(broadcast_id: int) -> tuple[str, str]:
    """Return [low, high) bounds of the broadcast's dedupe keys (';' follows ':')."""
    return f"broadcast:{broadcast_id}:", f"broadcast:{broadcast_id};"


class BroadcastStatus(StrEnum):
    """Where a broadcast is in its life."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class NewBroadcast:
    """What a new broadcast needs."""

    created_by: str
    communes: tuple[str, ...] | None
    audience: str
    template: str
    urgent: bool
    start_at: datetime
    notify_chat: str = ""


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A stored broadcast."""

    id: int
    created_by: str
    communes: tuple[str, ...] | None
    audience: str
    template: str
    urgent: bool
    status: BroadcastStatus
    start_at: datetime
    cursor: int
    resolved: bool
    enqueued: int
    left_out: int
    notify_chat: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Selection:
    """An audience made concrete: communes (None = all), today's date, channel (None = all)."""

    audience: Audience
    communes: tuple[str, ...] | None
    today: date
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """One resolved recipient and the fields a template may use."""

    contact_id: int
    status: str
    full_name: str
    expiry_date: date | None
    commune: str
    village: str


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What the outbox holds for one broadcast."""

    by_status: dict[str, int]
    failed: dict[str, int]
    skipped: dict[str, int]
    last_update: datetime | None


_FIELDS = (
    "SELECT c.id AS contact_id, c.status AS contact_status, c.display_name,"
    " r.full_name AS r_name, r.expiry_date, r.commune AS r_commune, r.village AS r_village,"
    " g.full_name AS g_name, g.commune AS g_commune, g.village AS g_village,"
    " p.commune AS p_commune, p.village AS p_village"
    " FROM contacts c"
    " LEFT JOIN contact_places p ON p.contact_id = c.id"
    " LEFT JOIN residents r ON r.id = (SELECT r2.id FROM residents r2 WHERE r2.contact_id = c.id"
    "  ORDER BY r2.expiry_date DESC, r2.id LIMIT 1)"
    " LEFT JOIN registrations g ON g.id = (SELECT g2.id FROM registrations g2"
    "  WHERE g2.contact_id = c.id AND g2.erased_at IS NULL ORDER BY g2.id DESC LIMIT 1)"
)
_PEOPLE = (
    _FIELDS + " WHERE (:channel IS NULL OR c.channel = :channel)"
    " AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.contact_id = c.id"
    "  AND e.erased_at >= COALESCE(p.set_at, ''))"
)
_COMMUNE = "COALESCE(NULLIF(p.commune_key, ''), NULLIF(r.commune_key, ''), g.commune_key, '')"
_VILLAGE = "COALESCE(NULLIF(p.village_key, ''), NULLIF(r.village_key, ''), g.village_key, '')"


def _where(selection: Selection) -> tuple[str, dict[str, Any]]:
    """Return the SQL conditions and parameters of a selection (appended to _PEOPLE)."""
    audience = selection.audience
    sql: list[str] = []
    params: dict[str, Any] = {"channel": selection.channel}
    if selection.communes is not None:
        sql.append(f"{_COMMUNE} IN (SELECT value FROM json_each(:communes))")
        params["communes"] = json.dumps(list(selection.communes))
    if audience.unknown_commune:
        sql.append(f"{_COMMUNE} = ''")
    if audience.villages:
        sql.append(f"{_VILLAGE} IN (SELECT value FROM json_each(:villages))")
        params["villages"] = json.dumps(list(audience.village_keys))
    card = audience.card
    if card is not None:
        today = selection.today
        if card.status is CardStatus.NOT_IN_REGISTRY:
            sql.append("r.id IS NULL")
        elif card.status is CardStatus.EXPIRED:
            sql.append("r.expiry_date < :expired_before")
            params["expired_before"] = (today - timedelta(days=card.days or 0)).isoformat()
        else:
            sql.append("r.expiry_date BETWEEN :today AND :expiring_by")
            params["today"] = today.isoformat()
            params["expiring_by"] = (today + timedelta(days=card.days or 0)).isoformat()
    if audience.interest is not None:
        sql.append(
            "EXISTS (SELECT 1 FROM registrations g3 WHERE g3.contact_id = c.id"
            " AND g3.erased_at IS NULL AND g3.interest = :interest)"
        )
        params["interest"] = audience.interest
    if audience.linked is not None:
        sql.append("r.id IS NOT NULL" if audience.linked else "r.id IS NULL")
    return "".join(f" AND {condition}" for condition in sql), params


def _recipient(row: aiosqlite.Row) -> Recipient:
    expiry = row["expiry_date"]
    return Recipient(
        contact_id=row["contact_id"],
        status=row["contact_status"],
        full_name=row["r_name"] or row["g_name"] or row["display_name"] or "",
        expiry_date=date.fromisoformat(expiry) if expiry else None,
        commune=row["p_commune"] or row["r_commune"] or row["g_commune"] or "",
        village=row["p_village"] or row["r_village"] or row["g_village"] or "",
    )


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    communes = row["communes"]
    return Broadcast(
        id=row["id"],
        created_by=row["created_by"],
        communes=None if communes == "*" else tuple(json.loads(communes)),
        audience=row["audience"],
        template=row["template"],
        urgent=bool(row["urgent"]),
        status=BroadcastStatus(row["status"]),
        start_at=parse_iso(row["start_at"]),
        cursor=row["cursor"],
        resolved=bool(row["resolved"]),
        enqueued=row["enqueued"],
        left_out=row["left_out"],
        notify_chat=row["notify_chat"],
        created_at=parse_iso(row["created_at"]),
        started_at=parse_iso(row["started_at"]) if row["started_at"] else None,
        finished_at=parse_iso(row["finished_at"]) if row["finished_at"] else None,
    )


class Broadcasts:
    """Queries over broadcasts and their outbox rows."""

    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    async def create(self, new: NewBroadcast, now: datetime) -> Broadcast:
        """Store a scheduled broadcast and return it."""
        stamp = iso(now)
        communes = "*" if new.communes is None else json.dumps(list(new.communes))
        async with self._db.transaction():  # writes take the lock: see finish()
            broadcast_id = await self._db.execute(
                "INSERT INTO broadcasts (created_by, communes, audience, template, urgent, status,"
                " start_at, notify_chat, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)",
                (
                    new.created_by,
                    communes,
                    new.audience,
                    new.template,
                    int(new.urgent),
                    iso(new.start_at),
                    new.notify_chat,
                    stamp,
                    stamp,
                ),
            )
        found = await self.get(broadcast_id)
        assert found is not None
        return found

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return the broadcast with this id, if any."""
        row = await self._db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row is not None else None

    async def latest(self, limit: int = 20) -> list[Broadcast]:
        """Return the newest broadcasts first."""
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_broadcast(row) for row in rows]

    async def active(self, now: datetime) -> list[Broadcast]:
        """Return running broadcasts and scheduled ones whose start time has come."""
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE status = 'running'"
            " OR (status = 'scheduled' AND start_at <= ?) ORDER BY id",
            (iso(now),),
        )
        return [_broadcast(row) for row in rows]

    async def count_audience(self, selection: Selection) -> dict[str, int]:
        """Return how many recipients the selection has, by contact status."""
        where, params = _where(selection)
        rows = await self._db.fetchall(
            f"SELECT contact_status, COUNT(*) AS n FROM ({_PEOPLE}{where}) GROUP BY contact_status",
            params,
        )
        return {row["contact_status"]: row["n"] for row in rows}

    async def recipients(
        self, selection: Selection, after: int, limit: int, *, active_only: bool = False
    ) -> list[Recipient]:
        """Return up to `limit` recipients with contact id above `after`, in id order."""
        where, params = _where(selection)
        if active_only:
            where += " AND c.status = 'active'"
        params.update(after=after, limit=limit)
        rows = await self._db.fetchall(
            f"{_PEOPLE}{where} AND c.id > :after ORDER BY c.id LIMIT :limit", params
        )
        return [_recipient(row) for row in rows]

    async def people(self, contact_ids: Sequence[int]) -> dict[int, Recipient]:
        """Return the current template fields of these contacts (one query), by contact id.

        A contact with neither registry record nor registration gets its profile name only.
        """
        if not contact_ids:
            return {}
        rows = await self._db.fetchall(
            f"{_FIELDS} WHERE c.id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(contact_ids)),),
        )
        return {row["contact_id"]: _recipient(row) for row in rows}

    async def save_batch(
        self,
        broadcast_id: int,
        items: Sequence[OutboxItem],
        left_out: int,
        cursor: int,
        *,
        resolved: bool,
        now: datetime,
    ) -> bool:
        """Queue a batch and move the cursor: atomically.

        Nothing is written (False) unless the broadcast is still scheduled or running.
        """
        stamp = iso(now)
        async with self._db.transaction():
            row = await self._db.fetchone(
                "SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)
            )
            if row is None or row["status"] not in ("scheduled", "running"):
                return False
            await self._outbox.enqueue_many(items, now)
            await self._db.execute(
                "UPDATE broadcasts SET cursor = ?, resolved = ?, enqueued = enqueued + ?,"
                " left_out = left_out + ?, updated_at = ?,"
                " status = CASE status WHEN 'scheduled' THEN 'running' ELSE status END,"
                " started_at = COALESCE(started_at, ?) WHERE id = ?",
                (cursor, int(resolved), len(items), left_out, stamp, stamp, broadcast_id),
            )
        return True

    async def set_status(
        self, broadcast_id: int, status: BroadcastStatus, now: datetime, *, release_at: datetime
    ) -> None:
        """Change the status; hold, release or cancel the broadcast's queued outbox rows.

        Paused rows wait with a far-future due time; resuming makes them due at `release_at`;
        cancelling marks them skipped ('cancelled').
        """
        low, high = _key_range(broadcast_id)
        stamp = iso(now)
        rows_sql = " WHERE dedupe_key >= ? AND dedupe_key < ? AND status = 'queued'"
        async with self._db.transaction():
            if status is BroadcastStatus.PAUSED:
                await self._db.execute(
                    "UPDATE outbox SET next_attempt_at = ?, updated_at = ?" + rows_sql,
                    (_HELD, stamp, low, high),
                )
            elif status is BroadcastStatus.CANCELLED:
                await self._db.execute(
                    "UPDATE outbox SET status = 'skipped', last_error = 'cancelled',"
                    " updated_at = ?" + rows_sql,
                    (stamp, low, high),
                )
            else:
                await self._db.execute(
                    "UPDATE outbox SET next_attempt_at = ?, updated_at = ?"
                    + rows_sql
                    + " AND next_attempt_at = ?",
                    (iso(release_at), stamp, low, high, _HELD),
                )
            finished = stamp if status is BroadcastStatus.CANCELLED else None
            await self._db.execute(
                "UPDATE broadcasts SET status = ?, updated_at = ?,"
                " finished_at = COALESCE(?, finished_at) WHERE id = ?",
                (status.value, stamp, finished, broadcast_id),
            )

    async def finish(self, broadcast_id: int, at: datetime, now: datetime) -> bool:
        """Mark a fully resolved broadcast done once none of its rows wait; return if it did."""
        low, high = _key_range(broadcast_id)
        # Inside transaction(): a bare write could leave the shared connection mid-transaction
        # while another task begins one ("cannot start a transaction within a transaction").
        async with self._db.transaction():
            changed = await self._db.execute_rowcount(
                "UPDATE broadcasts SET status = 'done', finished_at = ?, updated_at = ?"
                " WHERE id = ? AND status = 'running' AND resolved = 1 AND NOT EXISTS ("
                " SELECT 1 FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ?"
                " AND status IN ('queued', 'sending'))",
                (iso(at), iso(now), broadcast_id, low, high),
            )
        return changed == 1

    async def outcomes(self, broadcast_id: int) -> Outcomes:
        """Count the broadcast's outbox rows by status, failures and skips by reason."""
        low, high = _key_range(broadcast_id)
        rows = await self._db.fetchall(
            "SELECT status, COALESCE(last_error, '') AS reason, COUNT(*) AS n,"
            " MAX(updated_at) AS last FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ?"
            " GROUP BY status, reason",
            (low, high),
        )
        by_status: dict[str, int] = {}
        failed: dict[str, int] = {}
        skipped: dict[str, int] = {}
        last: str | None = None
        for row in rows:
            by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
            if row["status"] == "failed":
                failed[row["reason"]] = row["n"]
            elif row["status"] == "skipped":
                skipped[row["reason"]] = row["n"]
            if row["status"] in ("sent", "failed", "skipped") and (
                last is None or row["last"] > last
            ):
                last = row["last"]
        return Outcomes(by_status, failed, skipped, parse_iso(last) if last else None)
