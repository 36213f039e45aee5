"""The sender through the real python-telegram-bot `Bot` against the fake Bot API, with faults."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from bot.app import outbox_preparer
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.outbox.sender import Pacer, Sender
from bot.store import ContactStatus, OutboxItem, OutboxStatus, Store
from tests.fakes.telegram_server import FakeTelegram
from tests.store_queries import find_contact, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
CLOCK = SystemClock()


async def queue_one_each(store: Store, chats: list[int]) -> dict[int, int]:
    """Queue one reminder per chat; return row id → chat."""
    items = []
    for chat in chats:
        contact = await store.contacts.touch("telegram", str(chat), "", CLOCK.now())
        items.append(OutboxItem(contact.id, "reminder", f"Nhắc gia hạn thẻ BHYT cho {chat}"))
    ids = await store.outbox.enqueue_many(items, CLOCK.now())
    return {row_id: chat for row_id, chat in zip(ids, chats, strict=True) if row_id is not None}


async def test_every_message_ends_sent_failed_or_skipped_through_faults(
    server: FakeTelegram, db_path: Path, settings: Settings
) -> None:
    chats = list(range(1001, 1061))
    server.fail_next("sendMessage", status=429, retry_after=1, chat_id=1003)
    server.fail_next("sendMessage", status=502, times=2, chat_id=1005)
    server.delay_next("sendMessage", 1.0, chat_id=1007)
    server.block(1010)
    server.block(1011)
    server.fail_next(
        "sendMessage", status=400, description="Bad Request: message is too long", chat_id=1013
    )
    server.fail_next(
        "sendMessage", status=400, description="Bad Request: chat not found", chat_id=1015
    )

    async def outage() -> None:
        await server.wait_for("sendMessage", count=20)
        server.set_outage(True)
        await asyncio.sleep(2.0)
        server.set_outage(False)

    store = await Store.open(db_path)
    try:
        rows = await queue_one_each(store, chats)
        async with sender_bot(server.token, server.url, timeout=0.4) as bot:
            sender = Sender(
                store.outbox,
                TelegramTransport(bot),
                Pacer(50, 1),
                CLOCK,
                retry_base=0.5,
                max_attempts=5,
                preparer=outbox_preparer(store, settings),
            )
            faults = asyncio.create_task(outage())
            await sender.drain(max_wait=15)
            await faults
        final = {row.id: row for row in await outbox_rows(store.db)}
        blocked = [await find_contact(store.db, "telegram", str(c)) for c in (1010, 1011, 1015)]
    finally:
        await store.close()

    delivered = Counter(message.chat_id for message in server.sent())
    assert {row.status for row in final.values()} <= {
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
        OutboxStatus.SKIPPED,
    }
    by_chat = {chat: final[row_id] for row_id, chat in rows.items()}
    assert by_chat[1013].status is OutboxStatus.FAILED
    assert (by_chat[1013].last_error, by_chat[1013].last_detail) == (
        "refused",
        "bad request: Message is too long",
    )
    for chat in (1010, 1011, 1015):
        assert by_chat[chat].status is OutboxStatus.SKIPPED
        assert by_chat[chat].last_error == "blocked"
        assert by_chat[chat].last_detail  # Telegram's own words, for the operator
    assert all(c is not None and c.status is ContactStatus.BLOCKED for c in blocked)
    sent = {chat for chat, row in by_chat.items() if row.status is OutboxStatus.SENT}
    assert sent == set(chats) - {1010, 1011, 1013, 1015}
    assert set(delivered) == sent
    # A timed-out send may have been accepted: it is the only one allowed twice.
    assert {chat for chat, n in delivered.items() if n > 1} <= {1007}
    assert by_chat[1005].attempts >= 3  # two 502s, perhaps the outage too
    assert by_chat[1007].attempts >= 2
    assert server.stats.rejected_429 == 1
    assert any(call.status == 502 for call in server.calls("sendMessage"))


async def run_worker(db_path: Path, url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.e2e.outbox_worker",
        str(db_path),
        url,
        "--rate",
        "100",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def chats_in(db_path: Path, status: str) -> set[int]:
    with sqlite3.connect(db_path) as conn:
        found = conn.execute(
            "SELECT c.external_id FROM outbox o JOIN contacts c ON c.id = o.contact_id"
            " WHERE o.status = ?",
            (status,),
        ).fetchall()
    return {int(chat) for (chat,) in found}


async def test_a_sender_killed_mid_way_loses_nothing_and_repeats_only_what_was_in_flight(
    server: FakeTelegram, db_path: Path
) -> None:
    chats = list(range(2001, 2201))
    store = await Store.open(db_path)
    try:
        await queue_one_each(store, chats)
    finally:
        await store.close()

    first = await run_worker(db_path, server.url)
    while server.stats.sent < 70:
        assert first.returncode is None, "the worker ended before it could be killed"
        await asyncio.sleep(0.002)
    first.send_signal(signal.SIGKILL)
    await first.communicate()
    assert first.returncode == -signal.SIGKILL
    in_flight = chats_in(db_path, "sending")
    assert chats_in(db_path, "queued"), "the kill came too late to test anything"
    assert in_flight, "nothing was in flight at the kill"

    second = await run_worker(db_path, server.url)
    out, err = await asyncio.wait_for(second.communicate(), 20)
    assert second.returncode == 0, err.decode()
    assert b"STARTED" in out

    delivered = Counter(message.chat_id for message in server.sent())
    assert set(delivered) == set(chats)
    twice = {chat for chat, n in delivered.items() if n > 1}
    assert twice <= in_flight
    assert max(delivered.values()) <= 2
    assert chats_in(db_path, "sent") == set(chats)
