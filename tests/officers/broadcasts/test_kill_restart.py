"""A broadcast killed with SIGKILL mid-way and restarted sends everyone, repeating at most a few.

Only deliveries that had started and whose outcome was not yet stored can be repeated: the
sender stores each outcome before the delivery's place is given to another, so at most
`max_in_flight` messages (the sender's default, as in `loa run`) reach a person twice.
"""

from __future__ import annotations

from pathlib import Path

from bot.clock import VIETNAM
from bot.core.audience import Scope
from bot.core.hours import SendingHours
from bot.officers.broadcasts.service import BroadcastService
from bot.outbox.sender import Sender
from bot.store import Store
from tests.officers.broadcasts.kill_run import kill_and_restart, lines

PEOPLE = 400
WINDOW = Sender.MAX_IN_FLIGHT  # deliveries started and not yet recorded, at most


async def test_sigkill_then_restart_sends_each_recipient_once(tmp_path: Path) -> None:
    run = await kill_and_restart(tmp_path, PEOPLE)
    assert 0 < run.killed_at < PEOPLE

    assert set(run.sent) == {str(p.chat_id) for p in run.people}
    assert max(run.sent.values()) <= 2
    assert run.duplicates <= WINDOW, f"{run.duplicates} repeated deliveries"
    for line in lines(tmp_path / "sent.log"):
        chat, text = line.split("\t")
        assert text == f"Chào {int(chat) - 1000}"

    store = await Store.open(tmp_path / "loa.db")
    try:
        service = BroadcastService(store.broadcasts, tz=VIETNAM, hours=SendingHours(8, 20, VIETNAM))
        done = await service.get(run.broadcast_id, Scope.everywhere())
        report = await service.report(done)
        counts = await store.outbox.counts()
        assert done.status.value == "done"
        assert report.sent == PEOPLE == counts["sent"]
        assert report.total == PEOPLE == done.enqueued
        assert report.pending == 0
    finally:
        await store.close()
