"""Message ids a channel already handled: remembered across a restart, forgotten after days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store
from bot.store.inbound import KEEP_FOR

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def test_an_id_is_new_once_per_channel_even_after_a_restart(db_path: Path) -> None:
    store = await Store.open(db_path)
    try:
        assert await store.inbound.first_time("zalo", "m1", NOW) is True
        assert await store.inbound.first_time("zalo", "m1", NOW) is False
        assert await store.inbound.first_time("other", "m1", NOW) is True
    finally:
        await store.close()
    store = await Store.open(db_path)
    try:
        assert await store.inbound.first_time("zalo", "m1", NOW + timedelta(hours=1)) is False
    finally:
        await store.close()


async def test_old_ids_are_pruned(db_path: Path) -> None:
    store = await Store.open(db_path)
    try:
        await store.inbound.first_time("zalo", "old", NOW)
        await store.inbound.first_time("zalo", "recent", NOW + KEEP_FOR)
        assert await store.inbound.prune(NOW + KEEP_FOR + timedelta(minutes=1)) == 1
        assert await store.inbound.first_time("zalo", "old", NOW + KEEP_FOR) is True
        assert await store.inbound.first_time("zalo", "recent", NOW + KEEP_FOR) is False
    finally:
        await store.close()
