"""Conversation state per contact, so a restart never loses a person's place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.core.types import Button, State
from bot.store.contacts import TOUCH_SQL, Contact, contact_from_row
from bot.store.db import Database, iso, parse_iso

__all__ = ["Conversation", "Conversations"]


@dataclass(frozen=True, slots=True)
class Conversation:
    """A contact's saved state, the buttons last shown and when it last changed."""

    state: State | None
    buttons: tuple[Button, ...]
    updated_at: datetime


def _conversation(
    flow: str | None, step: str | None, data: str, buttons: str, updated_at: str
) -> Conversation:
    state = State(flow=flow, step=step or "", data=json.loads(data)) if flow else None
    shown = tuple(Button(label=b[0], payload=b[1]) for b in json.loads(buttons))
    return Conversation(state=state, buttons=shown, updated_at=parse_iso(updated_at))


class Conversations:
    """Queries over the conversations table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def touch(
        self, channel: str, external_id: str, display_name: str, now: datetime
    ) -> tuple[Contact, Conversation | None]:
        """Record that this address wrote now; return the contact and its conversation."""
        stamp = iso(now)
        row = await self._db.fetchone(
            TOUCH_SQL + ", (SELECT json_array(flow, step, data, buttons, updated_at)"
            " FROM conversations WHERE contact_id = contacts.id) AS conversation",
            (channel, external_id, display_name, "chat", stamp, stamp),
        )
        assert row is not None
        saved = json.loads(row["conversation"]) if row["conversation"] else None
        return contact_from_row(row), (_conversation(*saved) if saved else None)

    async def get(self, contact_id: int) -> Conversation | None:
        """Return the contact's saved conversation, if any."""
        row = await self._db.fetchone(
            "SELECT flow, step, data, buttons, updated_at FROM conversations WHERE contact_id = ?",
            (contact_id,),
        )
        if row is None:
            return None
        return _conversation(
            row["flow"], row["step"], row["data"], row["buttons"], row["updated_at"]
        )

    async def save(
        self, contact_id: int, state: State | None, buttons: tuple[Button, ...], now: datetime
    ) -> None:
        """Store the contact's state and the buttons just shown to them."""
        await self._db.execute(
            "INSERT INTO conversations (contact_id, flow, step, data, buttons, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (contact_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,"
            "  data = excluded.data, buttons = excluded.buttons, updated_at = excluded.updated_at",
            (
                contact_id,
                state.flow if state else None,
                state.step if state else None,
                json.dumps(dict(state.data) if state else {}, ensure_ascii=False),
                json.dumps([[b.label, b.payload] for b in buttons], ensure_ascii=False),
                iso(now),
            ),
        )
