"""A broadcast worker for the SIGKILL test: queue one batch, send it, repeat until done.

The sender is wired as in `loa run` (default batch and in-flight limits, a pacer that makes
claimed rows wait their turn): texts are rendered and the daily cap checked at send time.

Usage: python -m tests.officers.broadcasts.kill_worker DB LOG. Each delivery appends the chat id to
LOG (written before the outcome is stored, as a real channel would have delivered it).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.app import outbox_preparer
from bot.clock import VIETNAM, FixedClock
from bot.config import load_settings
from bot.core.hours import SendingHours
from bot.core.types import Button
from bot.officers.broadcasts.service import BroadcastService
from bot.outbox.sender import Pacer, Sender
from bot.store import Store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


class _LogTransport:
    """Appends each delivered chat id to a file, a little slowly."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        """Write the chat id (one write call: whole lines survive SIGKILL)."""
        await asyncio.sleep(0.01)
        os.write(self._fd, f"{chat_id}\t{text}\n".encode())


async def main(db: Path, log: Path) -> None:
    """Run until the broadcast is done."""
    store = await Store.open(db)
    clock = FixedClock(NOW)
    service = BroadcastService(
        store.broadcasts, tz=VIETNAM, hours=SendingHours(8, 20, VIETNAM), batch_size=40
    )
    settings = load_settings({"DATABASE_URL": f"sqlite:///{db}"}, env_file=None)
    sender = Sender(
        store.outbox,
        _LogTransport(log),
        Pacer(200, 200),  # paced, as in `loa run`: claimed rows wait their turn
        clock,
        preparer=outbox_preparer(store, settings),
    )
    await sender.recover()
    try:
        while True:
            finished = await service.advance(clock.now(), max_batches=1)
            if finished:
                return
            await sender.drain()
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
