"""Residents register over Telegram, officers get the lead, residents see and erase their data."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from bot.core.accounts import Account
from bot.store import ContactStatus
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.officer_helpers import add_officer, commune
from tests.store_queries import audit_entries, find_contact

RESIDENT = 7001
OFFICER_CHAT = -500
ADMIN = 9001
NAME = "Nguyễn Thị Hoa"
PHONE_TYPED = "0905 123 456"
VILLAGE = "Thôn Phú Sơn"


@pytest.fixture
async def loa_bot(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa on the fake server, with an administrator and an officers' fallback chat."""
    settings = fake_settings(
        server, db_path, ADMIN_IDS=str(ADMIN), OFFICER_CHAT_ID=str(OFFICER_CHAT)
    )
    async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1):
        yield loa


async def _say(server: FakeTelegram, text: str) -> str:
    count = len(server.sent(RESIDENT)) + 1
    server.push_text(RESIDENT, text)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT, count=count)
    return server.sent(RESIDENT)[-1].text or ""


async def _press(server: FakeTelegram, payload: str) -> str:
    count = len(server.sent(RESIDENT)) + 1
    markup = server.sent(RESIDENT)[-1].reply_markup or {}
    offered = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
    assert payload in offered
    server.push_callback(RESIDENT, payload)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT, count=count)
    return server.sent(RESIDENT)[-1].text or ""


async def _register(server: FakeTelegram) -> str:
    await _say(server, "/start")
    assert "Đăng ký" in await _press(server, "reg")
    assert "đồng ý" in await _press(server, "reg:interest:household")
    assert "họ và tên" in await _press(server, "reg:consent:yes")
    phone_ask = await _say(server, NAME)
    assert "Số điện thoại" in phone_ask
    keyboard = server.sent(RESIDENT)[-1].reply_markup or {}
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    assert "xã" in await _say(server, PHONE_TYPED)
    assert "thôn" in await _say(server, "Xã Hòa Phú")
    assert "bao nhiêu người" in await _say(server, VILLAGE)
    await _press(server, "reg:household:4")
    summary = await _press(server, "reg:time:evening")
    assert NAME in summary
    assert "0905 123 456" in summary
    assert "buổi tối" in summary
    return await _press(server, "reg:confirm")


async def test_a_registration_reaches_the_officers_whose_buttons_set_the_status(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    done = await _register(server)
    assert "Mã đăng ký của bạn: DK000001" in done
    (notice,) = await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER_CHAT)
    assert NAME in notice.params["text"]
    assert "0905 123 456" in notice.params["text"]
    buttons = [b["callback_data"] for row in notice.params["reply_markup"]["inline_keyboard"]
               for b in row]  # fmt: skip
    assert buttons == ["off:status:1:contacted", "off:status:1:joined", "off:status:1:declined"]

    to_officers = lambda c: c.params["chat_id"] == OFFICER_CHAT  # noqa: E731
    server.push_callback(OFFICER_CHAT, "off:status:1:contacted", user_id=4242)  # a stranger
    await server.wait_for("sendMessage", to_officers, count=2)
    assert "không có quyền" in (server.sent(OFFICER_CHAT)[-1].text or "")
    server.push_callback(OFFICER_CHAT, "off:status:1:joined", user_id=ADMIN)
    await server.wait_for("sendMessage", to_officers, count=3)
    assert "Đã tham gia" in (server.sent(OFFICER_CHAT)[-1].text or "")

    listing = await _say(server, "/dangky")
    assert "DK000001" in listing
    assert "Đã tham gia" in listing
    audit = await audit_entries(loa_bot.store.db)
    assert [(a.actor, a.action) for a in audit] == [
        ("telegram:4242", "denied"),
        (f"telegram:{ADMIN}", "status:joined"),
    ]


async def test_refusing_consent_stores_nothing(server: FakeTelegram, loa_bot: Loa) -> None:
    await _say(server, "tôi muốn đăng ký mua bhyt cho cả nhà")
    assert "không lưu thông tin" in await _press(server, "reg:consent:no")
    assert await loa_bot.store.registrations.listing() == []
    assert "Đăng ký" not in str(server.calls("sendMessage")[-1].params.get("chat_id"))
    assert not [m for m in server.sent() if m.chat_id == OFFICER_CHAT]


async def test_another_persons_contact_is_refused(server: FakeTelegram, loa_bot: Loa) -> None:
    await _say(server, "/start")
    await _press(server, "reg")
    await _press(server, "reg:interest:voluntary")
    await _press(server, "reg:consent:yes")
    await _say(server, NAME)
    to_resident = lambda c: c.params["chat_id"] == RESIDENT  # noqa: E731
    server.push_contact(RESIDENT, "84905123456", contact_user_id=555)
    await server.wait_for("sendMessage", to_resident, count=7)  # the refusal, the question
    assert "không phải số điện thoại của chính bạn" in (server.sent(RESIDENT)[-2].text or "")
    server.push_contact(RESIDENT, "84905123456")
    await server.wait_for("sendMessage", to_resident, count=8)
    assert "xã" in (server.sent(RESIDENT)[-1].text or "")


async def test_mydata_then_xoa_leaves_no_personal_field_anywhere(
    server: FakeTelegram, loa_bot: Loa, db_path: Path
) -> None:
    await _register(server)
    shown = await _say(server, "/mydata")
    for fact in (NAME, "0905 123 456", VILLAGE, "Xã Hòa Phú", "DK000001", "Lan"):
        assert fact in shown
    assert "chắc chắn" in await _say(server, "/xoa")
    assert "Đã xóa" in await _press(server, "privacy:erase:yes")

    personal = (NAME, "Hoa", "905123456", "0905 123 456", "Phú Sơn", "Phu Son", "Lan")
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"messages", "conversations", "contacts", "registrations"} <= set(tables)
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    for fact in personal:
                        assert fact not in str(value), (table, row)
        (count,) = conn.execute("SELECT COUNT(*) FROM registrations").fetchone()
    assert count == 1  # the anonymous count is kept

    await _say(server, "còn ai gọi cho tôi không")  # writing again stores no name
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT display_name FROM contacts").fetchall() == [("",)]


async def test_stop_words_in_a_flow_stop_proactive_messages(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    await _say(server, "/start")
    await _press(server, "reg")
    await _press(server, "reg:interest:household")
    await _press(server, "reg:consent:yes")
    assert "Đã ngừng" in await _say(server, "dừng")
    contact = await find_contact(loa_bot.store.db, "telegram", str(RESIDENT))
    assert contact is not None
    assert contact.status is ContactStatus.STOPPED
    assert await loa_bot.store.registrations.listing() == []


async def test_a_stranger_cannot_export_and_is_audited(server: FakeTelegram, loa_bot: Loa) -> None:
    assert "không có quyền" in await _say(server, "/export")
    assert not server.calls("sendDocument")
    (entry,) = await audit_entries(loa_bot.store.db)
    assert (entry.actor, entry.action, entry.detail) == (f"telegram:{RESIDENT}", "denied", "export")


async def test_an_officer_exports_their_commune_in_a_group(
    server: FakeTelegram, loa_bot: Loa, clock: FixedClock
) -> None:
    await _register(server)
    await add_officer(loa_bot.store, 8001, "Cán bộ Bình", "Xã Hòa Phú", clock.now())
    server.push_text(OFFICER_CHAT, "/export csv", user_id=8001)
    (_call,) = await server.wait_for("sendDocument")
    (document,) = [m.document for m in server.sent(OFFICER_CHAT) if m.document is not None]
    assert document.name.endswith(".csv")
    assert document.content.startswith(b"\xef\xbb\xbf")
    assert NAME in document.content.decode("utf-8-sig")


async def _group_export(server: FakeTelegram, chat: int, user: int) -> str:
    before = len(server.sent(chat))
    server.push_text(chat, "/export csv", user_id=user)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == chat, count=before + 1)
    return server.sent(chat)[-1].text or ""


async def test_officer_commands_in_any_other_group_are_refused_and_audited(
    server: FakeTelegram, loa_bot: Loa, clock: FixedClock
) -> None:
    await _register(server)
    await add_officer(loa_bot.store, 8001, "Cán bộ Bình", "Xã Hòa Phú", clock.now())
    village_group = -777
    refused = await _group_export(server, village_group, 8001)
    assert "không phải nhóm cán bộ của xã" in refused
    refused_admin = await _group_export(server, village_group, ADMIN)
    assert "không phải nhóm cán bộ của xã" in refused_admin
    assert not server.calls("sendDocument")
    denied = [e for e in await audit_entries(loa_bot.store.db) if e.action == "denied"]
    assert {e.detail for e in denied} == {f"export in telegram:{village_group}"}
    assert {e.actor for e in denied} == {"telegram:8001", f"telegram:{ADMIN}"}


async def test_once_a_commune_has_its_own_chat_its_officers_work_there_only(
    server: FakeTelegram, loa_bot: Loa, clock: FixedClock
) -> None:
    await _register(server)
    await add_officer(loa_bot.store, 8001, "Cán bộ Bình", "Xã Hòa Phú", clock.now())
    commune_chat = -600
    await loa_bot.store.officers.set_chat(
        commune("Xã Hòa Phú"), Account("telegram", str(commune_chat)), "test", clock.now()
    )
    assert "không phải nhóm cán bộ" in await _group_export(server, OFFICER_CHAT, 8001)
    assert not server.calls("sendDocument")
    server.push_text(commune_chat, "/export csv", user_id=8001)
    (call,) = await server.wait_for("sendDocument")
    assert call.params["chat_id"] in (commune_chat, str(commune_chat))
