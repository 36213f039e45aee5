"""`loa import residents` and `loa remind`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.app import load_rates
from bot.cli.common import Commands, store_for
from bot.clock import SystemClock, local_date
from bot.config import Settings
from bot.core.due_cards import UNREACHABLE_REASONS
from bot.core.phones import display_phone
from bot.officers.importing.columns import MissingColumns
from bot.officers.importing.reader import UnsupportedFile
from bot.officers.importing.service import import_residents
from bot.render import Renderer
from scheduler.planner import plan_reminders

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add import residents and remind."""
    importing = commands.add_parser(
        "import",
        help="import a commune's resident list (.xlsx or .csv) into the registry",
        description="Import data into Loa's registry.",
    )
    what = importing.add_subparsers(dest="what", metavar="WHAT", required=True)
    residents = what.add_parser(
        "residents",
        help="a list of residents with their BHYT card expiry dates",
        description=(
            "Import a resident list (.xlsx or .csv). Prints how many rows were added, updated, "
            "unchanged and rejected, with each rejected row's number and reason."
        ),
    )
    residents.add_argument("file", type=Path, metavar="FILE", help="the .xlsx or .csv list")
    residents.add_argument(
        "--dry-run", action="store_true", help="show the report without writing anything"
    )
    residents.set_defaults(handler=_import)
    remind = commands.add_parser(
        "remind",
        help="plan the expiry reminders due now and queue them in the outbox",
        description=(
            "Plan the reminders due now (30 and 7 days before expiry, on the day, 30 and 80 "
            "days after, by default) and queue them for the sender of `loa run`."
        ),
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="list who would be reminded, queue nothing"
    )
    remind.add_argument(
        "--list",
        action="store_true",
        help="name every resident due today: the stage, and the channel or why none reaches them",
    )
    remind.add_argument(
        "--now",
        type=_moment,
        default=None,
        metavar="YYYY-MM-DDTHH:MM",
        help="plan as at this local time instead of the clock (to preview a day)",
    )
    remind.set_defaults(handler=lambda settings, args: asyncio.run(_remind(settings, args)))


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time like 2026-11-25T09:00") from None


def _import(settings: Settings, args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"loa: no such file: {args.file}", file=sys.stderr)
        return 2
    return asyncio.run(_import_residents(settings, args.file, args.dry_run))


async def _import_residents(settings: Settings, path: Path, dry_run: bool) -> int:
    now = SystemClock().now()
    async with store_for(settings, create=not dry_run) as store:
        try:
            report = await import_residents(
                store.residents, path, today=local_date(now, settings.tz), now=now, dry_run=dry_run
            )
        except (MissingColumns, UnsupportedFile) as exc:
            print(f"loa: {path.name}: {exc}", file=sys.stderr)
            return 2
    data = {"r": report, "max_warnings": 20, "max_rejected": len(report.rejected)}
    print(Renderer().text("import_report", data))
    return 0


async def _remind(settings: Settings, args: argparse.Namespace) -> int:
    at: datetime | None = args.now
    now = SystemClock().now() if at is None else at.replace(tzinfo=at.tzinfo or settings.tz)
    async with store_for(settings) as store:
        report = await plan_reminders(
            store, Renderer(), load_rates(settings), settings, now, dry_run=args.dry_run
        )
    renderer = Renderer()
    reasons = {key: renderer.label(f"remind.unreachable.{key}") for key in UNREACHABLE_REASONS}
    data = {
        "r": report,
        "dry": args.dry_run,
        "listed": args.list,
        "tz": settings.tz,
        "phone": display_phone,
    }
    print(renderer.text("cli/remind_report", {**data, "reasons": reasons}), end="")
    return 0
