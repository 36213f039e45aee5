"""Helpers shared by the `loa` subcommands: argument types and the store for one command."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.clock import SystemClock
from bot.config import Settings
from bot.store import Store
from bot.store.db import Migration

__all__ = ["Commands", "MigrationFailed", "Upgrade", "day", "open_store", "store_for", "upgrade"]

if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time on Python 3.11
    Commands = argparse._SubParsersAction


def day(text: str) -> date:
    """Read a dd/mm/yyyy argument."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 25/11/2026") from None


class MigrationFailed(Exception):
    """A migration failed; the ones before it stay applied, and the backup is named."""

    def __init__(self, path: Path, error: sqlite3.Error, backup: Path | None) -> None:
        kept = f"; the copy from before is {backup}" if backup is not None else ""
        super().__init__(f"migrating {path} failed ({error}){kept}")


@dataclass(frozen=True, slots=True)
class Upgrade:
    """The migrations just applied to a database, and the backup written before them."""

    applied: tuple[Migration, ...]
    backup: Path | None


def backup_name(database: Path, first: Migration, now: datetime) -> Path:
    """Return the file, next to the database, that holds its copy from before `first` ran.

    Named by the local time of day, e.g. loa-2026-12-03-081502-before-0014.db.
    """
    return database.with_name(
        f"{database.stem}-{now:%Y-%m-%d-%H%M%S}-before-{first.version:04d}.db"
    )


async def upgrade(store: Store, settings: Settings) -> Upgrade:
    """Apply the pending migrations, after a backup next to the database if it was in use.

    A new database (no migration applied yet) needs no backup.
    """
    status = await store.db.migration_status(Migration.discover())
    if not status.pending:
        return Upgrade((), None)
    backup = None
    if status.applied:
        now = SystemClock().now().astimezone(settings.tz)
        backup = backup_name(store.db.path, status.pending[0], now)
        if backup.exists():
            raise FileExistsError(f"{backup} already exists; try again in a second")
        await store.db.backup(backup)
    try:
        await store.db.migrate(status.pending)
    except sqlite3.Error as error:
        raise MigrationFailed(store.db.path, error, backup) from error
    return Upgrade(status.pending, backup)


def _to_stderr(text: str) -> None:
    print(f"loa: {text}", file=sys.stderr)


async def open_store(
    settings: Settings, *, create: bool = False, say: Callable[[str], None] = _to_stderr
) -> Store:
    """Open the database named by DATABASE_URL, migrated, for one command (which closes it).

    Only commands that set Loa up (`create=True`) may create it, and `say` so; for the others
    a missing or empty database raises MissingDatabase instead of being made anew. Pending
    migrations are applied after a backup (`upgrade`), and said so; a database newer than
    the code raises DatabaseTooNew.
    """
    path = settings.database_path
    new = create and not path.exists()
    store = await Store.open(path, create=create, migrate=False)
    try:
        if new:
            say(f"created a new database at {path}")
        done = await upgrade(store, settings)
    except BaseException:
        await store.close()
        raise
    if done.backup is not None:
        versions = ", ".join(f"{m.version:04d}_{m.name}" for m in done.applied)
        say(f"backed up {path} to {done.backup}, then migrated: {versions}")
    return store


@asynccontextmanager
async def store_for(
    settings: Settings, *, create: bool = False, say: Callable[[str], None] = _to_stderr
) -> AsyncIterator[Store]:
    """Open the database for one command as `open_store` does, and close it after."""
    store = await open_store(settings, create=create, say=say)
    try:
        yield store
    finally:
        await store.close()
