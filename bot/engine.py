"""The engine: one incoming message → store → core decision → rendered replies → store."""

from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_date
from bot.core.choices import resolve
from bot.core.dialog import Dialog, Turn
from bot.core.text import clean
from bot.core.types import Effect, Incoming, Kind, Reply
from bot.render import Renderer
from bot.store import ContactStatus, Store

__all__ = ["Engine"]

log = logging.getLogger(__name__)


class Engine:
    """Handles one message at a time for any channel; the only caller of the core."""

    def __init__(
        self, store: Store, dialog: Dialog, renderer: Renderer, clock: Clock, tz: ZoneInfo
    ) -> None:
        self.store = store
        self.dialog = dialog
        self.renderer = renderer
        self.clock = clock
        self.tz = tz

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message; everything it changes is stored in one transaction."""
        now = self.clock.now()
        text = clean(incoming.text)
        async with self.store.db.transaction(lazy=True):
            contact, saved = await self.store.conversations.touch(
                incoming.channel, incoming.sender_id, clean(incoming.display_name)[:100], now
            )
            logged_in = (incoming.kind.value, text)
            if incoming.kind is Kind.TEXT and saved is not None:
                picked = resolve(text, saved.buttons)
                if picked is not None:
                    incoming = replace(incoming, kind=Kind.BUTTON, text=picked.payload)
                    text = picked.payload
            turn = Turn(
                incoming=incoming,
                text=text,
                state=saved.state if saved else None,
                stopped=contact.status is not ContactStatus.ACTIVE,
                now=now,
                today=local_date(now, self.tz),
            )
            decision = self.dialog.decide(turn)
            for effect in decision.effects:
                status = ContactStatus.STOPPED if effect is Effect.STOP else ContactStatus.ACTIVE
                await self.store.contacts.set_status(contact.id, status, now)
            replies = [self.renderer.render(say) for say in decision.says]
            shown = replies[-1].buttons if replies else ()
            await self.store.conversations.save(contact.id, decision.state, shown, now)
            await self.store.messages.add_many(
                contact.id,
                [("in", *logged_in), *(("out", "reply", reply.text) for reply in replies)],
                now,
            )
        return replies
