"""A broadcast sent by a worker process that is killed with SIGKILL mid-way, then restarted.

Shared by tests/officers/broadcasts/test_kill_restart.py and bench/bench_kill.py.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.clock import VIETNAM
from bot.core.audience import Scope
from bot.officers.broadcasts.service import BroadcastService
from bot.store import Store
from tests.officers.broadcasts.kill_worker import NOW
from tests.officers.broadcasts.seed import Person, seed

__all__ = ["KillRun", "kill_and_restart", "lines"]

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True, slots=True)
class KillRun:
    """What a killed and restarted broadcast delivered."""

    broadcast_id: int
    people: list[Person]
    sent: Counter[str]  # chat id → deliveries
    killed_at: int  # deliveries logged when the first worker was killed
    sending_at_kill: int  # outbox rows left in `sending` by the kill

    @property
    def duplicates(self) -> int:
        """Return how many deliveries were repeats."""
        return sum(n - 1 for n in self.sent.values())


async def _worker(db: Path, log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.officers.broadcasts.kill_worker", str(db), str(log), cwd=ROOT
    )


def lines(log: Path) -> list[str]:
    """Return the deliveries logged so far ("chat id<TAB>text")."""
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


async def kill_and_restart(folder: Path, people: int = 400) -> KillRun:
    """Broadcast to `people`, kill the worker after a third of them, restart it to the end."""
    db, log = folder / "loa.db", folder / "sent.log"
    store = await Store.open(db)
    recipients = [
        Person(1000 + i, f"Người {i}", "Ea Tul", f"Thôn {i % 4}", date(2026, 12, 1))
        for i in range(people)
    ]
    await seed(store.db, recipients, NOW)
    service = BroadcastService(store.broadcasts, tz=VIETNAM, sending_hours=(8, 20))
    made = await service.create(
        actor="t:1",
        scope=Scope.everywhere(),
        audience_text="xa=Ea Tul",
        template_text="Chào {{ ten }}",
        at=None,
        urgent=False,
        now=NOW,
    )
    await store.close()

    first = await _worker(db, log)
    for _ in range(500):
        if len(lines(log)) >= people // 3:
            break
        await asyncio.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    killed_at = len(lines(log))
    with sqlite3.connect(db) as conn:
        (sending,) = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending'").fetchone()

    second = await _worker(db, log)
    assert await asyncio.wait_for(second.wait(), timeout=30) == 0
    sent = Counter(line.split("\t")[0] for line in lines(log))
    return KillRun(made.id, recipients, sent, killed_at, sending)
