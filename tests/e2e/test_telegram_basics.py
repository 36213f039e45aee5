"""The real Application answers over HTTP: /start, buttons, commands, failures."""

from __future__ import annotations

import json
import logging

import pytest
from telegram.ext import Application

from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_server import FakeTelegram

CHAT = 5001


def buttons(markup: dict[str, object] | None) -> list[tuple[str, str]]:
    rows = (markup or {}).get("inline_keyboard", [])
    assert isinstance(rows, list)
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_start_greets_in_vietnamese_with_menu_buttons(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "/start", first_name="Hoa")
    (call,) = await server.wait_for("sendMessage")
    (message,) = server.sent(CHAT)
    assert message.text.startswith("Xin chào Hoa! Loa là trợ lý")
    assert buttons(message.reply_markup) == [
        ("📖 Hỏi đáp BHYT, BHXH", "topics"),
        ("🧮 Tính tiền đóng", "calc"),
        ("📝 Đăng ký tư vấn", "reg"),
        ("⏰ Nhắc hạn thẻ BHYT", "remind"),
        ("☎️ Tổng đài 1900 9068", "hotline"),
    ]
    assert call.params.get("parse_mode") is None


async def test_commands_are_registered_with_vietnamese_descriptions(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    await server.wait_for("setMyCommands")
    commands = {c["command"]: c["description"] for c in server.commands}
    assert set(commands) == {
        "start",
        "menu",
        "help",
        "nhacnho",
        "xa",
        "dangky",
        "mydata",
        "xoa",
        "huy",
        "stop",
        "batdau",
    }
    assert commands["stop"] == "Ngừng nhận tin nhắn"
    assert commands["xa"] == "Xem, đổi xã và thôn của tôi"
    assert commands["batdau"] == "Nhận tin nhắn lại sau khi đã ngừng"


async def test_a_button_press_is_acknowledged_and_answered(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "/menu")
    await server.wait_for("sendMessage")
    server.push_callback(CHAT, "hotline")
    await server.wait_for("answerCallbackQuery")
    await server.wait_for("sendMessage", count=2)
    assert "1900 9068" in server.sent(CHAT)[-1].text


@pytest.mark.parametrize("push", ["push_sticker", "push_photo", "push_voice"])
async def test_non_text_gets_a_polite_answer(
    server: FakeTelegram, bot: TelegramChannel, push: str
) -> None:
    getattr(server, push)(CHAT)
    await server.wait_for("sendMessage")
    assert "chỉ đọc được tin nhắn chữ" in server.sent(CHAT)[0].text


async def test_hostile_text_is_sent_back_as_plain_text(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "<b>{{ 7*7 }}</b> '; DROP TABLE contacts; --" + "x" * 4000)
    await server.wait_for("sendMessage")
    server.push_text(CHAT, "/start")
    await server.wait_for("sendMessage", count=2)
    assert all("49" not in m.text for m in server.sent(CHAT))


async def test_a_server_error_while_replying_is_retried_and_the_reply_arrives(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.fail_next("sendMessage", status=502, times=2)
    server.push_text(CHAT, "/help")
    await server.wait_for("sendMessage", predicate=lambda c: c.status == 200)
    assert [c.status for c in server.calls("sendMessage")] == [502, 502, 200]
    assert "Cách dùng" in (server.sent(CHAT)[0].text or "")


async def test_an_api_failure_while_replying_is_logged_and_the_bot_keeps_going(
    server: FakeTelegram, bot: TelegramChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    server.fail_next("sendMessage", status=400)
    server.push_text(CHAT, "/start")
    await server.wait_for("sendMessage", count=2)
    server.push_text(CHAT, "/help")
    await server.wait_for("sendMessage", predicate=lambda c: "Cách dùng" in str(c.params), count=1)
    assert any("error while handling" in r.message for r in caplog.records)


async def test_the_bot_uses_the_configured_api_url_for_files(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    application: Application = bot.application  # type: ignore[type-arg]
    server.add_file("f1", b"hello", "a.txt")
    file = await application.bot.get_file("f1")
    assert file.file_path is not None
    assert file.file_path.startswith(server.url)
    assert bytes(await file.download_as_bytearray()) == b"hello"
    assert json.dumps(server.commands)


async def test_id_tells_anyone_their_own_id_and_in_a_group_the_groups(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(7001, "/id")
    await server.wait_for("sendMessage")
    assert "Mã của bạn trên Telegram: 7001" in server.sent(7001)[-1].text
    assert "nhóm" not in server.sent(7001)[-1].text.split("\n")[1]
    server.push_text(-100555, "/id", user_id=7002)
    await server.wait_for("sendMessage", count=2)
    in_group = server.sent(-100555)[-1].text
    assert "Mã của bạn trên Telegram: 7002" in in_group
    assert "Mã của nhóm này: -100555" in in_group
    assert "loa officers chat" in in_group
