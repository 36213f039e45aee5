"""The ZNS token store: seeded once from the settings, then replaced whole by each refresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.zns import ZnsTokens
from bot.store import Store
from bot.store.db import Migration

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_the_settings_seed_only_an_empty_store(store: Store) -> None:
    assert await store.zns_tokens.get() is None
    first = ZnsTokens("access-1", None, "refresh-1")
    assert await store.zns_tokens.seed(first, NOW)
    assert not await store.zns_tokens.seed(ZnsTokens("access-0", None, "refresh-0"), NOW)
    assert await store.zns_tokens.get() == first


async def test_a_refresh_replaces_all_three_and_survives_a_reopen(
    store: Store, db_path: Path
) -> None:
    await store.zns_tokens.seed(ZnsTokens("access-1", None, "refresh-1"), NOW)
    fresh = ZnsTokens("access-2", NOW + timedelta(hours=25), "refresh-2")
    await store.zns_tokens.save(fresh, NOW)
    await store.close()
    reopened = await Store.open(db_path)
    try:
        assert await reopened.zns_tokens.get() == fresh
    finally:
        await reopened.close()


def test_the_migration_runner_takes_0017_after_a_gap() -> None:
    versions = [m.version for m in Migration.discover()]
    assert 17 in versions
    assert versions == sorted(versions)
