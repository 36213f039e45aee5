"""The engine: one incoming message → store → core decision → rendered replies → store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_date
from bot.core.choices import resolve
from bot.core.dialog import Dialog, Turn
from bot.core.text import clean
from bot.core.types import Effect, Incoming, Kind, Reply
from bot.render import Renderer
from bot.store import ContactStatus, Store, TurnRecord

__all__ = ["Engine", "KeyedLocks"]


class KeyedLocks:
    """One asyncio lock per key, created on demand and dropped when nobody holds it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold the lock of `key` for the block; waiters get it in arrival order."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class Engine:
    """Answers messages for any channel; the only caller of the core.

    Messages from one person are answered one after another, in order; different people
    are answered concurrently, and their changes are committed together by the store.
    """

    def __init__(
        self, store: Store, dialog: Dialog, renderer: Renderer, clock: Clock, tz: ZoneInfo
    ) -> None:
        self.store = store
        self.dialog = dialog
        self.renderer = renderer
        self.clock = clock
        self.tz = tz
        self._people = KeyedLocks()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message; return only once everything it changed is committed."""
        async with self._people.hold((incoming.channel, incoming.sender_id)):
            return await self._answer(incoming)

    async def _answer(self, incoming: Incoming) -> list[Reply]:
        now = self.clock.now()
        text = clean(incoming.text)
        logged_in = ("in", incoming.kind.value, text)
        contact, saved = await self.store.conversations.load(incoming.channel, incoming.sender_id)
        if incoming.kind is Kind.TEXT and saved is not None:
            picked = resolve(text, saved.buttons)
            if picked is not None:
                incoming = replace(incoming, kind=Kind.BUTTON, text=picked.payload)
                text = picked.payload
        turn = Turn(
            incoming=incoming,
            text=text,
            state=saved.state if saved else None,
            stopped=contact is not None and contact.status is not ContactStatus.ACTIVE,
            now=now,
            today=local_date(now, self.tz),
        )
        decision = self.dialog.decide(turn)
        status = None
        for effect in decision.effects:
            status = ContactStatus.STOPPED if effect is Effect.STOP else ContactStatus.ACTIVE
        replies = [self.renderer.render(say) for say in decision.says]
        await self.store.turns.record(
            TurnRecord(
                channel=incoming.channel,
                external_id=incoming.sender_id,
                display_name=clean(incoming.display_name)[:100],
                now=now,
                status=status,
                state=decision.state,
                buttons=replies[-1].buttons if replies else (),
                log=(logged_in, *(("out", "reply", reply.text) for reply in replies)),
            )
        )
        return replies
