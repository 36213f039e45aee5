"""The `loa` command line: one module per group of subcommands, assembled here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from telegram.error import InvalidToken

from bot.channels.telegram import TelegramUnreachable
from bot.cli import (
    backup,
    broadcasts,
    leaflets,
    migrate,
    officers,
    outbox,
    rates,
    residents,
    serve,
    zns,
)
from bot.cli.common import MigrationFailed
from bot.config import ENV_FILE_VARIABLE, ConfigError, find_env_file, load_settings
from bot.core.knowledge import TopicsError
from bot.core.rates import RatesError
from bot.render import Renderer
from bot.store import DatabaseTooNew, MissingDatabase
from bot.store.files import PRIVATE_UMASK

__all__ = ["main"]


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
    for group in (
        serve,
        rates,
        outbox,
        residents,
        officers,
        leaflets,
        broadcasts,
        zns,
        backup,
        migrate,
    ):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `loa` command; return its exit code."""
    os.umask(PRIVATE_UMASK)  # the database, backups and exports hold personal data
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(os.environ, env_file=find_env_file(os.environ))
        code: int = args.handler(settings, args)
    except (ConfigError, RatesError, TopicsError, MigrationFailed) as exc:
        print(f"loa: {exc}", file=sys.stderr)
        return 2
    except MissingDatabase as exc:
        print(
            f"loa: {exc.reason} at {exc.path}, so nothing was done. DATABASE_URL is "
            f"{settings.database_url}; relative paths are taken from {settings.base_folder} "
            f"(the .env file's folder, else Loa's own; {ENV_FILE_VARIABLE} names another .env).",
            file=sys.stderr,
        )
        return 2
    except InvalidToken:
        print("loa: TELEGRAM_BOT_TOKEN was refused by Telegram (check the token)", file=sys.stderr)
        return 2
    except TelegramUnreachable as exc:
        data = {"host": exc.host, "reason": exc.reason, "setting": "TELEGRAM_API_URL"}
        print(Renderer().text("cli/unreachable", data), file=sys.stderr)
        return 2
    except DatabaseTooNew as exc:
        print(
            f"loa: {exc}; nothing was done. Install that version of Loa again, or restore the "
            "backup written before the upgrade (see `loa migrate --help`).",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
    return code
