"""A flood of residents over a fake Bot API enforcing rate limits: every message is answered.

The real `serve()` runs Telegram polling and the outbox sender (reminders queued for other
chats) against a fake server that answers 429 like Telegram over its limits. The limits are
scaled up (and Loa's pacer with them) to keep the test short; the code path is the one of
`loa run`. bench/bench_flood.py runs the same flood at Telegram's real limits.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

from bot.app import open_loa, serve
from bot.clock import FixedClock
from bot.config import load_settings
from bot.store import OutboxItem
from tests.fakes.telegram_server import FakeTelegram

CHATS = [9000 + i for i in range(50)]
PER_CHAT = 20
REMINDER_CHATS = [7000 + i for i in range(60)]
HEADER = re.compile(r"BHYT hộ gia đình, (\d) người, đóng (\d+) tháng")


def question(index: int) -> tuple[int, int]:
    """Return the household size and months of a resident's message number `index`."""
    return 1 + index % 5, (3, 6, 12)[index % 3]


async def test_fifty_residents_writing_twenty_messages_each_all_get_their_answers(
    db_path: Path, clock: FixedClock
) -> None:
    async with FakeTelegram(limit_per_second=60, limit_per_chat_per_second=2) as server:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": server.token,
                "TELEGRAM_API_URL": server.url,
                "TELEGRAM_RATE": "60",
                "TELEGRAM_PER_CHAT_RATE": "2",
                "DATABASE_URL": f"sqlite:///{db_path}",
                "WEB_PORT": "0",
            },
            env_file=None,
        )
        async with open_loa(settings, clock=clock) as loa:
            items = []
            for chat in REMINDER_CHATS:
                contact = await loa.store.contacts.touch("telegram", str(chat), "", clock.now())
                items.append(OutboxItem(contact.id, "reminder", f"Nhắc hạn thẻ {chat}"))
            await loa.store.outbox.enqueue_many(items, clock.now())
            stop = asyncio.Event()
            serving = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
            try:
                await server.wait_for("getUpdates")
                for index in range(PER_CHAT):
                    for chat in CHATS:
                        people, months = question(index)
                        server.push_text(chat, f"nhà {people} người đóng BHYT {months} tháng")
                for chat in CHATS:
                    await _answered(server, chat, within=60)
                await server.wait_for(
                    "sendMessage",
                    lambda c: int(c.params["chat_id"]) in REMINDER_CHATS and c.status == 200,
                    count=len(REMINDER_CHATS),
                    timeout=30,
                )
            finally:
                stop.set()
                await serving

    assert server.stats.rejected_429 == 0
    for chat in CHATS:
        expected = Counter(question(index) for index in range(PER_CHAT))
        assert _asked(server, chat) == expected
    reminded = Counter(m.chat_id for m in server.sent() if m.chat_id in REMINDER_CHATS)
    assert reminded == Counter(REMINDER_CHATS)


def _asked(server: FakeTelegram, chat: int) -> Counter[tuple[int, int]]:
    """Return the questions answered in the texts delivered to `chat` (merged or not)."""
    found: Counter[tuple[int, int]] = Counter()
    for message in server.sent(chat):
        for people, months in HEADER.findall(message.text or ""):
            found[(int(people), int(months))] += 1
    return found


async def _answered(server: FakeTelegram, chat: int, *, within: float) -> None:
    """Wait until all of `chat`'s questions are answered (or fail after `within` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while sum(_asked(server, chat).values()) < PER_CHAT:
        if loop.time() > deadline:
            raise AssertionError(
                f"chat {chat}: {sum(_asked(server, chat).values())} of {PER_CHAT} answered; "
                f"{server.stats.rejected_429} × 429"
            )
        await asyncio.sleep(0.05)
