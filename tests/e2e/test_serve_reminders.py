"""`loa run` end to end: a linked resident gets exactly one reminder per stage.

The real serve() runs Telegram polling, the planner (APScheduler, at start-up) and the
outbox sender against the fake Bot API, three times over the same database: twice on the
same morning (a restart must not repeat the stage) and once a week later (the next stage).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.app import Loa, open_loa, serve
from bot.clock import VIETNAM, FixedClock
from bot.officers.importing.service import import_residents
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram

CHAT = 8001
LIST = (
    "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"
    "Nguyễn Văn Ba,05/03/1958,0123456789,0905 123 456,Thôn 3,Ea Tul,02/12/2026\n"
)


async def run_once(loa: Loa, clock: FixedClock, server: FakeTelegram, expected: int) -> None:
    """Serve until `expected` messages reached the resident (or 3 s passed), then stop."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
    try:
        await server.wait_for(
            "sendMessage", lambda c: str(c.params.get("chat_id")) == str(CHAT), count=expected
        )
        await asyncio.sleep(1.5)  # room for a wrong extra message to arrive
    finally:
        stop.set()
        await task


async def test_one_reminder_per_stage_across_runs_and_restarts(
    server: FakeTelegram, db_path: Path, tmp_path: Path
) -> None:
    settings = fake_settings(server, db_path)
    clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM))
    listing = tmp_path / "danh_sach.csv"
    listing.write_text(LIST, encoding="utf-8")
    async with open_loa(settings, clock=clock) as loa:
        await import_residents(
            loa.store.residents, listing, today=date(2026, 11, 25), now=clock.now()
        )
        (resident,) = await loa.store.residents.find_by_phone("+84905123456")
        contact = await loa.store.contacts.touch("telegram", str(CHAT), "Ba", clock.now())
        await loa.store.residents.link(resident.id, contact.id, clock.now())
        await run_once(loa, clock, server, expected=1)
    async with open_loa(settings, clock=clock) as loa:  # a restart the same morning
        await run_once(loa, clock, server, expected=1)
    clock.advance(timedelta(days=7))  # 02/12/2026, the expiry day
    async with open_loa(settings, clock=clock) as loa:
        await run_once(loa, clock, server, expected=2)

    texts = [m.text for m in server.sent(CHAT)]
    assert len(texts) == 2
    assert "Nguyễn Văn Ba" in texts[0]
    assert "02/12/2026" in texts[0]
    assert texts[0] != texts[1]
