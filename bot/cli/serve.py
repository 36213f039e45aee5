"""`loa run` and `loa demo`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from functools import partial
from pathlib import Path

from bot.app import open_loa, serve
from bot.channels.console import run_console, tolerant
from bot.cli.common import Commands, store_for
from bot.cli.rates import log_rates_in_use
from bot.config import Settings, require_channels
from bot.logs import configure_logging

__all__ = ["DEMO_DATABASE", "register"]

DEMO_DATABASE = Path("data/demo.db")
log = logging.getLogger(__name__)


def register(commands: Commands) -> None:
    """Add run and demo."""
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


def _run(settings: Settings, args: argparse.Namespace) -> int:
    require_channels(settings)
    configure_logging(settings.log_level, debug=settings.log_debug, secrets=settings.secrets)
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    log_rates_in_use(settings, log)
    async with store_for(settings, create=True, say=partial(log.info, "%s")):
        pass  # a newer database is refused; pending migrations run after a backup
    async with open_loa(settings) as loa:
        await serve(loa)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(logging.WARNING, debug=settings.log_debug, secrets=settings.secrets)
    database: Path = args.db or settings.resolve(DEMO_DATABASE)
    return asyncio.run(_chat(settings, database, args.user))


async def _chat(settings: Settings, database: Path, user: str) -> int:
    async with open_loa(settings, database=database) as loa:
        try:
            await run_console(loa.engine, tolerant(sys.stdin), tolerant(sys.stdout), sender_id=user)
        except BrokenPipeError:  # the reader left (`loa demo | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the exit's flush has somewhere to go
    return 0
