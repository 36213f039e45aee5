"""/stop over Telegram, then a proactive message: the outbox skips it, nothing is sent."""

from __future__ import annotations

from bot.app import Loa
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import FixedClock
from bot.delivery import Pacer, Sender
from bot.store import OutboxItem, OutboxStatus
from tests.fakes.telegram_server import FakeTelegram

STOPPER = 9101
LISTENER = 9102


async def test_a_resident_who_stopped_gets_no_proactive_message(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, clock: FixedClock
) -> None:
    server.push_text(STOPPER, "/stop")
    server.push_text(LISTENER, "/start")
    await server.wait_for("sendMessage", count=2)
    store = telegram_loa.store
    ids = []
    for chat in (STOPPER, LISTENER):
        contact = await store.contacts.find("telegram", str(chat))
        assert contact is not None
        ids.append(contact.id)
    items = [OutboxItem(cid, "reminder", "Thẻ BHYT sắp hết hạn") for cid in ids]
    await store.outbox.enqueue_many(items, clock.now())

    async with sender_bot(server.token, server.url) as sending_bot:
        sender = Sender(store.outbox, TelegramTransport(sending_bot), Pacer(30, 1), clock)
        await sender.drain()

    assert [m.text for m in server.sent(STOPPER)][-1].startswith("Đã ngừng gửi tin nhắn")
    assert server.sent(LISTENER)[-1].text == "Thẻ BHYT sắp hết hạn"
    rows = {row.contact_id: row for row in await store.outbox.all_rows()}
    assert rows[ids[0]].status is OutboxStatus.SKIPPED
    assert rows[ids[0]].last_error == "stopped"
    assert rows[ids[1]].status is OutboxStatus.SENT
