"""`loa run`, `loa demo` and `loa rates`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date
from pathlib import Path

from bot.app import load_rates, open_loa, serve
from bot.channels.console import run_console, tolerant
from bot.cli.common import Commands, day
from bot.clock import SystemClock, local_date
from bot.config import Settings, require_channels
from bot.logs import configure_logging
from bot.render import Renderer, format_date

__all__ = ["DEMO_DATABASE", "register"]

DEMO_DATABASE = Path("data/demo.db")


def register(commands: Commands) -> None:
    """Add run, demo and rates."""
    run = commands.add_parser(
        "run",
        help="serve residents on Telegram and/or Zalo (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN)",
        description="Serve residents on Telegram and/or Zalo (each with its token) until Ctrl+C.",
    )
    run.set_defaults(handler=_run)
    demo = commands.add_parser(
        "demo",
        help="chat with Loa in this terminal, offline, as a resident",
        description=(
            "Chat with Loa in the terminal as a resident, offline and without a token. Type a "
            "question, a number from the list, or /start, /menu, /help, /stop. With piped input "
            "(printf '/start\\nmenu\\n' | loa demo) it prints the answers and exits at the end."
        ),
    )
    demo.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"SQLite file to use (default {DEMO_DATABASE} in Loa's folder)",
    )
    demo.add_argument("--user", default="demo", help="who you are in the demo (default: demo)")
    demo.set_defaults(handler=_demo)
    rates = commands.add_parser(
        "rates",
        help="print the premiums and figures in force on a date",
        description=(
            "Print the base salary, BHYT and BHXH tự nguyện figures in force on a date, from "
            "data/rates.toml. When a decree changes a rate, add a dated row to that file."
        ),
    )
    rates.add_argument(
        "--on", type=day, default=None, metavar="dd/mm/yyyy", help="the date (default: today)"
    )
    rates.set_defaults(handler=_rates)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    require_channels(settings)
    configure_logging(settings.log_level, debug=settings.log_debug, secrets=settings.secrets)
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    async with open_loa(settings) as loa:
        await serve(loa)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(logging.WARNING, debug=settings.log_debug, secrets=settings.secrets)
    database: Path = args.db or settings.resolve(DEMO_DATABASE)
    return asyncio.run(_chat(settings, database, args.user))


async def _chat(settings: Settings, database: Path, user: str) -> int:
    async with open_loa(settings, database=database) as loa:
        await run_console(loa.engine, tolerant(sys.stdin), tolerant(sys.stdout), sender_id=user)
    return 0


def _rates(settings: Settings, args: argparse.Namespace) -> int:
    book = load_rates()
    on: date | None = args.on
    when = on or local_date(SystemClock().now(), settings.tz)
    if when < book.covers_from():
        print(f"loa: the rates file starts on {format_date(book.covers_from())}", file=sys.stderr)
        return 2
    print(Renderer().text("rates", {"f": book.snapshot(when)}))
    return 0
