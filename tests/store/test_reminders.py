"""Reminder stages: recorded once per (resident, expiry, stage), with their outbox message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.outbox import OutboxItem
from bot.store.reminders import Decision, ReminderStatus, dedupe_key
from tests.store_queries import outbox_rows, reminders_of

NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
EXPIRY = date(2026, 12, 2)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_a_stage_is_recorded_and_queued_once(store: Store) -> None:
    contact = await store.contacts.touch("telegram", "7", "An", NOW)
    resident = await store.residents.add_self_reported(contact.id, "An", EXPIRY, NOW)
    decisions = [
        Decision(resident.id, EXPIRY, -7, ReminderStatus.QUEUED, date(2026, 11, 25), NOW),
    ]
    item = OutboxItem(
        contact.id,
        "reminder",
        "text",
        not_before=NOW,
        dedupe_key=dedupe_key(resident.id, EXPIRY, -7),
    )
    for _ in range(3):
        await store.reminders.save(decisions, [item], NOW, store.outbox.enqueue_many)
    rows = await reminders_of(store.db, resident.id)
    assert [(r.stage, r.status, r.not_before) for r in rows] == [
        (-7, ReminderStatus.QUEUED, NOW),
    ]
    assert [r.dedupe_key for r in await outbox_rows(store.db)] == [
        f"reminder:{resident.id}:2026-12-02:-7"
    ]
    counts = await store.reminders.counts()
    assert (counts[ReminderStatus.QUEUED], counts[ReminderStatus.CANCELLED]) == (1, 0)


async def test_candidates_carry_the_stages_done_for_the_current_expiry(store: Store) -> None:
    contact = await store.contacts.touch("telegram", "8", "Bình", NOW)
    resident = await store.residents.add_self_reported(contact.id, "Bình", EXPIRY, NOW)
    decision = Decision(resident.id, EXPIRY, -7, ReminderStatus.QUEUED, date(2026, 11, 25), NOW)
    await store.reminders.save([decision], [], NOW, store.outbox.enqueue_many)
    (found,) = await store.reminders.candidates(date(2026, 12, 1), date(2026, 12, 31))
    assert (found.done, found.contact_status, found.contact_id) == (
        frozenset({-7}),
        "active",
        contact.id,
    )
    await store.residents.add_self_reported(contact.id, "Bình", date(2026, 12, 20), NOW)
    (renewed,) = await store.reminders.candidates(date(2026, 12, 1), date(2026, 12, 31))
    assert renewed.done == frozenset()  # stages belong to the old date
    assert await store.reminders.candidates(date(2027, 1, 1), date(2027, 2, 1)) == []
    (row,) = await reminders_of(store.db, resident.id)
    assert (row.status, row.reason) == (ReminderStatus.CANCELLED, "renewed")
