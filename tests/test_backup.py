"""`loa backup` and Database.backup: a consistent copy, never over an existing file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.cli.backup import dated_name
from bot.store.db import Database

_CONTACT = (
    "INSERT INTO contacts (channel, external_id, first_seen, last_seen) VALUES (?, ?, 'x', 'x')"
)


async def _count(path: Path) -> int:
    db = await Database.open(path)
    try:
        row = await db.fetchone("SELECT COUNT(*) FROM contacts")
        assert row is not None
        return int(row[0])
    finally:
        await db.close()


async def test_a_backup_taken_while_writing_holds_a_consistent_database(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "loa.db")
    try:
        await db.write_all([(_CONTACT, [("t", str(i)) for i in range(500)])])
        writer = asyncio.create_task(
            db.write_all([(_CONTACT, [("t", f"late{i}") for i in range(500)])])
        )
        await db.backup(tmp_path / "copy.db")
        await writer
    finally:
        await db.close()
    assert await _count(tmp_path / "copy.db") in (500, 1000)  # before or after, never between
    assert await _count(tmp_path / "loa.db") == 1000


def test_loa_backup_copies_once_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'loa.db'}")

    async def seed() -> None:
        db = await Database.open(tmp_path / "loa.db")
        await db.write_all([(_CONTACT, [("t", "1"), ("t", "2")])])
        await db.close()

    asyncio.run(seed())
    target = tmp_path / "backup" / "loa-25-11-2026.db"
    assert main(["backup", str(target)]) == 0
    assert "Đã sao lưu" in capsys.readouterr().out
    assert asyncio.run(_count(target)) == 2
    assert main(["backup", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_a_dated_backup_is_named_by_the_vietnam_day_and_never_overwrites(tmp_path: Path) -> None:
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    evening_utc = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)  # already 3 December in Vietnam
    first = dated_name(tmp_path, evening_utc, vietnam)
    assert first == tmp_path / "loa-2026-12-03.db"
    first.write_bytes(b"")
    assert dated_name(tmp_path, evening_utc, vietnam) == tmp_path / "loa-2026-12-03-013000.db"


def test_loa_backup_into_a_folder_for_a_nightly_timer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'loa.db'}")

    async def seed() -> None:
        db = await Database.open(tmp_path / "loa.db")
        await db.write_all([(_CONTACT, [("t", "1")])])
        await db.close()

    asyncio.run(seed())
    folder = tmp_path / "nightly"
    assert main(["backup", "--into", str(folder)]) == 0
    assert main(["backup", "--into", str(folder)]) == 0  # a second run the same day: a new file
    copies = sorted(folder.glob("loa-*.db"))
    assert len(copies) == 2
    assert all(asyncio.run(_count(copy)) == 1 for copy in copies)
    with pytest.raises(SystemExit) as usage:
        main(["backup"])  # neither a file nor a folder: argparse's usage line
    assert usage.value.code == 2
    assert "--into" in capsys.readouterr().err
