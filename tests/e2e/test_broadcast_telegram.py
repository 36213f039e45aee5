"""An officer broadcasts to 200 residents of their commune over Telegram and gets the report.

The real serve() runs polling, the broadcast runner and the outbox sender against the fake
Bot API; the officer walks the five steps of /broadcast with buttons and a typed message
(refused once, then fixed; a past time refused), then asks /stats. A second test closes and
reopens Loa on the same database in the middle of the flow: the draft is still there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from bot.app import Loa, open_loa, serve
from bot.clock import FixedClock
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import Call, FakeTelegram
from tests.officer_helpers import add_officer
from tests.officers.broadcasts.seed import Person, seed

OFFICER = 7001
RESIDENT = 10_000  # the first of 200 residents of Ea Tul; 10 of them opted out
OUTSIDER = 20_000  # 20 residents of Cư Né
STOPPED = {RESIDENT + i for i in range(0, 200, 20)}
STRANGER = 30_000  # a resident who is not an officer
MESSAGE = "Chào {{ ten }} ({{ thon }}), thẻ BHYT hết hạn {{ han_the }}."


@asynccontextmanager
async def running(
    server: FakeTelegram, db_path: Path, clock: FixedClock, *, fresh: bool
) -> AsyncIterator[Loa]:
    """Loa serving the fake server until the block ends; a fresh one gets the officer and people."""
    settings = fake_settings(server, db_path, TELEGRAM_RATE="1000")
    async with open_loa(settings, clock=clock) as loa:
        if fresh:
            await add_officer(loa.store, OFFICER, "Cán bộ", "Ea Tul", clock.now())
            await seed(loa.store.db, _people(), clock.now())
        stop = asyncio.Event()
        task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
        try:
            yield loa
        finally:
            stop.set()
            await task


def _people() -> list[Person]:
    """200 residents of Ea Tul in five villages (10 opted out) and 20 of Cư Né."""
    return [
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


class Chat:
    """One person's private chat with Loa: what they send and the replies they get."""

    def __init__(self, server: FakeTelegram, user: int) -> None:
        self.server = server
        self.user = user
        self.replies = 0
        self.buttons: list[tuple[str, str]] = []

    async def say(self, text: str) -> str:
        """Send a text and return Loa's reply."""
        self.server.push_text(self.user, text)
        return await self.reply()

    async def press(self, label: str) -> str:
        """Press a button of the last reply and return Loa's answer."""
        (payload,) = [data for shown, data in self.buttons if shown == label]
        return await self.press_payload(payload)

    async def press_payload(self, payload: str) -> str:
        """Press a button by its payload (on the last message) and return Loa's answer.

        A broadcast screen changes in place: the pressed message is edited into the next one.
        """
        edits = self._edits()
        self.server.push_callback(self.user, payload, user_id=self.user)
        await self.server.wait_for("editMessageText", self._mine, count=edits + 1, timeout=15)
        (edit,) = self.server.calls("editMessageText")[-1:]
        assert edit.status == 200
        shown = self.server.message(self.user, int(edit.params["message_id"]))
        assert shown is not None
        self.buttons = _buttons(shown.get("reply_markup"))
        return str(shown["text"])

    def _mine(self, call: Call) -> bool:
        return str(call.params.get("chat_id")) == str(self.user)

    def _edits(self) -> int:
        return len([c for c in self.server.calls("editMessageText") if self._mine(c)])

    async def reply(self) -> str:
        """Wait for the next message to this chat; remember its buttons."""
        self.replies += 1
        await self.server.wait_for(
            "sendMessage",
            lambda c: str(c.params.get("chat_id")) == str(self.user),
            count=self.replies,
            timeout=15,
        )
        last = [m for m in self.server.sent(self.user) if m.method == "sendMessage"][-1]
        self.buttons = _buttons(last.reply_markup)
        assert last.text is not None
        return last.text

    def labels(self) -> list[str]:
        """Return the labels of the last reply's buttons."""
        return [label for label, _ in self.buttons]


def _buttons(markup: object) -> list[tuple[str, str]]:
    if markup is None:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    assert isinstance(markup, dict)
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_officer_broadcasts_to_their_commune_and_gets_the_report(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    async with running(server, db_path, clock, fresh=True):
        await _walk_and_send(server)


async def _walk_and_send(server: FakeTelegram) -> None:
    stranger = Chat(server, STRANGER)
    refused = await stranger.say("/broadcast xa=*\nMua thẻ đi {{ ten }}")
    assert "không có quyền" in refused.lower() or "không được" in refused.lower()

    officer = Chat(server, OFFICER)
    start = await officer.say("/broadcast")
    assert "bước 1/5" in start
    assert "Sẽ gửi cho: 190 người (bỏ qua 10 người" in start
    assert {f"Thôn {n}" for n in range(1, 6)} <= set(officer.labels())
    village = await officer.press("Thôn 2")
    assert "Sẽ gửi cho: 40 người." in village
    both = await officer.press("Thẻ hết hạn")
    assert "Đối tượng: cả xã · Thôn 2 · thẻ BHYT đã hết hạn" in both
    assert "Sẽ gửi cho: 40 người." in both
    expiring = await officer.press("Sắp hết hạn (30 ngày)")  # replaces "expired"
    assert "Sẽ gửi cho: 0 người." in expiring
    everyone = await officer.press("👥 Mọi người")
    assert "Sẽ gửi cho: 190 người (bỏ qua 10 người" in everyone

    ask = await officer.press("Tiếp ➡")
    assert "bước 2/5" in ask
    assert "{{ han_the }}" in ask
    await stranger.say("thẻ bhyt hết hạn thì làm sao")  # a resident's text: engine
    await stranger.reply()  # the place question follows a first answer
    _, answer, asked = [m.text for m in server.sent(STRANGER)]
    assert "Chưa dùng được" not in (answer or "")
    assert "sống ở xã nào" in (asked or "")
    unknown = await officer.say("Chào {{ tuoi }}")
    assert "Không có trường “tuoi”" in unknown
    assert "hãy gõ lại nội dung" in unknown
    hostile = await officer.say("Chào {{ ''.__class__ }}")
    assert "Chưa dùng được nội dung này" in hostile

    preview = await officer.say(MESSAGE)
    assert "bước 3/5" in preview
    assert "Sẽ gửi cho: 190 người." in preview
    assert "Bỏ qua vì đã dừng nhận tin hoặc chặn bot: 10 người." in preview
    assert "Chào 1 (Thôn 2), thẻ BHYT hết hạn 01/10/2026." in preview
    assert "Chào 2 (Thôn 3), thẻ BHYT hết hạn 01/10/2026." in preview

    when = await officer.press("Tiếp ➡")
    assert "bước 4/5" in when
    await officer.press("🕒 Chọn giờ khác")
    past = await officer.say("24/11/2026 10:00")
    assert "Thời điểm gửi đã qua" in past
    garbled = await officer.say("sáng mai")
    assert "dd/mm/yyyy HH:MM" in garbled
    await officer.press("⬅ Quay lại")
    confirm = await officer.press("📤 Gửi ngay")
    assert "bước 5/5" in confirm
    assert "Số người nhận: 190" in confirm
    assert "Bắt đầu: 09:00 25/11/2026" in confirm
    assert "Khẩn: không" in confirm
    assert all(len(data.encode()) <= 64 for _, data in officer.buttons)

    created = await officer.press("✅ Xác nhận gửi")
    assert "Đã lên lịch đợt gửi số 1 cho 190 người" in created
    report = await officer.reply()
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
    assert [m.text for m in server.sent(STRANGER)] == [refused, answer, asked]  # nothing else

    listing = await officer.say("/broadcasts")
    assert "• Số 1 – đã xong – 09:00 25/11/2026 – mọi người – đã gửi 190/190" in listing
    assert "📊 Báo cáo số 1" in officer.labels()

    summary = await officer.say("/stats")
    await server.wait_for("sendPhoto")
    assert "Người dân trong danh sách: 200, đã liên kết với bot: 200." in summary
    assert "Đợt gửi tin: 1, đã gửi 190 tin, lỗi 0." in summary
    (photo,) = [m for m in server.sent(OFFICER) if m.method == "sendPhoto"]
    assert photo.photo is not None
    assert photo.photo.content.startswith(b"\x89PNG")


async def test_a_restart_in_the_middle_of_the_flow_keeps_the_draft(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    officer = Chat(server, OFFICER)
    async with running(server, db_path, clock, fresh=True):
        await officer.say("/broadcast")
        await officer.press("Thôn 3")
        ask = await officer.press("Tiếp ➡")
        assert "bước 2/5" in ask
        before_restart = dict(officer.buttons)

    async with running(server, db_path, clock, fresh=False) as loa:
        preview = await officer.say(MESSAGE)
        assert "Đối tượng: cả xã · Thôn 3" in preview
        assert "Sẽ gửi cho: 40 người." in preview
        dropped = await officer.press_payload(before_restart["✖️ Bỏ bản nháp"])
        assert "Đã bỏ bản nháp" in dropped
        assert await loa.store.broadcasts.latest() == []
        assert await loa.store.drafts.get(OFFICER, clock.now()) is None


async def test_a_screen_that_cannot_be_edited_is_sent_anew(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    officer = Chat(server, OFFICER)
    async with running(server, db_path, clock, fresh=True):
        await officer.say("/broadcast")
        server.fail_next(
            "editMessageText", status=400, description="Bad Request: message can't be edited"
        )
        officer.server.push_callback(OFFICER, dict(officer.buttons)["Thôn 2"], user_id=OFFICER)
        screen = await officer.reply()  # the edit failed: the same screen came as a new message
        assert "Sẽ gửi cho: 40 người." in screen
        assert "Thôn 2" in screen


async def test_huy_drops_the_draft_and_the_next_text_goes_to_the_engine(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    officer = Chat(server, OFFICER)
    async with running(server, db_path, clock, fresh=True) as loa:
        await officer.say("/broadcast")
        ask = await officer.press("Tiếp ➡")
        assert "Gõ “hủy” để bỏ bản nháp." in ask
        dropped = await officer.say("/huy")
        assert "Đã bỏ bản nháp" in dropped
        assert await loa.store.drafts.get(OFFICER, clock.now()) is None
        answer = await officer.say("xin chào")  # no draft: Loa answers as to anyone
        assert "Bước" not in answer
        assert "Xin chào" in answer
