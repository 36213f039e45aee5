"""`loa backup`: a consistent copy of the database, safe to take while Loa runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import Commands, store_for
from bot.clock import SystemClock
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
    where = backup.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "file", nargs="?", type=Path, help="the new file, e.g. backup/loa-2026-11-25.db"
    )
    where.add_argument(
        "--into",
        type=Path,
        metavar="FOLDER",
        help="write FOLDER/loa-YYYY-MM-DD.db, dated in TIMEZONE (for a nightly timer)",
    )
    backup.set_defaults(handler=_backup)


def dated_name(folder: Path, now: datetime, tz: ZoneInfo) -> Path:
    """Return `folder/loa-YYYY-MM-DD.db` for the local day, with the time if that exists."""
    local = now.astimezone(tz)
    daily = folder / f"loa-{local:%Y-%m-%d}.db"
    return daily if not daily.exists() else folder / f"loa-{local:%Y-%m-%d-%H%M%S}.db"


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    into: Path | None = args.into
    target: Path = args.file if into is None else dated_name(into, SystemClock().now(), settings.tz)
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
