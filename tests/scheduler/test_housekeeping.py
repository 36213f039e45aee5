"""Housekeeping: chat messages older than MESSAGE_LOG_DAYS are deleted, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Loa, open_loa
from bot.clock import VIETNAM, FixedClock
from bot.config import load_settings
from bot.core.types import Incoming, Kind
from scheduler.jobs import run_housekeeping
from tests.store_queries import find_contact

START = datetime(2025, 1, 1, 9, 0, tzinfo=VIETNAM)


@pytest.fixture
async def chatted(db_path: Path) -> AsyncIterator[tuple[Loa, FixedClock]]:
    """A resident who wrote on 1/1/2025 and again 400 days later, with a 365-day log."""
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{db_path}", "MESSAGE_LOG_DAYS": "365"}, env_file=None
    )
    clock = FixedClock(START)
    async with open_loa(settings, clock=clock) as loa:
        await loa.engine.handle(Incoming("telegram", "1", Kind.COMMAND, command="start"))
        clock.set(START + timedelta(days=400))
        await loa.engine.handle(Incoming("telegram", "1", Kind.TEXT, text="xin chào"))
        yield loa, clock


async def test_messages_older_than_the_window_are_deleted(
    chatted: tuple[Loa, FixedClock],
) -> None:
    loa, clock = chatted
    contact = await find_contact(loa.store.db, "telegram", "1")
    assert contact is not None
    before = await loa.store.messages.for_contact(contact.id)
    assert len(before) >= 4  # two messages in, at least two answers out
    removed = await run_housekeeping(loa.store, loa.settings, clock)
    after = await loa.store.messages.for_contact(contact.id)
    assert removed == len(before) - len(after) > 0
    assert all(m.created_at >= clock.now() - timedelta(days=365) for m in after)
    assert [m.text for m in after if m.direction == "in"] == ["xin chào"]
    assert await find_contact(loa.store.db, "telegram", "1") is not None  # the contact stays
    assert await run_housekeeping(loa.store, loa.settings, clock) == 0  # nothing more to do


async def test_zero_days_keeps_everything(db_path: Path) -> None:
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{db_path}", "MESSAGE_LOG_DAYS": "0"}, env_file=None
    )
    clock = FixedClock(START)
    async with open_loa(settings, clock=clock) as loa:
        await loa.engine.handle(Incoming("telegram", "1", Kind.COMMAND, command="start"))
        clock.set(START + timedelta(days=4000))
        assert await run_housekeeping(loa.store, loa.settings, clock) == 0


async def test_prune_works_in_chunks(chatted: tuple[Loa, FixedClock]) -> None:
    loa, clock = chatted
    contact = await find_contact(loa.store.db, "telegram", "1")
    assert contact is not None
    old = len(await loa.store.messages.for_contact(contact.id))
    later = clock.now() + timedelta(seconds=1)
    removed = await loa.store.messages.prune(later, chunk=1)  # every message, one at a time
    assert removed == old
    assert await loa.store.messages.for_contact(contact.id) == []
