from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.store.db import WAL_CHECKPOINT_PAGES, Database, DatabaseTooNew, Migration
from tests.store_queries import applied_versions


async def test_open_creates_folder_and_applies_migrations_once(db_path: Path) -> None:
    assert not db_path.parent.exists()
    db = await Database.open(db_path)
    first = await applied_versions(db)
    await db.close()
    db = await Database.open(db_path)
    try:
        assert first == [m.version for m in Migration.discover()]
        assert await applied_versions(db) == first
        row = await db.fetchone("PRAGMA journal_mode")
        assert row is not None
        assert row[0] == "wal"
        row = await db.fetchone("PRAGMA foreign_keys")
        assert row is not None
        assert row[0] == 1
        row = await db.fetchone("PRAGMA busy_timeout")
        assert row is not None
        assert row[0] == 5000
        row = await db.fetchone("PRAGMA wal_autocheckpoint")
        assert row is not None
        assert row[0] == WAL_CHECKPOINT_PAGES == 100
    finally:
        await db.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE good (id INTEGER PRIMARY KEY);")
    (folder / "0002_bad.sql").write_text(
        "CREATE TABLE half (id INTEGER PRIMARY KEY);\nINSERT INTO missing VALUES (1);"
    )
    with pytest.raises(sqlite3.OperationalError):
        await Database.open(db_path, migrations=Migration.discover(folder))
    db = await Database.open(db_path, migrations=Migration.discover(folder)[:1])
    try:
        assert await applied_versions(db) == [1]
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
        assert "good" in tables
        assert "half" not in tables
    finally:
        await db.close()


def test_migration_names_are_checked(tmp_path: Path) -> None:
    (tmp_path / "1_bad name.sql").write_text("")
    with pytest.raises(ValueError, match=r"0001_name\.sql"):
        Migration.discover(tmp_path)


async def test_transaction_is_all_or_nothing(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:

        async def crash_in_the_middle() -> None:
            async with db.transaction():
                await db.execute(
                    "INSERT INTO contacts (channel, external_id, first_seen, last_seen)"
                    " VALUES ('t', '1', 'x', 'x')"
                )
                raise RuntimeError("crash in the middle")

        with pytest.raises(RuntimeError):
            await crash_in_the_middle()
        row = await db.fetchone("SELECT COUNT(*) FROM contacts")
        assert row is not None
        assert row[0] == 0
    finally:
        await db.close()


async def test_a_bare_write_never_slips_into_another_tasks_transaction(db_path: Path) -> None:
    """One task rolls back its transaction while another writes outside any: only the
    outsider's row survives, and neither task trips over the other's transaction."""
    db = await Database.open(db_path)
    started = asyncio.Event()

    async def rolled_back() -> None:
        async with db.transaction():
            await db.execute(
                "INSERT INTO contacts (channel, external_id, first_seen, last_seen)"
                " VALUES ('t', 'inside', 'x', 'x')"
            )
            started.set()
            await asyncio.sleep(0.05)
            raise RuntimeError("undo")

    async def outsider() -> None:
        await started.wait()
        await db.execute(
            "INSERT INTO contacts (channel, external_id, first_seen, last_seen)"
            " VALUES ('t', 'outside', 'x', 'x')"
        )

    try:
        results = await asyncio.gather(rolled_back(), outsider(), return_exceptions=True)
        assert isinstance(results[0], RuntimeError)
        assert results[1] is None
        rows = await db.fetchall("SELECT external_id FROM contacts")
        assert [r["external_id"] for r in rows] == ["outside"]
    finally:
        await db.close()


async def test_a_transaction_inside_a_transaction_joins_it(db_path: Path) -> None:
    db = await Database.open(db_path)

    def committed() -> int:
        """Count the contacts another connection sees (only what is committed)."""
        with closing(sqlite3.connect(db_path)) as other:
            return int(other.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])

    try:
        async with db.transaction():
            async with db.transaction():
                await db.execute(
                    "INSERT INTO contacts (channel, external_id, first_seen, last_seen)"
                    " VALUES ('t', 'nested', 'x', 'x')"
                )
            assert committed() == 0  # the inner block ended, but the outer one holds it
        assert committed() == 1
        row = await db.fetchone("SELECT COUNT(*) FROM contacts")
        assert row is not None
        assert row[0] == 1
    finally:
        await db.close()


_CONTACT = (
    "INSERT INTO contacts (channel, external_id, first_seen, last_seen) VALUES (?, ?, 'x', 'x')"
)
_MESSAGE = (
    "INSERT INTO messages (contact_id, direction, kind, text, created_at)"
    " VALUES ((SELECT id FROM contacts WHERE external_id = ?), 'in', 'text', ?, 'x')"
)


async def _count(db: Database, table: str) -> int:
    row = await db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_write_all_stores_every_step_or_none(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        await db.write_all(
            [(_CONTACT, [("t", "1"), ("t", "2")]), (_MESSAGE, [("1", "a"), ("2", "b")])]
        )
        assert (await _count(db, "contacts"), await _count(db, "messages")) == (2, 2)
        with pytest.raises(sqlite3.IntegrityError):  # the second step breaks NOT NULL
            await db.write_all([(_CONTACT, [("t", "3")]), (_MESSAGE, [("nobody", "c")])])
        assert (await _count(db, "contacts"), await _count(db, "messages")) == (2, 2)
        await db.write_all([(_CONTACT, [("t", "4")])])  # the connection is still usable
        assert await _count(db, "contacts") == 3
    finally:
        await db.close()


async def test_write_all_inside_a_transaction_joins_it(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:

        async def undone() -> None:
            async with db.transaction():
                await db.write_all([(_CONTACT, [("t", "1")])])
                raise RuntimeError("undo")

        with pytest.raises(RuntimeError):
            await undone()
        assert await _count(db, "contacts") == 0
    finally:
        await db.close()


async def test_migration_status_tells_applied_pending_and_unknown(
    tmp_path: Path, db_path: Path
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name in ("0001_one.sql", "0002_two.sql", "0003_three.sql"):
        (folder / name).write_text(f"CREATE TABLE t{name[3]} (id INTEGER PRIMARY KEY);")
    known = Migration.discover(folder)
    db = await Database.open(db_path, migrations=known[:1])
    await db.close()
    db = await Database.open(db_path, migrations=known, migrate=False)
    try:
        status = await db.migration_status(known)
        assert [m.version for m in status.applied] == [1]
        assert [m.version for m in status.pending] == [2, 3]
        assert status.unknown == ()
        assert await applied_versions(db) == [1]  # migrate=False left them to the caller
        assert await db.migrate(status.pending) == [2, 3]
    finally:
        await db.close()
    with pytest.raises(DatabaseTooNew, match=r"0003_three is unknown to this version") as caught:
        await Database.open(db_path, migrations=known[:2])
    assert [m.version for m in caught.value.unknown] == [3]
