"""A sending process for the SIGKILL test: recover, drain the outbox to the fake Bot API, exit.

    python -m tests.e2e.outbox_worker DB_PATH API_URL [--rate 100] [--token TOKEN]

Prints ``STARTED`` once the bot is ready and one JSON line of the sender's stats at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import SystemClock
from bot.outbox.sender import Pacer, Sender
from bot.store import Store
from tests.fakes.telegram_server import DEFAULT_TOKEN

__all__ = ["main"]


async def _work(db: Path, api_url: str, rate: float, token: str) -> dict[str, int]:
    """Send everything due, then return the sender's stats."""
    store = await Store.open(db)
    try:
        bot = sender_bot(token, api_url, timeout=5.0)
        async with bot:
            sender = Sender(
                store.outbox,
                TelegramTransport(bot),
                Pacer(rate, 1.0),
                SystemClock(),
                retry_base=0.2,
            )
            print("STARTED", flush=True)
            await sender.recover()
            stats = await sender.drain(max_wait=10.0)
        return asdict(stats)
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    """Run the worker from the command line."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.outbox_worker")
    parser.add_argument("db", type=Path)
    parser.add_argument("api_url")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    stats = asyncio.run(_work(args.db, args.api_url, args.rate, args.token))
    print(json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
