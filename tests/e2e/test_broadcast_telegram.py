"""An officer broadcasts to 200 residents of their commune over Telegram and gets the report.

The real serve() runs polling, the broadcast runner and the outbox sender against the fake
Bot API; the officer walks /broadcast → preview → "send now", then asks /stats.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, serve
from bot.clock import FixedClock
from bot.config import load_settings
from bot.core.places import place_key
from tests.broadcasts.seed import Person, seed
from tests.fakes.telegram_server import FakeTelegram

OFFICER = 7001
RESIDENT = 10_000  # the first of 200 residents of Ea Tul; 10 of them opted out
OUTSIDER = 20_000  # 20 residents of Cư Né
STOPPED = {RESIDENT + i for i in range(0, 200, 20)}
STRANGER = 30_000  # a resident who is not an officer


def _buttons(markup: object) -> list[tuple[str, str]]:
    assert isinstance(markup, dict)
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


@pytest.fixture
async def serving(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa with an Ea Tul officer and 220 residents, serving until the test ends."""
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_URL": server.url,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "TELEGRAM_RATE": "1000",
        },
        env_file=None,
    )
    async with open_loa(settings, clock=clock) as loa:
        await loa.store.officers.add(
            OFFICER, "Cán bộ", "Ea Tul", place_key("Ea Tul"), "test", clock.now()
        )
        people = [
            Person(
                RESIDENT + i,
                f"Nguyễn Văn {i}",
                "Ea Tul",
                f"Thôn {i % 5 + 1}",
                date(2026, 10, 1),
                status="stopped" if RESIDENT + i in STOPPED else "active",
            )
            for i in range(200)
        ] + [
            Person(OUTSIDER + i, f"Trần Thị {i}", "Cư Né", "Buôn Kmu", date(2026, 10, 1))
            for i in range(20)
        ]
        await seed(loa.store.db, people, clock.now())
        stop = asyncio.Event()
        task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
        try:
            yield loa
        finally:
            stop.set()
            await task


async def _reply(server: FakeTelegram, chat: int, count: int) -> str:
    await server.wait_for(
        "sendMessage",
        lambda c: str(c.params.get("chat_id")) == str(chat),
        count=count,
        timeout=15,
    )
    texts = [m.text for m in server.sent(chat) if m.method == "sendMessage"]
    assert texts[-1] is not None
    return texts[-1]


async def test_officer_broadcasts_to_their_commune_and_gets_the_report(
    server: FakeTelegram, serving: Loa
) -> None:
    server.push_text(STRANGER, "/broadcast xa=*\nMua thẻ đi {{ ten }}")
    refused = await _reply(server, STRANGER, 1)
    assert "không có quyền" in refused.lower() or "không được" in refused.lower()

    server.push_text(OFFICER, "/broadcast")
    usage = await _reply(server, OFFICER, 1)
    assert "the=het_han>30" in usage

    server.push_text(
        OFFICER, "/broadcast -\nChào {{ ten }} ({{ thon }}), thẻ BHYT hết hạn {{ han_the }}."
    )
    preview = await _reply(server, OFFICER, 2)
    assert "Sẽ gửi cho: 190 người." in preview
    assert "Bỏ qua vì đã dừng nhận tin hoặc chặn bot: 10 người." in preview
    assert "Chào 1 (Thôn 2), thẻ BHYT hết hạn 01/10/2026." in preview
    buttons = _buttons(server.sent(OFFICER)[-1].reply_markup)
    (send_now,) = [data for label, data in buttons if label == "📤 Gửi ngay"]

    server.push_callback(OFFICER, send_now, user_id=OFFICER)
    created = await _reply(server, OFFICER, 3)
    assert "Đã lên lịch đợt gửi số 1 cho 190 người" in created

    report = await _reply(server, OFFICER, 4)
    assert "Đợt gửi số 1 – đã xong" in report
    assert "Đã gửi: 190" in report
    assert "Đã dừng nhận tin hoặc chặn bot từ trước (không xếp hàng): 10" in report

    for i in range(200):  # the planner may have sent reminders too: look at broadcasts only
        chat = RESIDENT + i
        got = [m.text for m in server.sent(chat) if (m.text or "").startswith("Chào")]
        if chat in STOPPED:
            assert got == []
        else:
            assert got == [f"Chào {i} (Thôn {i % 5 + 1}), thẻ BHYT hết hạn 01/10/2026."]
    outside = [m for i in range(20) for m in server.sent(OUTSIDER + i)]
    assert not any((m.text or "").startswith("Chào") for m in outside)
    assert [m.text for m in server.sent(STRANGER)] == [refused]  # and nothing else

    server.push_text(OFFICER, "/stats")
    await server.wait_for("sendPhoto")
    summary = await _reply(server, OFFICER, 5)
    assert "Người dân trong danh sách: 200, đã liên kết với bot: 200." in summary
    assert "Đợt gửi tin: 1, đã gửi 190 tin, lỗi 0." in summary
    (photo,) = [m for m in server.sent(OFFICER) if m.method == "sendPhoto"]
    assert photo.photo is not None
    assert photo.photo.content.startswith(b"\x89PNG")
