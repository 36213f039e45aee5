"""The engine: one incoming message → store → core decision → rendered replies → store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import assert_never
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_date
from bot.core.choices import resolve
from bot.core.dialog import Dialog, Turn
from bot.core.effects import (
    EraseMyData,
    LinkIdentity,
    LinkOwnPhone,
    LinkPhone,
    ListPlaces,
    ListRegistrations,
    Outcomes,
    ReminderOverview,
    ResidentEffect,
    Resume,
    SaveRegistration,
    SelfReport,
    SetPlace,
    SetReminders,
    ShowMyData,
    Stop,
    UseLeaflet,
    Who,
)
from bot.core.text import clean
from bot.core.types import Decision, Incoming, Kind, Reply, Say
from bot.render import Renderer
from bot.residents.actions import Actions
from bot.store import Contact, ContactStatus, Store, TurnRecord

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
        self,
        store: Store,
        dialog: Dialog,
        renderer: Renderer,
        clock: Clock,
        tz: ZoneInfo,
        actions: Actions | None = None,
    ) -> None:
        self.store = store
        self.dialog = dialog
        self.renderer = renderer
        self.clock = clock
        self.tz = tz
        self.actions = actions
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
        known = await self.store.contacts.place(contact.id) if contact is not None else None
        turn = Turn(
            incoming=incoming,
            text=text,
            state=saved.state if saved else None,
            stopped=contact is not None and contact.status is ContactStatus.STOPPED,
            now=now,
            today=local_date(now, self.tz),
            blocked=contact is not None and contact.status is ContactStatus.BLOCKED,
            place=known.place if known is not None else None,
            place_unknown=known is None,
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
    ) -> tuple[ContactStatus | None, Outcomes]:
        """Run the decision's actions; return the status it sets and the actions' outcomes."""
        status: ContactStatus | None = None
        outcomes = Outcomes()
        for effect in decision.effects:
            if isinstance(effect, Stop | Resume):
                status = ContactStatus.STOPPED if isinstance(effect, Stop) else ContactStatus.ACTIVE
                continue
            if contact is None:
                contact = await self.store.contacts.touch(
                    incoming.channel, incoming.sender_id, clean(incoming.display_name)[:100], now
                )
            who = Who(incoming.channel, incoming.sender_id, contact.id)
            outcomes = await self._run(effect, who, now, outcomes)
        return status, outcomes

    async def _run(
        self, effect: ResidentEffect, who: Who, now: datetime, outcomes: Outcomes
    ) -> Outcomes:
        """Run one effect by its type (the one place that maps effects to actions)."""
        if self.actions is None:
            raise LookupError(f"no actions to run {type(effect).__name__}")
        registration, reminders = self.actions.registration, self.actions.reminders
        match effect:
            case Stop() | Resume():
                return outcomes  # a status, set by the caller
            case SaveRegistration():
                return outcomes.added(effect, await registration.save(who, effect, now))
            case ListRegistrations():
                return outcomes.added(effect, await registration.listing(who, effect, now))
            case ShowMyData():
                return outcomes.added(effect, await registration.my_data(who, effect, now))
            case EraseMyData():
                return outcomes.added(effect, await registration.erase(who, effect, now))
            case LinkOwnPhone():
                return outcomes.added(effect, await reminders.link_own_phone(who, effect, now))
            case LinkPhone():
                return outcomes.added(effect, await reminders.link_phone(who, effect, now))
            case LinkIdentity():
                return outcomes.added(effect, await reminders.link_identity(who, effect, now))
            case SelfReport():
                return outcomes.added(effect, await reminders.self_report(who, effect, now))
            case ReminderOverview():
                return outcomes.added(effect, await reminders.overview(who, effect, now))
            case SetReminders():
                return outcomes.added(effect, await reminders.set_reminders(who, effect, now))
            case ListPlaces():
                return outcomes.added(effect, await self.actions.places.known(who, effect, now))
            case SetPlace():
                return outcomes.added(effect, await self.actions.places.save(who, effect, now))
            case UseLeaflet():
                place = await self.actions.places.use_leaflet(who, effect, now)
                return outcomes.added(effect, place)
            case _:
                assert_never(effect)


def _logged_replies(
    says: Sequence[Say], replies: Sequence[Reply]
) -> Iterator[tuple[str, str, str]]:
    """Log lines for the replies: a reply naming someone's data keeps only its template."""
    for say, reply in zip(says, replies, strict=True):
        yield ("out", "reply", f"[{say.template}]" if say.private else reply.text)
