"""Broadcast drafts: one per officer, kept across a reopen, ignored and cleaned after a day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.store import Store
from bot.store.drafts import Draft, DraftStep
from tests.officers.broadcasts.seed import Person, seed

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_a_draft_is_kept_across_a_reopen(db_path: Path) -> None:
    at = datetime(2026, 11, 26, 21, 30, tzinfo=VIETNAM)
    draft = Draft(
        "telegram:7001",
        "abc123",
        "telegram:7001",
        DraftStep.CONFIRM,
        "thon=Thôn 3",
        "Chào {{ ten }}",
        at,
    )
    first = await Store.open(db_path)
    try:
        saved = await first.drafts.save(replace(draft, urgent=True), NOW)
    finally:
        await first.close()
    assert saved == replace(draft, urgent=True, updated_at=NOW)
    second = await Store.open(db_path)
    try:
        assert await second.drafts.get("telegram:7001", NOW + timedelta(hours=2)) == saved
    finally:
        await second.close()


async def test_one_draft_per_officer_and_drop(store: Store) -> None:
    await store.drafts.save(Draft("telegram:1", "aaaaaa", "telegram:1", DraftStep.AUDIENCE), NOW)
    await store.drafts.save(
        Draft("telegram:1", "bbbbbb", "telegram:1", DraftStep.MESSAGE, "the=het_han"), NOW
    )
    await store.drafts.save(Draft("telegram:2", "cccccc", "telegram:2", DraftStep.AUDIENCE), NOW)
    mine = await store.drafts.get("telegram:1", NOW)
    assert mine is not None
    assert (mine.token, mine.step, mine.audience) == (
        "bbbbbb",
        DraftStep.MESSAGE,
        "the=het_han",
    )
    assert await store.drafts.drop("telegram:1")
    assert not await store.drafts.drop("telegram:1")
    assert await store.drafts.get("telegram:1", NOW) is None
    assert await store.drafts.get("telegram:2", NOW) is not None


async def test_only_typed_steps_wait_for_text(store: Store) -> None:
    waiting = {}
    for user, step in enumerate(DraftStep, start=1):
        await store.drafts.save(Draft(f"telegram:{user}", "t" * 6, f"telegram:{user}", step), NOW)
        waiting[step] = await store.drafts.awaits_text(f"telegram:{user}", NOW)
    assert {step for step, waits in waiting.items() if waits} == {
        DraftStep.AUDIENCE_TEXT,
        DraftStep.MESSAGE,
        DraftStep.WHEN_TEXT,
    }
    assert not await store.drafts.awaits_text("telegram:999", NOW)


async def test_drafts_older_than_a_day_are_ignored_then_cleaned(store: Store) -> None:
    await store.drafts.save(Draft("telegram:1", "old000", "telegram:1", DraftStep.MESSAGE), NOW)
    await store.drafts.save(
        Draft("telegram:2", "new000", "telegram:2", DraftStep.MESSAGE), NOW + timedelta(hours=20)
    )
    later = NOW + timedelta(days=1, minutes=1)
    assert await store.drafts.get("telegram:1", later) is None
    assert not await store.drafts.awaits_text("telegram:1", later)
    assert await store.drafts.get("telegram:2", later) is not None
    assert await store.drafts.clean(later) == 1
    rows = await store.db.fetchall("SELECT actor FROM broadcast_drafts")
    assert [row["actor"] for row in rows] == ["telegram:2"]


async def test_communes_and_villages_come_from_the_registry_in_natural_order(
    store: Store,
) -> None:
    people = [
        Person(100 + n, f"Người {n}", "Ea Tul", f"Thôn {n}", date(2027, 1, 1)) for n in (10, 2, 1)
    ]
    people += [
        Person(200, "Khách", "Cư Né", "Buôn Kmu", date(2027, 1, 1)),
        Person(201, "Chưa có thẻ", "Ea Kao", "Thôn 9", None),  # a registration only
    ]
    await seed(store.db, people, NOW)
    assert [p.name for p in await store.drafts.communes()] == ["Cư Né", "Ea Tul"]
    villages = await store.drafts.villages("ea tul")
    assert [(p.key, p.name) for p in villages] == [
        ("thon 1", "Thôn 1"),
        ("thon 2", "Thôn 2"),
        ("thon 10", "Thôn 10"),
    ]
    assert await store.drafts.villages("nowhere") == []
