"""The engine: one incoming message → store → core decision → rendered replies → store."""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_date
from bot.core.choices import resolve
from bot.core.dialog import Dialog, Turn
from bot.core.text import clean
from bot.core.types import Decision, Effect, Incoming, Kind, Reply, Say
from bot.render import Renderer
from bot.store import Contact, ContactStatus, Store, TurnRecord

__all__ = ["Action", "Engine", "KeyedLocks", "Who"]

_STATUS_EFFECTS = {
    Effect.STOP.name: ContactStatus.STOPPED,
    Effect.RESUME.name: ContactStatus.ACTIVE,
}


@dataclass(frozen=True, slots=True)
class Who:
    """The person an action is for: their channel address and contact id."""

    channel: str
    external_id: str
    contact_id: int


Action = Callable[[Who, Mapping[str, Any], datetime], Awaitable[Any]]
"""Runs one named effect for a person at a time; returns the outcome the core asked for."""


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
        self,
        store: Store,
        dialog: Dialog,
        renderer: Renderer,
        clock: Clock,
        tz: ZoneInfo,
        actions: Mapping[str, Action] | None = None,
    ) -> None:
        self.store = store
        self.dialog = dialog
        self.renderer = renderer
        self.clock = clock
        self.tz = tz
        self.actions = dict(actions or {})
        self._people = KeyedLocks()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message; return only once everything it changed is committed."""
        async with self._people.hold((incoming.channel, incoming.sender_id)):
            return await self._answer(incoming)

    async def _answer(self, incoming: Incoming) -> list[Reply]:
        now = self.clock.now()
        text = clean(incoming.text)
        typed = (incoming.kind.value, text)  # logged as it came, before a typed number resolves
        contact, saved = await self.store.conversations.load(incoming.channel, incoming.sender_id)
        if incoming.kind is Kind.TEXT and saved is not None:
            number_asked = self.dialog.asks_number(saved.state)
            picked = resolve(text, saved.buttons, number_asked=number_asked)
            if picked is not None:
                incoming = replace(incoming, kind=Kind.BUTTON, text=picked.payload)
                text = picked.payload
        turn = Turn(
            incoming=incoming,
            text=text,
            state=saved.state if saved else None,
            stopped=contact is not None and contact.status is ContactStatus.STOPPED,
            now=now,
            today=local_date(now, self.tz),
            blocked=contact is not None and contact.status is ContactStatus.BLOCKED,
        )
        decision = self.dialog.decide(turn)
        given = f"[{decision.log_input_as}]" if decision.log_input_as else typed[1]
        logged_in = ("in", typed[0], given)
        status, outcomes = await self._run_effects(decision, incoming, contact, now)
        if decision.then_decide:
            decision = self.dialog.decide(replace(turn, outcomes=outcomes))
            status_after, _ = await self._run_effects(decision, incoming, contact, now)
            status = status_after or status
        replies = [self.renderer.render(say, channel=incoming.channel) for say in decision.says]
        await self.store.turns.record(
            TurnRecord(
                channel=incoming.channel,
                external_id=incoming.sender_id,
                display_name=clean(incoming.display_name)[:100],
                now=now,
                status=status,
                state=decision.state,
                buttons=replies[-1].buttons if replies else (),
                log=(logged_in, *_logged_replies(decision.says, replies)),
            )
        )
        return replies

    async def _run_effects(
        self, decision: Decision, incoming: Incoming, contact: Contact | None, now: datetime
    ) -> tuple[ContactStatus | None, dict[str, Any]]:
        """Run the decision's actions; return the status it sets and the actions' outcomes."""
        status: ContactStatus | None = None
        outcomes: dict[str, Any] = {}
        for effect in decision.effects:
            if effect.name in _STATUS_EFFECTS:
                status = _STATUS_EFFECTS[effect.name]
                continue
            if contact is None:
                contact = await self.store.contacts.touch(
                    incoming.channel, incoming.sender_id, clean(incoming.display_name)[:100], now
                )
            who = Who(incoming.channel, incoming.sender_id, contact.id)
            outcomes[effect.name] = await self.actions[effect.name](who, effect.args, now)
        return status, outcomes


def _logged_replies(
    says: Sequence[Say], replies: Sequence[Reply]
) -> Iterator[tuple[str, str, str]]:
    """Log lines for the replies: a reply naming someone's data keeps only its template."""
    for say, reply in zip(says, replies, strict=True):
        yield ("out", "reply", f"[{say.template}]" if say.private else reply.text)
