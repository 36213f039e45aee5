"""The `loa` command line: one module per group of subcommands, assembled here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from telegram.error import InvalidToken

from bot.channels.telegram import TelegramUnreachable
from bot.cli import backup, broadcasts, officers, outbox, residents, serve
from bot.config import ConfigError, load_settings
from bot.render import Renderer

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
    for group in (serve, outbox, residents, officers, broadcasts, backup):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `loa` command; return its exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.handler(load_settings(os.environ), args)
    except ConfigError as exc:
        print(f"loa: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("loa: TELEGRAM_BOT_TOKEN was refused by Telegram (check the token)", file=sys.stderr)
        return 2
    except TelegramUnreachable as exc:
        data = {"host": exc.host, "reason": exc.reason, "setting": "TELEGRAM_API_URL"}
        print(Renderer().text("cli/unreachable", data), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
