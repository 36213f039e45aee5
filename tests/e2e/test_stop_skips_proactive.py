"""/stop over Telegram: proactive messages stay off until the resident turns them back on."""

from __future__ import annotations

from bot.app import Loa
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import FixedClock
from bot.outbox.sender import Pacer, Sender
from bot.store import OutboxItem, OutboxStatus
from tests.fakes.telegram_server import FakeTelegram
from tests.store_queries import find_contact, outbox_rows

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
        contact = await find_contact(store.db, "telegram", str(chat))
        assert contact is not None
        ids.append(contact.id)
    items = [OutboxItem(cid, "reminder", "Thẻ BHYT sắp hết hạn") for cid in ids]
    await store.outbox.enqueue_many(items, clock.now())

    async with sender_bot(server.token, server.url) as sending_bot:
        sender = Sender(store.outbox, TelegramTransport(sending_bot), Pacer(30, 1), clock)
        await sender.drain()

    assert [m.text for m in server.sent(STOPPER)][-1].startswith("Đã ngừng")
    assert server.sent(LISTENER)[-1].text == "Thẻ BHYT sắp hết hạn"
    rows = {row.contact_id: row for row in await outbox_rows(store.db)}
    assert rows[ids[0]].status is OutboxStatus.SKIPPED
    assert rows[ids[0]].last_error == "stopped"
    assert rows[ids[1]].status is OutboxStatus.SENT


async def _reminder_to(loa: Loa, server: FakeTelegram, clock: FixedClock, contact_id: int) -> None:
    await loa.store.outbox.enqueue_many(
        [OutboxItem(contact_id, "reminder", "Thẻ BHYT sắp hết hạn")], clock.now()
    )
    async with sender_bot(server.token, server.url) as sending_bot:
        sender = Sender(loa.store.outbox, TelegramTransport(sending_bot), Pacer(30, 1), clock)
        await sender.drain()


async def test_writing_again_after_stop_is_answered_but_proactive_messages_stay_off(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, clock: FixedClock
) -> None:
    server.push_text(STOPPER, "/stop")
    await server.wait_for("sendMessage", count=1)
    stop_text = server.sent(STOPPER)[-1].text
    assert "/batdau" in stop_text
    server.push_text(STOPPER, "thẻ bhyt hộ gia đình đóng bao nhiêu")
    await server.wait_for("sendMessage", count=2)
    answer = server.sent(STOPPER)[-1]
    assert "Nhận tin lại" in str(answer.reply_markup)
    contact = await find_contact(telegram_loa.store.db, "telegram", str(STOPPER))
    assert contact is not None
    await _reminder_to(telegram_loa, server, clock, contact.id)
    assert all("sắp hết hạn" not in m.text for m in server.sent(STOPPER))

    server.push_callback(STOPPER, "resume")
    await server.wait_for("sendMessage", count=3)
    assert server.sent(STOPPER)[-1].text.startswith("Đã bật lại")
    await _reminder_to(telegram_loa, server, clock, contact.id)
    assert server.sent(STOPPER)[-1].text == "Thẻ BHYT sắp hết hạn"
