"""The database, its WAL, backups and exports are readable by their owner only (0600, 0700)."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.store.db import Database
from bot.store.files import write_private

_CONTACT = (
    "INSERT INTO contacts (channel, external_id, first_seen, last_seen) VALUES (?, ?, 'x', 'x')"
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """A umask that would leave new files 0644 and folders 0755; restored after the test."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


async def _open_with_wal(path: Path) -> Database:
    db = await Database.open(path)
    await db.write_all([(_CONTACT, [("t", str(i)) for i in range(50)])])
    return db


@pytest.mark.usefixtures("lax_umask")
async def test_a_new_database_its_wal_and_shm_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "loa.db"
    db = await _open_with_wal(path)
    try:
        wal, shm = path.with_name("loa.db-wal"), path.with_name("loa.db-shm")
        assert wal.stat().st_size > 0  # the WAL is in use while these are checked
        assert {p.name: _mode(p) for p in (path, wal, shm)} == {
            "loa.db": 0o600,
            "loa.db-wal": 0o600,
            "loa.db-shm": 0o600,
        }
        assert _mode(path.parent) == 0o700
    finally:
        await db.close()


@pytest.mark.usefixtures("lax_umask")
async def test_a_database_left_world_readable_is_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "loa.db"
    db = await _open_with_wal(path)
    await db.close()
    os.chmod(path, 0o644)
    db = await Database.open(path)
    try:
        assert _mode(path) == 0o600
    finally:
        await db.close()


@pytest.mark.usefixtures("lax_umask")
async def test_a_backup_copy_is_private(tmp_path: Path) -> None:
    db = await _open_with_wal(tmp_path / "loa.db")
    try:
        await db.backup(tmp_path / "copy.db")
    finally:
        await db.close()
    assert _mode(tmp_path / "copy.db") == 0o600


@pytest.mark.usefixtures("lax_umask")
def test_an_export_file_and_its_new_folder_are_private(tmp_path: Path) -> None:
    target = tmp_path / "exports" / "dk.csv"
    write_private(target, b"a,b\r\n")
    assert target.read_bytes() == b"a,b\r\n"
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700


@pytest.mark.usefixtures("lax_umask")
def test_loa_backup_and_loa_export_write_private_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "data" / "loa.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")

    async def seed() -> None:
        db = await _open_with_wal(database)
        await db.close()

    asyncio.run(seed())
    backup = tmp_path / "backup" / "loa-2026-11-25.db"
    export = tmp_path / "out" / "dk.xlsx"
    assert main(["backup", str(backup)]) == 0
    assert main(["export", "registrations", "--format", "xlsx", "-o", str(export)]) == 0
    assert export.read_bytes().startswith(b"PK")  # a real workbook
    assert {p.name: _mode(p) for p in (database, backup, export)} == {
        "loa.db": 0o600,
        "loa-2026-11-25.db": 0o600,
        "dk.xlsx": 0o600,
    }
    assert (_mode(backup.parent), _mode(export.parent)) == (0o700, 0o700)
    assert os.umask(0o022) == 0o077  # the command set a private umask for the whole process
