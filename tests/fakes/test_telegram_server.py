"""The fake Telegram server speaks the Bot API the way python-telegram-bot 22 expects."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakes.telegram_server import DEFAULT_TOKEN, GROUP_SENDER_ID, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Có", callback_data="remind:yes")],
        [InlineKeyboardButton("Không", callback_data="remind:no")],
    ]
)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        """Start at `now` (seconds since the epoch)."""
        self.now = now

    def __call__(self) -> float:
        """Return the current fake time."""
        return self.now


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: otherwise building RetryAfter warns (-> error)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    """Run a fake server for one test."""
    async with FakeTelegram() as fake:
        yield fake


def make_bot(server: FakeTelegram, token: str | None = None) -> Bot:
    """Return a PTB bot pointed at `server`."""
    return Bot(
        token or server.token,
        base_url=server.api_base_url,
        base_file_url=server.file_base_url,
    )


def message_of(update: Update) -> Message:
    """Return the update's message, failing the test if there is none."""
    assert update.message is not None
    return update.message


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    """Return an initialised PTB bot talking to the fake server."""
    async with make_bot(server) as ptb_bot:
        yield ptb_bot


# --- identity and setup ----------------------------------------------------------------------


async def test_get_me_returns_the_test_bot(bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "loa_test_bot", True)
    assert bot.username == "loa_test_bot"


async def test_another_token_is_rejected_as_invalid(server: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with make_bot(server, token="999:not-the-token"):
            pass

    assert server.calls("getMe")[0].status == 401


async def test_commands_are_stored_per_scope(server: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("help", "Hướng dẫn")])

    assert server.commands == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "help", "description": "Hướng dẫn"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert await bot.delete_my_commands() is True
    assert server.commands == []


async def test_delete_webhook_can_drop_pending_updates(server: FakeTelegram, bot: Bot) -> None:
    server.push_text(1, "cũ")

    assert (await bot.get_webhook_info()).url == ""
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert server.pending_updates == []


# --- sending ---------------------------------------------------------------------------------


async def test_send_message_with_inline_keyboard_is_echoed_and_recorded(
    server: FakeTelegram, bot: Bot
) -> None:
    first = await bot.send_message(42, "Bạn muốn nhận nhắc hạn BHYT?", reply_markup=KEYBOARD)
    second = await bot.send_message(42, "Cảm ơn bạn.")
    other_chat = await bot.send_message(-100123, "Xin chào cả nhóm")

    assert (first.message_id, second.message_id, other_chat.message_id) == (1, 2, 1)
    assert first.reply_markup == KEYBOARD
    assert first.from_user is not None
    assert first.from_user.id == 123456
    assert (first.chat.type, other_chat.chat.type) == ("private", "group")
    [sent, _] = server.sent(42)
    assert sent.text == "Bạn muốn nhận nhắc hạn BHYT?"
    assert sent.reply_markup == KEYBOARD.to_dict()
    assert server.calls("sendMessage")[0].params["chat_id"] == 42


async def test_edit_message_text_replaces_text_and_keyboard(server: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(7, "Chọn một mục", reply_markup=KEYBOARD)

    edited = await bot.edit_message_text("Đã chọn: Có", chat_id=7, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert (edited.text, edited.reply_markup) == ("Đã chọn: Có", None)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Đã chọn: Có", chat_id=7, message_id=sent.message_id)

    restored = await bot.edit_message_reply_markup(
        chat_id=7, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert not isinstance(restored, bool)
    assert restored.reply_markup == KEYBOARD
    stored = server.message(7, sent.message_id)
    assert stored is not None
    assert (stored["text"], stored["reply_markup"]) == ("Đã chọn: Có", KEYBOARD.to_dict())
    assert "edit_date" in stored


async def test_telegram_validation_errors_are_reproduced(bot: Bot) -> None:
    shown = await bot.send_message(1, "<b>Nhắc hạn</b> còn &lt;3 ngày", parse_mode="HTML")
    assert shown.text == "Nhắc hạn còn <3 ngày"

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1, "Phí < 100.000 đồng", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(1, "<div>Xin chào</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "a" * 4097)
    long_data = "gia hạn bảo hiểm y tế hộ gia đình năm 2025 cho cả nhà"  # 53 chars, 69 bytes
    assert len(long_data) <= 64 < len(long_data.encode())
    button = InlineKeyboardButton("Gia hạn", callback_data=long_data)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1, "Chọn", reply_markup=InlineKeyboardMarkup([[button]]))


async def test_send_document_upload_is_recorded_with_its_bytes(
    server: FakeTelegram, bot: Bot
) -> None:
    content = "Họ tên;Số BHXH\n".encode() + bytes(range(256))

    message = await bot.send_document(
        42, InputFile(content, filename="Danh sách.csv"), caption="Danh sách tháng 5"
    )
    await bot.send_document(43, message.document.file_id if message.document else "")

    [sent] = server.sent(42)
    assert sent.document is not None
    assert (sent.document.name, sent.document.content) == ("Danh sách.csv", content)
    assert sent.caption == "Danh sách tháng 5"
    assert message.document is not None
    assert message.document.file_name == "Danh sách.csv"
    assert message.document.file_size == len(content)
    [resent] = server.sent(43)
    assert resent.document is not None
    assert resent.document.content == content


async def test_send_photo_upload_is_recorded(server: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_photo(5, photo=b"\x89PNG fake image", caption="Mẫu thẻ BHYT")

    [sent] = server.sent(5)
    assert sent.photo is not None
    assert sent.photo.content == b"\x89PNG fake image"
    assert message.photo[-1].file_id == sent.photo.file_id
    assert message.caption == "Mẫu thẻ BHYT"


async def test_get_file_serves_bytes_over_the_file_url(server: FakeTelegram, bot: Bot) -> None:
    content = b"%PDF-1.4 to khai TK1-TS"
    server.push_document(42, "Tờ khai TK1-TS.pdf", content, "application/pdf")
    server.add_file("known-id", b"xyz", "ghi chu.txt")

    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    file = await update.message.document.get_file()

    assert file.file_path is not None
    assert file.file_path.startswith(server.file_base_url)
    assert bytes(await file.download_as_bytearray()) == content
    known = await bot.get_file("known-id")
    assert bytes(await known.download_as_bytearray()) == b"xyz"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("unknown-id")


# --- receiving -------------------------------------------------------------------------------


async def test_get_updates_long_poll_returns_a_pushed_update(
    server: FakeTelegram, bot: Bot
) -> None:
    started = time.perf_counter()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for("getUpdates")
    server.push_text(42, "/start ref_ubnd", first_name="Lan", username="lan_nguyen")

    [update] = await poll

    assert time.perf_counter() - started < 1.5
    assert update.message is not None
    assert update.message.text == "/start ref_ubnd"
    assert update.message.parse_entities() == {update.message.entities[0]: "/start"}
    assert update.message.from_user is not None
    assert update.message.from_user.username == "lan_nguyen"


async def test_get_updates_returns_nothing_after_the_timeout(bot: Bot) -> None:
    started = time.perf_counter()

    updates = await bot.get_updates(timeout=dt.timedelta(milliseconds=300))

    assert updates == ()
    assert 0.25 <= time.perf_counter() - started < 1.5


async def test_offset_confirms_updates_and_limit_caps_them(server: FakeTelegram, bot: Bot) -> None:
    server.push_text(1, "một")
    server.push_text(1, "hai")

    assert len(await bot.get_updates(limit=1)) == 1
    both = await bot.get_updates()
    assert len(both) == 2  # fetched but not confirmed: still pending
    [second] = await bot.get_updates(offset=both[0].update_id + 1)
    assert second.message is not None
    assert second.message.text == "hai"
    assert await bot.get_updates(offset=second.update_id + 1) == ()
    assert server.pending_updates == []


async def test_pushed_updates_parse_as_ptb_objects(server: FakeTelegram, bot: Bot) -> None:
    server.push_contact(5, "+84912345678")
    server.push_contact(5, "+84987654321", contact_user_id=6)
    server.push_photo(5)
    server.push_sticker(5)
    server.push_voice(5)
    server.push_text(-100500, "Xin chào nhóm")
    raw = server.push_raw({"message": {**server.pending_updates[0]["message"], "text": "thô"}})

    updates = await bot.get_updates()

    assert (
        [u.update_id for u in updates] == [1, 2, 3, 4, 5, 6, 7] == [*range(1, 7), raw["update_id"]]
    )
    own, other, photo, sticker, voice, group, _ = (message_of(u) for u in updates)
    assert own.contact is not None
    assert own.from_user is not None
    assert own.contact.user_id == own.from_user.id == 5
    assert other.contact is not None
    assert other.contact.user_id == 6
    assert photo.photo[-1].file_size == len(b"\xff\xd8\xff fake jpeg")
    assert sticker.sticker is not None
    assert sticker.sticker.type == "regular"
    assert voice.voice is not None
    assert voice.voice.duration == dt.timedelta(seconds=3)
    assert group.chat.type == "group"
    assert group.from_user is not None
    assert group.from_user.id == GROUP_SENDER_ID
    assert [m.message_id for m in (own, other, photo, sticker, voice, group)] == [1, 2, 3, 4, 5, 1]


async def test_callback_query_refers_to_the_last_bot_message(
    server: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(42, "Bạn muốn nhận nhắc hạn?", reply_markup=KEYBOARD)
    server.push_callback(42, "remind:yes")

    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert (query.data, query.from_user.id) == ("remind:yes", 42)
    assert query.message is not None
    assert query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query.id, text="Đã ghi nhận") is True
    [call] = server.calls("answerCallbackQuery")
    assert call.params == {"callback_query_id": query.id, "text": "Đã ghi nhận"}
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query("never-issued")


async def test_push_callback_needs_a_bot_message(server: FakeTelegram) -> None:
    with pytest.raises(ValueError, match="no message"):
        server.push_callback(42, "remind:yes")


# --- request formats -------------------------------------------------------------------------


async def test_form_json_and_multipart_bodies_decode_alike(server: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "Có", "callback_data": "1"}]]}
    url = f"{server.api_base_url}{server.token}"
    form = aiohttp.FormData()
    form.add_field("chat_id", "3")
    form.add_field("caption", "123")
    form.add_field("document", b"abc", filename="a.txt", content_type="text/plain")

    async with aiohttp.ClientSession() as http:
        posts = [
            http.post(
                f"{url}/SENDMESSAGE",
                data={"chat_id": "1", "text": "123", "reply_markup": json.dumps(markup)},
            ),
            http.post(
                f"{url}/sendmessage", json={"chat_id": 2, "text": "123", "reply_markup": markup}
            ),
            http.post(f"{url}/sendDocument", data=form),
        ]
        for post in posts:
            async with post as response:
                assert (await response.json())["ok"] is True
        broken = http.post(
            f"{url}/sendMessage", data=b"{", headers={"Content-Type": "application/json"}
        )
        async with broken as response:
            assert response.status == 400

    by_chat = {message.chat_id: message for message in server.sent()}
    assert by_chat[1].text == by_chat[2].text == "123"  # text stays a string
    assert by_chat[1].reply_markup == by_chat[2].reply_markup == markup
    assert by_chat[3].caption == "123"
    assert by_chat[3].document is not None
    assert by_chat[3].document.content == b"abc"
    assert by_chat[3].document.mime_type == "text/plain"
    assert [(call.method, call.status) for call in server.calls()] == [
        ("sendMessage", 200),
        ("sendMessage", 200),
        ("sendDocument", 200),
        ("sendMessage", 400),
    ]


# --- faults ----------------------------------------------------------------------------------


async def test_429_surfaces_as_retry_after(server: FakeTelegram, bot: Bot) -> None:
    server.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "Nhắc hạn")
    await bot.send_message(1, "Nhắc hạn")  # only the next call failed

    assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert [call.status for call in server.calls("sendMessage")] == [429, 200]
    assert server.stats.rejected_429 == 1


async def test_blocked_chat_answers_forbidden(server: FakeTelegram, bot: Bot) -> None:
    server.block(9)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(9, "Xin chào")
    await bot.send_message(10, "Xin chào")

    assert [m.chat_id for m in server.sent()] == [10]


async def test_502_and_outage_surface_as_network_error(server: FakeTelegram, bot: Bot) -> None:
    server.fail_next("sendMessage", status=502, chat_id=2)
    await bot.send_message(1, "không bị lỗi")  # another chat: the fault waits
    with pytest.raises(NetworkError) as injected:
        await bot.send_message(2, "lỗi")
    server.set_outage(True)
    with pytest.raises(NetworkError) as outage:
        await bot.get_me()
    server.set_outage(False)
    await bot.send_message(2, "lại được")

    assert injected.type is NetworkError
    assert "Bad Gateway" in str(injected.value)
    assert outage.type is NetworkError
    assert [m.text for m in server.sent()] == ["không bị lỗi", "lại được"]


async def test_delay_next_provokes_a_client_timeout(server: FakeTelegram, bot: Bot) -> None:
    server.delay_next("sendMessage", 5)

    with pytest.raises(TimedOut):
        await bot.send_message(1, "chậm", read_timeout=0.2)
    await bot.send_message(1, "nhanh")

    assert [m.text for m in server.sent()] == ["nhanh"]


async def test_wait_for_failure_lists_the_calls_received(server: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(1, "xin chào")

    pattern = re.compile(
        r"expected 1 sendDocument call\(s\).*got 0.*sendMessage -> 200.*xin chào", re.S
    )
    with pytest.raises(AssertionError, match=pattern):
        await server.wait_for("sendDocument", timeout=0.1)


async def test_stop_wakes_a_long_poll(server: FakeTelegram) -> None:
    url = f"{server.api_base_url}{server.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        poll = asyncio.create_task(http.post(url, json={"timeout": 30}))
        await server.wait_for("getUpdates")
        started = time.perf_counter()
        await server.stop()
        response = await poll
        body = await response.json()
        response.release()

    assert time.perf_counter() - started < 1.0
    assert body == {"ok": True, "result": []}


# --- rate limits -----------------------------------------------------------------------------


async def test_rate_limit_rejects_the_31st_message_within_a_second() -> None:
    clock = FakeClock()
    server = FakeTelegram(limit_per_second=30, clock=clock)
    async with server, make_bot(server) as bot:
        for chat_id in range(1, 31):
            await bot.send_message(chat_id, "Nhắc hạn đóng BHYT")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(31, "Nhắc hạn đóng BHYT")
        clock.now += 1.0
        await bot.send_message(31, "Nhắc hạn đóng BHYT")

    assert caught.value.retry_after == dt.timedelta(seconds=1)
    assert (server.stats.sent, server.stats.rejected_429, len(server.sent())) == (31, 1, 31)
    assert server.stats.first_send_at == clock.now - 1.0
    assert server.stats.last_send_at == clock.now


async def test_per_chat_limit_slides_with_time() -> None:
    clock = FakeClock()
    server = FakeTelegram(limit_per_chat_per_second=1, clock=clock)
    async with server, make_bot(server) as bot:
        await bot.send_message(1, "một")
        await bot.send_message(2, "một")  # another chat has its own window
        clock.now += 0.5
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "hai")
        await bot.send_chat_action(1, "typing")  # not a message: never limited
        clock.now += 0.5
        await bot.send_message(1, "hai")

    assert [(m.chat_id, m.text) for m in server.sent()] == [(1, "một"), (2, "một"), (1, "hai")]
    assert server.stats.per_method == {"getMe": 1, "sendMessage": 4, "sendChatAction": 1}


# --- the pattern end-to-end tests use --------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the resident's text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"Bạn nói: {update.effective_message.text}")


async def test_application_polls_and_echoes_a_pushed_text(server: FakeTelegram) -> None:
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.api_base_url)
        .base_file_url(server.file_base_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    assert app.updater is not None
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        server.push_text(42, "xin chào")
        await server.wait_for("sendMessage")
    finally:
        started = time.perf_counter()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        shutdown_seconds = time.perf_counter() - started

    assert shutdown_seconds < 2.0
    assert [m.text for m in server.sent(42)] == ["Bạn nói: xin chào"]
    assert server.pending_updates == []  # the last getUpdates confirmed the update


# --- standalone ------------------------------------------------------------------------------


@pytest.mark.slow
async def test_cli_serves_until_sigterm_and_prints_stats() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "tests.fakes.telegram_server", "--port", "0", "--limit", "30", "--per-chat", "1"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    ready = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().split()
    assert ready[0] == "READY"
    assert ready[1].startswith("http://127.0.0.1:")
    url = ready[1]

    bot = Bot(DEFAULT_TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")
    async with bot, aiohttp.ClientSession() as http:
        await bot.send_message(7, "một")
        with pytest.raises(RetryAfter):
            await bot.send_message(7, "hai")
        async with http.post(
            f"{url}/_fake/updates",
            json={
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 7, "type": "private"},
                    "text": "hi",
                }
            },
        ) as response:
            assert (await response.json())["update_id"] == 1
        [update] = await bot.get_updates()
        async with http.get(f"{url}/_fake/sent") as response:
            sent = await response.json()
        async with http.get(f"{url}/_fake/stats") as response:
            live_stats = await response.json()

    process.send_signal(signal.SIGTERM)
    out, _ = await asyncio.wait_for(process.communicate(), 10)
    final_stats = json.loads(out.decode().strip().splitlines()[-1])

    assert update.message is not None
    assert update.message.text == "hi"
    assert [(m["chat_id"], m["text"]) for m in sent] == [(7, "một")]
    assert live_stats["sent"] == final_stats["sent"] == 1
    assert final_stats["rejected_429"] == 1
    assert process.returncode == 0
