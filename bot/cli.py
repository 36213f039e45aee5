"""The `loa` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from telegram.error import InvalidToken

from bot.app import load_rates, open_loa, serve
from bot.channels.console import run_console
from bot.clock import SystemClock, local_date
from bot.config import ConfigError, Settings, load_settings, require_telegram_token
from bot.render import Renderer

__all__ = ["main"]

DEMO_DATABASE = Path("data/demo.db")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loa",
        description=(
            "Loa: a Vietnamese chatbot that answers residents' questions about health insurance "
            "(BHYT) and voluntary social insurance (BHXH tự nguyện). Settings come from the "
            "environment or a .env file (see .env.example)."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "run",
        help="serve residents on Telegram (needs TELEGRAM_BOT_TOKEN)",
        description="Serve residents on Telegram by long polling until Ctrl+C.",
    )
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
        default=DEMO_DATABASE,
        help=f"SQLite file to use (default {DEMO_DATABASE})",
    )
    demo.add_argument("--user", default="demo", help="who you are in the demo (default: demo)")

    rates = commands.add_parser(
        "rates",
        help="print the premiums and figures in force on a date",
        description=(
            "Print the base salary, BHYT and BHXH tự nguyện figures in force on a date, from "
            "data/rates.toml. When a decree changes a rate, add a dated row to that file."
        ),
    )
    rates.add_argument(
        "--on", type=_day, default=None, metavar="dd/mm/yyyy", help="the date (default: today)"
    )
    return parser


def _day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 25/11/2026") from None


def _rates(settings: Settings, on: date | None) -> int:
    book = load_rates()
    day = on or local_date(SystemClock().now(), settings.tz)
    if day < book.covers_from():
        print(f"loa: the rates file starts on {book.covers_from():%d/%m/%Y}", file=sys.stderr)
        return 2
    print(Renderer().text("rates", {"f": book.snapshot(day)}))
    return 0


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def _run(settings: Settings) -> int:
    async with open_loa(settings) as loa:
        await serve(loa)
    return 0


async def _demo(settings: Settings, database: Path, user: str) -> int:
    async with open_loa(settings, database=database) as loa:
        await run_console(loa.engine, sender_id=user)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `loa` command; return its exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        if args.command == "run":
            require_telegram_token(settings)
            _configure_logging(settings)
            return asyncio.run(_run(settings))
        if args.command == "rates":
            return _rates(settings, args.on)
        if args.command == "demo":
            logging.basicConfig(level=logging.WARNING)
            return asyncio.run(_demo(settings, args.db, args.user))
    except ConfigError as exc:
        print(f"loa: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("loa: TELEGRAM_BOT_TOKEN was refused by Telegram (check the token)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2
