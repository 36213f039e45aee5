"""Upgrades: `loa migrate` backs up, then migrates; a database newer than the code is refused."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import main
from bot.store.db import Database, Migration

ALL = Migration.discover()
_CONTACT = (
    "INSERT INTO contacts (channel, external_id, first_seen, last_seen) VALUES (?, ?, 'x', 'x')"
)
_BACKUP = re.compile(r"^loa-\d{4}-\d\d-\d\d-\d{6}-before-(\d{4})\.db$")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where DATABASE_URL points (no file yet); the current folder is another one."""
    path = tmp_path / "site" / "loa.db"
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("LOA_ENV_FILE", raising=False)
    return path


def _old_database(path: Path, migrations: list[Migration], contacts: int = 2) -> None:
    """Create a database as an older Loa left it: only `migrations`, and some contacts."""

    async def run() -> None:
        db = await Database.open(path, migrations=migrations)
        await db.write_all([(_CONTACT, [("telegram", str(i)) for i in range(contacts)])])
        await db.close()

    asyncio.run(run())


def _versions(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version")
        return [int(row[0]) for row in rows]


def _contacts(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])


def _dump(path: Path) -> list[str]:
    """Return the whole database as SQL statements: schema and rows."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def _backups(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if _BACKUP.match(p.name))


def _add_future_migration(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at)"
            " VALUES (9999, 'from_the_future', '2027-01-01T00:00:00+00:00')"
        )


def test_status_lists_applied_and_pending_migrations_and_changes_nothing(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old_database(database, ALL[:-2])
    before = _dump(database)
    assert main(["migrate", "--status"]) == 0
    out = capsys.readouterr().out
    applied, pending = out.split("Chưa áp dụng")
    for migration in ALL[:-2]:
        assert f"{migration.version:04d} {migration.name} — " in applied
    for migration in ALL[-2:]:
        assert f"{migration.version:04d} {migration.name}" in pending
        assert migration.name not in applied
    assert _versions(database) == [m.version for m in ALL[:-2]]
    assert _dump(database) == before
    assert _backups(database.parent) == []


def test_migrate_writes_a_backup_of_the_old_database_then_applies_the_rest(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old_database(database, ALL[:-2], contacts=3)
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out
    (backup,) = _backups(database.parent)
    assert _BACKUP.match(backup.name).group(1) == f"{ALL[-2].version:04d}"  # type: ignore[union-attr]
    assert str(backup) in out
    assert f"{ALL[-1].version:04d} {ALL[-1].name}" in out
    assert _versions(backup) == [m.version for m in ALL[:-2]]  # the copy is as it was
    assert _contacts(backup) == 3
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # personal data
    assert _versions(database) == [m.version for m in ALL]
    assert _contacts(database) == 3
    assert main(["migrate"]) == 0  # nothing left: no second backup
    assert "không có gì để áp dụng" in capsys.readouterr().out
    assert len(_backups(database.parent)) == 1
    assert main(["migrate", "--status"]) == 0
    assert "Không còn bước nào chưa áp dụng" in capsys.readouterr().out


def test_other_commands_back_up_before_they_migrate_too(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old_database(database, ALL[:-1])
    assert main(["stats"]) == 0
    err = capsys.readouterr().err
    (backup,) = _backups(database.parent)
    assert f"loa: backed up {database} to {backup}, then migrated: " in err
    assert _versions(database) == [m.version for m in ALL]


def test_a_new_database_needs_no_backup(database: Path) -> None:
    assert main(["officers", "add", "111", "--commune", "Xã Hòa Phú", "--name", "Lan"]) == 0
    assert _versions(database) == [m.version for m in ALL]
    assert sorted(p.name for p in database.parent.iterdir() if p.suffix == ".db") == ["loa.db"]


def test_migrate_refuses_a_missing_database(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 2
    assert f"no database at {database}" in capsys.readouterr().err
    assert not database.parent.exists()


@pytest.mark.parametrize(
    "command", [["migrate"], ["migrate", "--status"], ["stats"], ["backup", "copy.db"]]
)
def test_a_database_newer_than_the_code_is_refused_in_one_line(
    command: list[str], database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old_database(database, ALL)
    _add_future_migration(database)
    before = _dump(database)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"the database at {database} was upgraded by a newer Loa" in err
    assert "9999_from_the_future" in err
    assert _dump(database) == before
    assert _backups(database.parent) == []


def test_loa_run_and_demo_refuse_a_newer_database_in_a_real_process(
    database: Path, tmp_path: Path
) -> None:
    _old_database(database, ALL)
    _add_future_migration(database)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{database}",
        "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35,
        "TELEGRAM_API_URL": "http://127.0.0.1:9",  # never reached: refused before
    }
    for command in (["run"], ["demo", "--db", str(database)]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            env=env,
            cwd=tmp_path,
            input="",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        refusal = [line for line in done.stderr.splitlines() if line.startswith("loa: ")]
        assert len(refusal) == 1
        assert "was upgraded by a newer Loa" in refusal[0]
        assert "Traceback" not in done.stderr
