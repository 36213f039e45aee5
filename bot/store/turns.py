"""What one answered message changes, written for many residents at once (group commit).

Each message's changes — the contact touched, its status, its conversation state and the
two log lines — are stored by a micro-batcher: everything queued while a transaction runs
goes into the next one. Under load a transaction carries many
messages, so the trips to the database thread are shared; alone, a message is written at
once. Nothing is answered before its changes are committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.types import Button, State
from bot.store.batch import Batcher
from bot.store.contacts import ContactStatus
from bot.store.db import Database, iso

__all__ = ["TurnRecord", "TurnWriter"]

_CONTACT_ID = "(SELECT id FROM contacts WHERE channel = ? AND external_id = ?)"


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """The changes made by answering one message."""

    channel: str
    external_id: str
    display_name: str
    now: datetime
    status: ContactStatus | None
    state: State | None
    buttons: tuple[Button, ...]
    log: tuple[tuple[str, str, str], ...]  # (direction, kind, text)


class TurnWriter:
    """Stores turn records, many residents' in one transaction when they arrive together."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._batcher: Batcher[TurnRecord, None] = Batcher(self._write)

    async def record(self, record: TurnRecord) -> None:
        """Store `record`; return once it is committed (raise if it could not be)."""
        await self._batcher.submit(record)

    async def _write(self, records: Sequence[TurnRecord]) -> list[None]:
        steps: list[tuple[str, list[tuple[object, ...]]]] = [
            (
                "INSERT INTO contacts"
                " (channel, external_id, display_name, source, first_seen, last_seen)"
                " VALUES (?, ?, ?, 'chat', ?, ?)"
                " ON CONFLICT (channel, external_id) DO UPDATE SET"
                "  last_seen = excluded.last_seen,"
                "  display_name = CASE WHEN excluded.display_name <> ''"
                "                 THEN excluded.display_name ELSE contacts.display_name END",
                [
                    (r.channel, r.external_id, r.display_name, iso(r.now), iso(r.now))
                    for r in records
                ],
            )
        ]
        changed = [r for r in records if r.status is not None]
        if changed:
            steps.append(
                (
                    "UPDATE contacts SET status = ?, status_changed_at = ?"
                    " WHERE channel = ? AND external_id = ? AND status <> ?",
                    [(r.status, iso(r.now), r.channel, r.external_id, r.status) for r in changed],
                )
            )
        steps.append(
            (
                "INSERT INTO conversations (contact_id, flow, step, data, buttons, updated_at)"
                f" VALUES ({_CONTACT_ID}, ?, ?, ?, ?, ?)"
                " ON CONFLICT (contact_id) DO UPDATE SET flow = excluded.flow,"
                "  step = excluded.step, data = excluded.data, buttons = excluded.buttons,"
                "  updated_at = excluded.updated_at",
                [_conversation_row(r) for r in records],
            )
        )
        steps.append(
            (
                "INSERT INTO messages (contact_id, direction, kind, text, created_at)"
                f" VALUES ({_CONTACT_ID}, ?, ?, ?, ?)",
                [
                    (r.channel, r.external_id, direction, kind, text, iso(r.now))
                    for r in records
                    for direction, kind, text in r.log
                ],
            )
        )
        await self._db.write_all(steps)
        return [None] * len(records)


def _conversation_row(record: TurnRecord) -> tuple[object, ...]:
    state = record.state
    return (
        record.channel,
        record.external_id,
        state.flow if state else None,
        state.step if state else None,
        json.dumps(dict(state.data) if state else {}, ensure_ascii=False),
        json.dumps([[b.label, b.payload] for b in record.buttons], ensure_ascii=False),
        iso(record.now),
    )
