"""A resident links their card over Telegram by sharing their phone, then checks /nhacnho."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.app import Loa
from bot.channels.telegram import TelegramChannel
from bot.clock import VIETNAM
from bot.officers.importing.service import import_residents
from tests.fakes.telegram_server import FakeTelegram
from tests.store_queries import find_contact

CHAT = 7001
LIST = (
    "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"
    "Nguyễn Văn Ba,05/03/1958,0123456789,0905 123 456,Thôn 3,Ea Tul,31/12/2026\n"
    "Trần Thị Tư,07/08/1961,0123456780,0905 999 888,Thôn 4,Ea Tul,15/01/2027\n"
)


async def load_list(loa: Loa, tmp_path: Path) -> None:
    path = tmp_path / "danh_sach.csv"
    path.write_text(LIST, encoding="utf-8-sig")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
    report = await import_residents(loa.store.residents, path, today=date(2026, 11, 25), now=now)
    assert report.added == 2


async def test_sharing_ones_own_phone_links_the_card_and_shows_the_plan(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    server.push_text(CHAT, "nhắc tôi gia hạn thẻ bhyt")
    await server.wait_for("sendMessage")
    server.push_callback(CHAT, "remind:phone")
    await server.wait_for("sendMessage", count=2)
    keyboard = server.sent(CHAT)[-1].reply_markup or {}
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    server.push_contact(CHAT, "+84905123456", contact_user_id=CHAT)
    await server.wait_for("sendMessage", count=3)
    linked = server.sent(CHAT)[-1].text
    assert "Nguyễn Văn Ba: hết hạn 31/12/2026 (Thôn 3, Ea Tul)" in linked
    assert "Trần Thị Tư" not in linked
    server.push_text(CHAT, "/nhacnho")
    await server.wait_for("sendMessage", count=4)
    overview = server.sent(CHAT)[-1].text
    assert "• 24/12/2026: nhắc trước 7 ngày" in overview


async def test_someone_elses_contact_links_nothing(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    server.push_text(CHAT, "/start")
    await server.wait_for("sendMessage")
    server.push_callback(CHAT, "remind")
    await server.wait_for("sendMessage", count=2)
    server.push_callback(CHAT, "remind:phone")
    await server.wait_for("sendMessage", count=3)
    server.push_contact(CHAT, "+84905123456", contact_user_id=99)
    await server.wait_for("sendMessage", count=4)
    assert "không phải số điện thoại của chính bạn" in server.sent(CHAT)[-1].text
    contact = await find_contact(telegram_loa.store.db, "telegram", str(CHAT))
    assert contact is not None
    assert await telegram_loa.store.residents.for_contact(contact.id) == []
