"""Conversation state per contact, so a restart never loses a person's place."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.types import Button, State
from bot.store.batch import Batcher
from bot.store.contacts import Contact, contact_from_row
from bot.store.db import Database, iso, parse_iso

__all__ = ["Conversation", "Conversations", "Loaded"]


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


Loaded = tuple[Contact | None, "Conversation | None"]
"""A contact (None if new) and its saved conversation (None if none)."""


class Conversations:
    """Queries over the conversations table."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._loads: Batcher[tuple[str, str], Loaded] = Batcher(self._load_many)

    async def load(self, channel: str, external_id: str) -> Loaded:
        """Return the contact at this address and its conversation (each None if absent)."""
        return await self._loads.submit((channel, external_id))

    async def _load_many(self, addresses: Sequence[tuple[str, str]]) -> list[Loaded]:
        """Load many addresses in one query, in the order asked."""
        wanted = ", ".join(["(?, ?)"] * len(addresses))
        rows = await self._db.fetchall(
            f"WITH wanted (channel, external_id) AS (VALUES {wanted})"
            " SELECT contacts.*, json_array(flow, step, data, buttons, updated_at) AS saved"
            " FROM wanted JOIN contacts USING (channel, external_id)"
            " LEFT JOIN conversations ON contact_id = contacts.id",
            [value for address in addresses for value in address],
        )
        found: dict[tuple[str, str], Loaded] = {}
        for row in rows:
            saved = json.loads(row["saved"])
            conversation = _conversation(*saved) if saved[4] is not None else None
            found[row["channel"], row["external_id"]] = (contact_from_row(row), conversation)
        return [found.get(address, (None, None)) for address in addresses]

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
