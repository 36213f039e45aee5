"""Audiences reach residents who only chat: by `xa=*`, and by the commune they answered.

The real serve() runs polling, the broadcast runner and the outbox sender against the fake
Bot API. Residents write to Loa as a new user would; an administrator broadcasts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import Loa, open_loa, serve
from bot.clock import FixedClock
from bot.store.drafts import Place as DraftPlace
from tests.e2e.conftest import fake_settings
from tests.e2e.test_broadcast_telegram import Chat
from tests.fakes.telegram_server import FakeTelegram
from tests.officer_helpers import add_officer, commune

ADMIN = 7001
OFFICER = 7002
FIRST, SECOND = 10_001, 10_002


@asynccontextmanager
async def running(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa serving the fake server, with one administrator, until the block ends."""
    settings = fake_settings(server, db_path, TELEGRAM_RATE="1000", ADMIN_IDS=str(ADMIN))
    async with open_loa(settings, clock=clock) as loa:
        stop = asyncio.Event()
        task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
        try:
            yield loa
        finally:
            stop.set()
            await task


async def _broadcast(admin: Chat, audience: str, message: str) -> str:
    """Walk an administrator's /broadcast to the end; return the preview it showed."""
    preview = await admin.say(f"/broadcast {audience}\n{message}")
    await admin.press("Tiếp ➡")
    await admin.press("📤 Gửi ngay")
    created = await admin.press("✅ Xác nhận gửi")
    assert "Đã lên lịch đợt gửi số" in created
    report = await admin.reply()
    assert "đã xong" in report
    return preview


def _got(server: FakeTelegram, chat: int, message: str) -> list[str]:
    return [m.text for m in server.sent(chat) if m.text == message]


async def test_residents_who_only_sent_start_receive_an_everyone_broadcast(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    async with running(server, db_path, clock):
        for user in (FIRST, SECOND):
            greeting = await Chat(server, user).say("/start")
            assert "Loa" in greeting
        admin = Chat(server, ADMIN)
        unknown = await admin.say("/broadcast xa=?\nTin cho người chưa rõ xã.")
        assert "Đối tượng: người chưa rõ xã" in unknown
        assert "Sẽ gửi cho: 2 người." in unknown
        assert "Đã bỏ bản nháp" in await admin.press("✖️ Bỏ bản nháp")
        preview = await _broadcast(admin, "xa=*", "Tin cho mọi người dân.")
        assert "Sẽ gửi cho: 2 người." in preview
        for user in (FIRST, SECOND):
            assert _got(server, user, "Tin cho mọi người dân.") == ["Tin cho mọi người dân."]


async def test_a_resident_who_answered_the_place_question_is_in_their_communes_audience(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    async with running(server, db_path, clock) as loa:
        await add_officer(loa.store, OFFICER, "Cán bộ", "Ea Tul", clock.now())
        for user, place in ((FIRST, "thon 3, ea tul"), (SECOND, "Thôn 1, Cư Né")):
            resident = Chat(server, user)
            await resident.say("thẻ bhyt hết hạn thì làm sao")
            asked = await resident.reply()  # the place question follows the first answer
            assert "sống ở xã nào" in asked
            saved = await resident.say(place)
            assert "Loa đã ghi" in saved
        shown = await Chat(server, FIRST).say("/xa")
        assert "Thon 3, xã Ea Tul" in shown  # typed in lower case, shown capitalized

        officer = Chat(server, OFFICER)
        preview = await _broadcast(officer, "thon=Thôn 3", "Họp thôn 3 tối nay.")
        assert "Sẽ gửi cho: 1 người." in preview
        assert _got(server, FIRST, "Họp thôn 3 tối nay.") == ["Họp thôn 3 tối nay."]
        assert _got(server, SECOND, "Họp thôn 3 tối nay.") == []


async def test_a_resident_who_starts_with_a_villages_leaflet_code_is_in_its_audience(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    async with running(server, db_path, clock) as loa:
        await add_officer(loa.store, OFFICER, "Cán bộ", "Xã Hòa Phú", clock.now())
        hoa_phu = commune("Xã Hòa Phú")
        leaflet = await loa.store.leaflets.live_or_create(
            hoa_phu, DraftPlace("thon dong", "Thôn Đông"), "l-Ab3_x9Zq", "test", clock.now()
        )
        revoked = await loa.store.leaflets.live_or_create(
            hoa_phu, DraftPlace("thon tay", "Thôn Tây"), "l-revoked1", "test", clock.now()
        )
        await loa.store.leaflets.revoke(revoked.code, clock.now())

        greeting = await Chat(server, FIRST).say(f"/start {leaflet.code}")
        assert "Loa của Xã Hòa Phú" in greeting
        assert "Thôn Đông" in greeting
        hostile_starts = (
            "/start l-revoked1",
            "/start l-nobody",
            "/start ../<b>x</b>' OR 1=1",
            "/start l-" + "A" * 70,  # longer than Telegram's 64 characters
            "/start l-Thôn_Đông",  # not ASCII
        )
        for hostile in hostile_starts:
            normal = await Chat(server, SECOND).say(hostile)
            assert normal.startswith("Xin chào")  # the normal greeting, never an error
            assert "Loa của" not in normal
        stored = await loa.store.db.fetchall(
            "SELECT c.external_id, p.village, p.source, p.leaflet_code FROM contact_places p"
            " JOIN contacts c ON c.id = p.contact_id"
        )
        assert [tuple(row) for row in stored] == [
            (str(FIRST), "Thôn Đông", "leaflet", leaflet.code)
        ]

        officer = Chat(server, OFFICER)
        preview = await _broadcast(officer, "thon=Thôn Đông", "Họp thôn Đông tối nay.")
        assert "Sẽ gửi cho: 1 người." in preview
        assert _got(server, FIRST, "Họp thôn Đông tối nay.") == ["Họp thôn Đông tối nay."]
        assert _got(server, SECOND, "Họp thôn Đông tối nay.") == []
