"""`loa backup`: a consistent copy of the database, safe to take while Loa runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.common import Commands, store_for
from bot.config import Settings
from bot.store.files import make_private_dirs

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add backup."""
    backup = commands.add_parser(
        "backup",
        help="copy the database into a new file (safe while `loa run` is running)",
        description=(
            "Copy the whole database (DATABASE_URL) into a new SQLite file, consistent as of "
            "one moment, while Loa goes on serving. The file must not exist yet. Restore by "
            "stopping Loa and putting the copy in place of the database file."
        ),
    )
    backup.add_argument("file", type=Path, help="the new file, e.g. backup/loa-2026-11-25.db")
    backup.set_defaults(handler=_backup)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    target: Path = args.file
    if target.exists():
        print(f"loa: {target} already exists; choose a new file name", file=sys.stderr)
        return 1
    make_private_dirs(target.parent)
    asyncio.run(_copy(settings, target))
    size = f"{target.stat().st_size:,}".replace(",", ".")
    print(f"Đã sao lưu {settings.database_path} vào {target} ({size} byte).")
    return 0


async def _copy(settings: Settings, target: Path) -> None:
    async with store_for(settings) as store:
        await store.db.backup(target)
