"""A broadcast killed with SIGKILL mid-way and restarted sends everyone exactly once."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from bot.broadcasts.audience import Scope
from bot.broadcasts.service import BroadcastService
from bot.clock import VIETNAM
from bot.store import Store
from tests.broadcasts.kill_worker import NOW
from tests.broadcasts.seed import Person, seed

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 400
IN_FLIGHT = 8 + 40  # the sender's max_in_flight plus one claimed batch


async def _worker(db: Path, log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.broadcasts.kill_worker", str(db), str(log), cwd=ROOT
    )


def _lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


async def test_sigkill_then_restart_sends_each_recipient_once(tmp_path: Path) -> None:
    db, log = tmp_path / "loa.db", tmp_path / "sent.log"
    store = await Store.open(db)
    people = [
        Person(1000 + i, f"Người {i}", "Ea Tul", f"Thôn {i % 4}", date(2026, 12, 1))
        for i in range(PEOPLE)
    ]
    await seed(store.db, people, NOW)
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
        if len(_lines(log)) >= PEOPLE // 3:
            break
        await asyncio.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    killed_at = len(_lines(log))
    assert 0 < killed_at < PEOPLE

    second = await _worker(db, log)
    assert await asyncio.wait_for(second.wait(), timeout=30) == 0

    sent = Counter(line.split("\t")[0] for line in _lines(log))
    assert set(sent) == {str(p.chat_id) for p in people}
    assert sum(n - 1 for n in sent.values()) <= IN_FLIGHT
    for line in _lines(log):
        chat, text = line.split("\t")
        assert text == f"Chào {int(chat) - 1000}"

    store = await Store.open(db)
    try:
        service = BroadcastService(store.broadcasts, tz=VIETNAM, sending_hours=(8, 20))
        done = await service.get(made.id, Scope.everywhere())
        report = await service.report(done)
        counts = await store.outbox.counts()
        assert done.status.value == "done"
        assert report.sent == PEOPLE == counts["sent"]
        assert report.total == PEOPLE == done.enqueued
        assert report.pending == 0
    finally:
        await store.close()
