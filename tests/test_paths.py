"""Relative paths follow the .env file, never the current folder; read commands create nothing."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, find_env_file, home_folder, load_settings
from bot.store.db import Database

_CONTACT = (
    "INSERT INTO contacts (channel, external_id, first_seen, last_seen) VALUES (?, ?, 'x', 'x')"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An install folder whose .env names a relative database; nothing else in it yet."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / ".env").write_text("DATABASE_URL=sqlite:///data/loa.db\n")
    return folder


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: Path) -> Path:
    """Another folder, the current one, with LOA_ENV_FILE pointing at the site's .env."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LOA_ENV_FILE", str(site / ".env"))
    return folder


def _seed(path: Path, contacts: int) -> None:
    async def run() -> None:
        db = await Database.open(path)
        await db.write_all([(_CONTACT, [("t", str(i)) for i in range(contacts)])])
        await db.close()

    asyncio.run(run())


def _contacts(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])


def test_a_relative_database_is_under_the_env_files_folder(site: Path) -> None:
    settings = load_settings({}, env_file=site / ".env")
    assert settings.database_path == site / "data" / "loa.db"
    assert settings.base_folder == site
    assert load_settings({}, env_file=None).database_path == home_folder() / "data" / "loa.db"
    absolute = load_settings({"DATABASE_URL": "sqlite:////srv/loa.db"}, env_file=site / ".env")
    assert absolute.database_path == Path("/srv/loa.db")


def test_the_env_file_is_named_by_loa_env_file_or_is_the_projects(site: Path) -> None:
    assert find_env_file({"LOA_ENV_FILE": str(site / ".env")}) == site / ".env"
    default = home_folder() / ".env"
    assert find_env_file({}) == (default if default.is_file() else None)
    with pytest.raises(ConfigError, match="LOA_ENV_FILE"):
        find_env_file({"LOA_ENV_FILE": str(site / "missing.env")})


def test_a_base_folder_cannot_be_set_from_the_environment(site: Path) -> None:
    settings = load_settings({"BASE_FOLDER": "/tmp"}, env_file=site / ".env")
    assert settings.base_folder == site


@pytest.mark.parametrize(
    "command",
    [
        ["backup", "copy.db"],
        ["stats"],
        ["outbox"],
        ["export", "registrations", "-o", "dk.xlsx"],
        ["broadcasts", "list"],
        ["officers", "list"],
        ["remind", "--dry-run"],
    ],
)
def test_reading_commands_refuse_a_missing_database_and_create_nothing(
    command: list[str], elsewhere: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 2
    err = capsys.readouterr().err
    assert f"no database at {site / 'data' / 'loa.db'}" in err
    assert "DATABASE_URL" in err
    assert sorted(p.name for p in site.iterdir()) == [".env"]
    assert list(elsewhere.iterdir()) == []


def test_loa_backup_refuses_a_database_without_tables(
    elsewhere: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = site / "data" / "loa.db"
    empty.parent.mkdir()
    empty.touch()
    assert main(["backup", "copy.db"]) == 2
    assert f"the database has no tables at {empty}" in capsys.readouterr().err
    assert empty.stat().st_size == 0  # left as it was: no tables were made in it
    with sqlite3.connect(empty) as conn:  # a real SQLite file, still without tables
        conn.execute("PRAGMA user_version = 3")
    assert main(["backup", "copy.db"]) == 2
    assert not (elsewhere / "copy.db").exists()


def test_commands_run_from_another_folder_use_the_sites_database(
    elsewhere: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = site / "data" / "loa.db"
    _seed(database, 3)
    assert main(["stats"]) == 0
    assert main(["backup", "nightly.db"]) == 0  # an argument is relative to where it is typed
    assert str(database) in capsys.readouterr().out
    assert sorted(p.name for p in elsewhere.iterdir()) == ["nightly.db"]  # no data/ here
    assert _contacts(elsewhere / "nightly.db") == 3


def test_setting_up_creates_the_database_at_the_site_and_says_so(
    elsewhere: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["officers", "add", "111", "--commune", "Xã Hòa Phú", "--name", "Lan"]) == 0
    assert f"created a new database at {site / 'data' / 'loa.db'}" in capsys.readouterr().err
    assert main(["officers", "list"]) == 0
    assert "Hòa Phú" in capsys.readouterr().out
    assert list(elsewhere.iterdir()) == []


def test_loa_backup_from_another_folder_in_a_real_process(tmp_path: Path, site: Path) -> None:
    _seed(site / "data" / "loa.db", 2)
    cwd = tmp_path / "cron"
    cwd.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LOA_ENV_FILE": str(site / ".env")}
    run = [sys.executable, "-m", "bot", "backup", "loa-2026-12-02.db"]
    done = subprocess.run(run, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _contacts(cwd / "loa-2026-12-02.db") == 2
    assert not (cwd / "data").exists()
    env["LOA_ENV_FILE"] = str(tmp_path / "nowhere" / ".env")
    missing = subprocess.run(run, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    assert "LOA_ENV_FILE: no such file" in missing.stderr


def test_an_installed_loa_reads_the_env_file_of_the_folder_it_starts_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.config.checkout_folder", lambda: None)  # as from a wheel
    office = tmp_path / "office"
    office.mkdir()
    monkeypatch.chdir(office)
    assert home_folder() == office
    assert find_env_file({}) is None
    (office / ".env").write_text("RATES_FILE=own.toml\n")
    assert find_env_file({}) == office / ".env"
    settings = load_settings({}, env_file=find_env_file({}))
    assert settings.rates_path == office / "own.toml"
    assert load_settings({}, env_file=None).database_path == office / "data" / "loa.db"
