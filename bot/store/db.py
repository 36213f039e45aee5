"""One aiosqlite connection per process: WAL, foreign keys, busy timeout, versioned migrations."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.files import create_private, make_private_dirs, tighten

__all__ = [
    "MIGRATIONS_DIR",
    "WAL_CHECKPOINT_PAGES",
    "AppliedMigration",
    "Database",
    "DatabaseTooNew",
    "Migration",
    "MigrationStatus",
    "MissingDatabase",
    "iso",
    "parse_iso",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# SQLite copies the write-ahead log back into the database file when a commit leaves it longer
# than this many pages, and the connection waits meanwhile. At SQLite's default (1,000 pages)
# that wait was the slowest 1% of answered messages (~7 ms); a copy every 100 pages takes
# about 1 ms (bench/README.md). Bulk imports commit larger transactions and are unaffected.
WAL_CHECKPOINT_PAGES = 100
# Statements that make Python's sqlite3 open a transaction implicitly.
_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def iso(moment: datetime) -> str:
    """Return `moment` as the UTC ISO-8601 text stored in the database."""
    if moment.tzinfo is None:
        raise ValueError("store only aware datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    """Return the aware datetime stored as `text`."""
    return datetime.fromisoformat(text)


class MissingDatabase(Exception):
    """The database to open without creating it does not exist, or has no tables."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{reason}: {path}")
        self.path = path
        self.reason = reason


class DatabaseTooNew(Exception):
    """The database has migrations this code does not know: a newer Loa upgraded it."""

    def __init__(self, path: Path, unknown: Sequence[AppliedMigration], latest: int) -> None:
        first = unknown[0]
        super().__init__(
            f"the database at {path} was upgraded by a newer Loa: its migration "
            f"{first.version:04d}_{first.name} is unknown to this version, which knows up to "
            f"{latest:04d}"
        )
        self.path = path
        self.unknown = tuple(unknown)


class Migration:
    """A numbered SQL file in the migrations folder."""

    def __init__(self, path: Path) -> None:
        found = _MIGRATION_NAME.match(path.name)
        if not found:
            raise ValueError(f"migration file name must look like 0001_name.sql: {path.name}")
        self.version = int(found.group(1))
        self.name = found.group(2)
        self.path = path

    @classmethod
    def discover(cls, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
        """Return the migrations in `folder`, oldest first; versions must be unique."""
        found = sorted((cls(p) for p in folder.glob("*.sql")), key=lambda m: m.version)
        versions = [m.version for m in found]
        if len(set(versions)) != len(versions):
            raise ValueError(f"two migrations share a version number in {folder}")
        return found


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    """A migration recorded in the database as applied, and when."""

    version: int
    name: str
    applied_at: datetime


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    """The database's migrations against the code's: applied, pending, and unknown ones."""

    applied: tuple[AppliedMigration, ...]
    pending: tuple[Migration, ...]
    unknown: tuple[AppliedMigration, ...]
    """Applied, but not among the code's migrations: a newer Loa's."""


class Database:
    """The process's single SQLite connection and its transactions."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path
        self._write_lock = asyncio.Lock()
        self._inside: ContextVar[bool] = ContextVar(f"loa-db-{id(self)}", default=False)

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations: Iterable[Migration] | None = None,
        create: bool = True,
        migrate: bool = True,
    ) -> Database:
        """Open (creating folders and file), configure and migrate the database at `path`.

        A new file is created 0600 in 0700 folders before SQLite opens it, and SQLite gives its
        -wal and -shm files the database file's mode; files left 0644 by older versions are
        tightened. With `create=False` nothing is created: a missing file, or one without
        tables, raises MissingDatabase. A database with a migration the code does not know
        raises DatabaseTooNew. With `migrate=False` pending migrations are left to the caller
        (`migration_status`, then `migrate`).
        """
        if create:
            await asyncio.to_thread(_prepare_private, path)
            conn = await aiosqlite.connect(path, isolation_level="IMMEDIATE")
        else:
            conn = await _connect_existing(path)
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            # Deleted and overwritten rows are zeroed, not left in free space of the file.
            await conn.execute("PRAGMA secure_delete = ON")
            await conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            known = Migration.discover() if migrations is None else list(migrations)
            status = await db.migration_status(known)
            if status.unknown:
                raise DatabaseTooNew(path, status.unknown, max(m.version for m in known))
            if migrate:
                await db.migrate(status.pending)
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()

    async def migration_status(self, migrations: Iterable[Migration]) -> MigrationStatus:
        """Compare the migrations recorded in the database with `migrations` (reads only)."""
        table = await self.fetchone(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )
        rows = []
        if table is not None:
            rows = await self.fetchall(
                "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
            )
        applied = tuple(
            AppliedMigration(row["version"], row["name"], parse_iso(row["applied_at"]))
            for row in rows
        )
        known = list(migrations)
        versions = {m.version for m in known}
        done = {m.version for m in applied}
        return MigrationStatus(
            applied=tuple(m for m in applied if m.version in versions),
            pending=tuple(m for m in known if m.version not in done),
            unknown=tuple(m for m in applied if m.version not in versions),
        )

    async def migrate(self, migrations: Iterable[Migration]) -> list[int]:
        """Apply the migrations not applied yet, each in its own transaction; return them."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        rows = await self.fetchall("SELECT version FROM schema_migrations")
        done = {row["version"] for row in rows}
        applied = []
        for migration in migrations:
            if migration.version in done:
                continue
            script = migration.path.read_text(encoding="utf-8")
            stamp = iso(datetime.now(UTC))
            try:
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\n;"
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                    f"({migration.version}, '{migration.name}', '{stamp}');\nCOMMIT;"
                )
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise
            applied.append(migration.version)
        return applied

    @asynccontextmanager
    async def transaction(self, *, lazy: bool = False) -> AsyncIterator[None]:
        """Run the block in one write transaction: all of it is stored, or none of it.

        Transactions from concurrent tasks on the shared connection run one after another;
        a block inside another block of the same task joins it. With `lazy`, the
        transaction begins at the block's first write instead of at once (one trip to the
        database thread less): use it only when the block writes first.
        """
        if self._inside.get():
            yield
            return
        async with self._write_lock:
            if not lazy:
                await self._conn.execute("BEGIN IMMEDIATE")
            token = self._inside.set(True)
            try:
                yield
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.rollback()
                raise
            finally:
                self._inside.reset(token)
            if self._conn.in_transaction:
                await self._conn.commit()

    @asynccontextmanager
    async def _statement(self, sql: str) -> AsyncIterator[None]:
        """Run one statement safely on the shared connection.

        Inside `transaction()` it simply joins it. Outside, a write (which makes SQLite open a
        transaction implicitly) takes the write lock and is committed at once, so it can
        never slip into, or collide with, another task's transaction. Reads run freely.
        """
        if self._inside.get() or not _WRITES.match(sql):
            yield
            return
        async with self._write_lock:
            try:
                yield
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.rollback()
                raise
            if self._conn.in_transaction:
                await self._conn.commit()

    async def execute(self, sql: str, params: Any = ()) -> int:
        """Run one statement; return the last inserted row id."""
        async with self._statement(sql):
            row = await self._conn.execute_insert(sql, params)
        return int(row[0]) if row else 0

    async def execute_rowcount(self, sql: str, params: Any = ()) -> int:
        """Run one statement; return how many rows it changed."""
        async with self._statement(sql):
            cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        """Run one statement for each parameter row."""
        async with self._statement(sql):
            await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Any = ()) -> aiosqlite.Row | None:
        """Return the first row of a query, or None (one trip to the database thread)."""
        async with self._statement(sql):
            rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Any = ()) -> list[aiosqlite.Row]:
        """Return every row of a query."""
        async with self._statement(sql):
            return list(await self._conn.execute_fetchall(sql, params))

    async def write_all(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run each statement over its parameter rows, all in one transaction.

        Outside a transaction this is a single trip to the database thread, where a trip per
        statement would add one or two hundred microseconds to every group commit. aiosqlite
        has no public "run this function on the database thread"; its `_execute` (there since
        0.11) is what every public method uses, and tests/store/test_db.py would catch a change.
        """
        if self._inside.get():
            for sql, rows in steps:
                await self._conn.executemany(sql, rows)
            return
        on_thread = self._conn._execute
        async with self._write_lock:
            await on_thread(_write_all, self._conn._conn, steps)  # type: ignore[no-untyped-call]

    async def backup(self, target: Path) -> None:
        """Copy the whole database, consistent as of one moment, into the file `target`.

        SQLite's online backup: Loa may go on serving while it runs. Whatever `target` held
        is replaced, so callers choose a new file.
        """
        await asyncio.to_thread(_replace_private, target)  # 0600 before SQLite writes to it
        async with aiosqlite.connect(target) as copy:
            await self._conn.backup(copy)

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty the log; tell if done.

        After an erasure this removes the erased values' older copies, which the log keeps
        until SQLite's next checkpoint. It waits for this connection's transactions, and up to
        the busy timeout for other processes' readers; False if one still held the log.
        """
        async with self._write_lock:
            rows = await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = next(iter(rows))[0]
        return not busy


async def _connect_existing(path: Path) -> aiosqlite.Connection:
    """Connect to the database at `path` only if it exists and has tables (mode=rw: no file
    is ever created); raise MissingDatabase otherwise."""
    if not await asyncio.to_thread(path.is_file):
        raise MissingDatabase(path, "no database")
    await asyncio.to_thread(tighten, *_companions(path))
    uri = f"{(await asyncio.to_thread(path.absolute)).as_uri()}?mode=rw"
    try:
        conn = await aiosqlite.connect(uri, uri=True, isolation_level="IMMEDIATE")
    except sqlite3.OperationalError:
        raise MissingDatabase(path, "cannot open the database") from None
    try:
        rows = await conn.execute_fetchall(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
        )
    except sqlite3.DatabaseError:
        await conn.close()
        raise MissingDatabase(path, "not a SQLite database") from None
    if next(iter(rows))[0] == 0:
        await conn.close()
        raise MissingDatabase(path, "the database has no tables") from None
    return conn


def _companions(path: Path) -> tuple[Path, Path, Path]:
    """Return the database file and the -wal and -shm files SQLite keeps beside it."""
    return path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _prepare_private(path: Path) -> None:
    """Create the database file 0600 if it is new; make an existing one and its WAL 0600."""
    make_private_dirs(path.parent)
    try:
        create_private(path)
    except FileExistsError:
        tighten(*_companions(path))


def _replace_private(path: Path) -> None:
    """Replace whatever `path` held by an empty 0600 file."""
    path.unlink(missing_ok=True)
    create_private(path)


def _write_all(conn: sqlite3.Connection, steps: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Run the steps and commit, or roll back (on the database thread)."""
    try:
        for sql, rows in steps:
            conn.executemany(sql, rows)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
