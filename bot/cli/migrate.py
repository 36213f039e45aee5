"""`loa migrate`: apply pending database migrations after a backup, or list them."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import Commands, upgrade
from bot.config import Settings
from bot.render import Renderer
from bot.store import Store
from bot.store.db import Migration

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add migrate."""
    migrate = commands.add_parser(
        "migrate",
        help="apply pending database migrations, after a backup next to the database",
        description=(
            "Bring the database (DATABASE_URL) up to this version of Loa: copy it next to "
            "itself (name-YYYY-MM-DD-HHMMSS-before-NNNN.db, local time), then apply the pending "
            "migrations. `loa run` does the same at start; run this first to see it happen. "
            "To roll back, stop Loa, reinstall the previous version and put the copy in place "
            "of the database file."
        ),
    )
    migrate.add_argument(
        "--status", action="store_true", help="only list the applied and pending migrations"
    )
    migrate.set_defaults(handler=_migrate)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    text = asyncio.run(_status(settings) if args.status else _apply(settings))
    print(text)
    return 0


async def _status(settings: Settings) -> str:
    store = await Store.open(settings.database_path, create=False, migrate=False)
    try:
        status = await store.db.migration_status(Migration.discover())
    finally:
        await store.close()
    applied = [
        {"version": m.version, "name": m.name, "at": m.applied_at.astimezone(settings.tz)}
        for m in status.applied
    ]
    data = {"path": settings.database_path, "applied": applied, "pending": status.pending}
    return Renderer().text("cli/migrate_status", data)


async def _apply(settings: Settings) -> str:
    store = await Store.open(settings.database_path, create=False, migrate=False)
    try:
        done = await upgrade(store, settings)
    finally:
        await store.close()
    data = {"path": settings.database_path, "applied": done.applied, "backup": done.backup}
    return Renderer().text("cli/migrate_done", data)
