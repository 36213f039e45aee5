"""Files behind links: kept until their expiry, looked up by token, stored without the token."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import LinkedFile, Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


def _file(
    content: bytes = b"ho_ten,sdt\nHoa,0905\n", expires_at: datetime = NOW + DAY
) -> LinkedFile:
    return LinkedFile("dang_ký.csv", "text/csv", content, "zalo:of1", expires_at)


async def test_a_file_is_found_by_its_token_until_it_expires(store: Store) -> None:
    token = secrets.token_urlsafe(32)
    await store.file_links.add(token, _file(), NOW)
    assert await store.file_links.get(token, NOW + DAY - timedelta(seconds=1)) == _file()
    assert await store.file_links.get(secrets.token_urlsafe(32), NOW) is None
    assert await store.file_links.get(token, NOW + DAY) is None  # expired: and removed
    assert await store.file_links.get(token, NOW) is None
    (count,) = await store.db.fetchone("SELECT count(*) FROM file_links")
    assert count == 0


async def test_expired_links_are_purged_and_live_ones_kept(store: Store) -> None:
    old, live = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await store.file_links.add(old, _file(b"old", NOW + timedelta(hours=1)), NOW)
    await store.file_links.add(live, _file(b"live"), NOW)
    assert await store.file_links.purge(NOW + timedelta(hours=2)) == 1
    assert await store.file_links.get(live, NOW + timedelta(hours=2)) == _file(b"live")
    newer = secrets.token_urlsafe(32)  # adding a link purges too
    await store.file_links.add(newer, _file(b"new", NOW + 3 * DAY), NOW + 2 * DAY)
    rows = await store.db.fetchall("SELECT content FROM file_links")
    assert [bytes(row["content"]) for row in rows] == [b"new"]


async def test_the_token_itself_is_never_stored(store: Store, db_path: Path) -> None:
    token = secrets.token_urlsafe(32)
    await store.file_links.add(token, _file(), NOW)
    rows = await store.db.fetchall("SELECT * FROM file_links")
    assert token not in repr([tuple(row) for row in rows])
    wal = db_path.with_name(db_path.name + "-wal")
    raw = await asyncio.to_thread(lambda: db_path.read_bytes() + wal.read_bytes())
    assert b"dang_k" in raw  # the file is in there: the search is not blind
    assert token.encode() not in raw
