"""The guided /broadcast flow on a real database: five steps, refusals, stale buttons, restart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Loa
from bot.clock import VIETNAM, FixedClock
from bot.core.audience import Scope, parse_audience
from bot.core.places import place_key
from bot.core.types import Reply
from bot.officers.broadcasts.choices import merge_typed, parse_local_time
from bot.officers.broadcasts.desk import BroadcastDesk
from bot.store.drafts import DraftStep
from bot.store.outbox import Outcome

OFFICER = "telegram:7001"
CHAT = str(OFFICER)
EA_TUL = Scope.commune(place_key("Ea Tul"))
ADMIN = Scope.everywhere()
TEXT = "Chào {{ ten }}, thẻ hết hạn {{ han_the }}."


class Officer:
    """One officer's side of the conversation: sends commands, presses buttons, types."""

    def __init__(self, desk: BroadcastDesk, clock: FixedClock, scope: Scope = EA_TUL) -> None:
        self.desk = desk
        self.clock = clock
        self.scope = scope
        self.user = OFFICER
        self.last = Reply("")

    def _seen(self, reply: Reply) -> Reply:
        for button in reply.buttons:
            assert len(button.payload.encode("utf-8")) <= 64, button
        self.last = reply
        return reply

    async def command(self, args: str = "", chat: str = CHAT) -> Reply:
        reply = await self.desk.command(
            self.user, chat, self.scope, "broadcast", args, self.clock.now()
        )
        return self._seen(reply)

    def payload(self, label: str, reply: Reply | None = None) -> str:
        buttons = (reply or self.last).buttons
        found = [b.payload for b in buttons if b.label == label]
        assert found, f"no button {label!r} in {[b.label for b in buttons]}"
        return found[0]

    async def press(self, label: str, reply: Reply | None = None) -> Reply:
        return await self.press_payload(self.payload(label, reply))

    async def press_payload(self, payload: str) -> Reply:
        reply = await self.desk.button(self.user, self.scope, payload, self.clock.now())
        return self._seen(reply)

    async def type(self, text: str) -> Reply:
        assert await self.desk.awaits_text(self.user, self.clock.now())
        return self._seen(await self.desk.text(self.user, self.scope, text, self.clock.now()))

    def labels(self) -> list[str]:
        return [b.label for b in self.last.buttons]


@pytest.fixture
def officer(seeded: Loa, clock: FixedClock) -> Officer:
    assert seeded.officers.broadcasts is not None
    return Officer(seeded.officers.broadcasts, clock)


async def _step(loa: Loa, clock: FixedClock, user: int = OFFICER) -> DraftStep | None:
    draft = await loa.store.drafts.get(user, clock.now())
    return draft.step if draft is not None else None


async def test_officer_walks_the_five_steps_with_buttons(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    start = await officer.command()
    assert "Sẽ gửi cho: 4 người (bỏ qua 2 người đã dừng nhận tin hoặc chặn bot)." in start.text
    assert {"Thôn 1", "Thôn 2", "Thẻ hết hạn", "👥 Mọi người", "Tiếp ➡"} <= set(officer.labels())
    assert not any("Buôn Kmu" in label for label in officer.labels())  # another commune's

    village = await officer.press("Thôn 1")
    assert "Đối tượng: cả xã · Thôn 1" in village.text
    assert "Sẽ gửi cho: 2 người (bỏ qua 1 người" in village.text
    assert "✅ Thôn 1" in officer.labels()
    both = await officer.press("Thẻ hết hạn")
    assert "Đối tượng: cả xã · Thôn 1 · thẻ BHYT đã hết hạn" in both.text
    assert "Sẽ gửi cho: 1 người (bỏ qua 1 người" in both.text  # Hoa blocked the bot

    message = await officer.press("Tiếp ➡")
    assert "bước 2/5" in message.text
    assert "{{ han_the }}" in message.text
    assert "{{ thon }}" in message.text
    assert await _step(seeded, clock) is DraftStep.MESSAGE

    preview = await officer.type(TEXT)
    assert "bước 3/5" in preview.text
    assert "Sẽ gửi cho: 1 người." in preview.text
    assert "Chào Lan, thẻ hết hạn 01/10/2026." in preview.text
    assert {"✏️ Sửa nội dung", "🎯 Sửa đối tượng", "✖️ Bỏ bản nháp"} <= set(officer.labels())

    when = await officer.press("Tiếp ➡")
    assert "bước 4/5" in when.text
    assert {"📤 Gửi ngay", "🌅 Gửi 8:00 sáng mai", "🕒 Chọn giờ khác"} <= set(officer.labels())
    confirm = await officer.press("📤 Gửi ngay")
    assert "bước 5/5" in confirm.text
    assert "Số người nhận: 1" in confirm.text
    assert "Bắt đầu: 09:00 25/11/2026" in confirm.text
    assert "Khẩn: không" in confirm.text

    created = await officer.press("✅ Xác nhận gửi")
    assert "Đã lên lịch đợt gửi số 1 cho 1 người, bắt đầu lúc 09:00 25/11/2026" in created.text
    assert "⏸ Tạm dừng số 1" in officer.labels()
    (stored,) = await seeded.store.broadcasts.latest()
    assert (stored.audience, stored.template, stored.urgent) == (
        "thon=Thôn 1; the=het_han",
        TEXT,
        False,
    )
    assert stored.notify_chat == CHAT
    assert stored.communes == (place_key("Ea Tul"),)
    assert await _step(seeded, clock) is None


async def test_a_bad_message_is_refused_with_the_reason_and_the_draft_waits(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    await officer.command()
    await officer.press("Tiếp ➡")
    for bad, reason in (
        ("Xin chào {{ ''.__class__ }}", "không dùng"),
        ("Chào {{ tuoi }}", "Không có trường “tuoi”"),
        ("Chào {{ ten", "sai cú pháp"),
    ):
        refused = await officer.type(bad)
        assert reason in refused.text
        assert "hãy gõ lại nội dung" in refused.text
        assert await _step(seeded, clock) is DraftStep.MESSAGE
    preview = await officer.type(TEXT)
    assert "Sẽ gửi cho: 4 người." in preview.text
    assert await _step(seeded, clock) is DraftStep.PREVIEW

    again = await officer.press("✏️ Sửa nội dung")
    assert TEXT in again.text  # the current message is shown
    kept = await officer.press("↩️ Giữ nội dung cũ")
    assert "Sẽ gửi cho: 4 người." in kept.text


async def test_typed_conditions_combine_with_buttons_and_stay_in_the_commune(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    await officer.command()
    await officer.press("Thôn 1")
    prompt = await officer.press("⌨️ Gõ điều kiện")
    assert "the=het_han>N" in prompt.text
    assert await _step(seeded, clock) is DraftStep.AUDIENCE_TEXT

    outside = await officer.type("xa=Cư Né")
    assert "Cán bộ xã chỉ được gửi cho xã của mình." in outside.text
    broken = await officer.type("the=hết")
    assert "không hợp lệ" in broken.text
    assert await _step(seeded, clock) is DraftStep.AUDIENCE_TEXT

    merged = await officer.type("the=het_han>30")
    assert "Đối tượng: cả xã · Thôn 1 · thẻ BHYT đã hết hạn hơn 30 ngày" in merged.text
    assert "Sẽ gửi cho: 1 người." in merged.text
    everyone = await officer.press("👥 Mọi người")
    assert "Đối tượng: cả xã\n" in everyone.text
    assert "Sẽ gửi cho: 4 người" in everyone.text
    voluntary = await officer.press("Quan tâm: BHXH tự nguyện")
    assert "Sẽ gửi cho: 1 người." in voluntary.text
    unlinked = await officer.press("Chưa liên kết")
    assert "đăng ký quan tâm BHXH tự nguyện · chưa liên kết với danh sách" in unlinked.text
    off = await officer.press("✅ Chưa liên kết")
    assert "chưa liên kết" not in off.text


async def test_times_past_or_malformed_are_refused_and_quiet_hours_apply(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    await officer.command(f"-\n{TEXT}")
    await officer.press("Tiếp ➡")
    await officer.press("🕒 Chọn giờ khác")
    for typed, reason in (
        ("20/11/2026 10:00", "đã qua"),
        ("mai 9 giờ", "dd/mm/yyyy HH:MM"),
        ("31/02/2027 10:00", "Không có ngày giờ"),
    ):
        refused = await officer.type(typed)
        assert reason in refused.text
        assert await _step(seeded, clock) is DraftStep.WHEN_TEXT

    late = await officer.type("26/11/2026 21:30")
    assert "Bắt đầu: 08:00 27/11/2026 (ngoài giờ gửi" in late.text
    urgent = await officer.press("🚨 Đánh dấu khẩn")
    assert "Bắt đầu: 21:30 26/11/2026\n" in urgent.text
    assert "Khẩn: có" in urgent.text
    await officer.press("✅ Xác nhận gửi")
    (stored,) = await seeded.store.broadcasts.latest()
    assert stored.urgent
    assert stored.start_at.astimezone(VIETNAM).strftime("%d/%m %H:%M") == "26/11 21:30"


async def test_morning_and_urgent_buttons(officer: Officer, seeded: Loa) -> None:
    await officer.command(f"-\n{TEXT}")
    await officer.press("Tiếp ➡")
    morning = await officer.press("🌅 Gửi 8:00 sáng mai")
    assert "Bắt đầu: 08:00 26/11/2026" in morning.text
    await officer.press("⬅ Đổi thời điểm")
    urgent = await officer.press("🚨 Gửi ngay (khẩn, bỏ qua giờ yên lặng)")
    assert "Khẩn: có" in urgent.text
    assert "Bắt đầu: 09:00 25/11/2026" in urgent.text


async def test_old_foreign_and_earlier_step_buttons_answer_politely(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    first = await officer.command()
    old_village = officer.payload("Thôn 1", first)
    second = await officer.command()  # a new draft replaces the first
    gone = await officer.press_payload(old_village)
    assert "Bản nháp này không còn nữa" in gone.text

    screen = await officer.press("Tiếp ➡", second)  # now at the message step

    stranger = Officer(officer.desk, clock)
    stranger.user = 7002
    foreign = await stranger.press_payload(officer.payload("✖️ Bỏ bản nháp", screen))
    assert "Bản nháp này không còn nữa" in foreign.text
    assert await _step(seeded, clock) is DraftStep.MESSAGE  # untouched


async def test_a_button_of_an_earlier_step_shows_where_the_draft_is(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    audience = await officer.command()
    await officer.press("Tiếp ➡")
    earlier = await officer.press("Thôn 1", audience)
    assert "Nút đó thuộc một bước trước" in earlier.text
    assert "bước 2/5" in earlier.text
    assert await _step(seeded, clock) is DraftStep.MESSAGE


async def test_confirming_twice_creates_one_broadcast(officer: Officer, seeded: Loa) -> None:
    await officer.command(f"-\n{TEXT}")
    await officer.press("Tiếp ➡")
    confirm = await officer.press("📤 Gửi ngay")
    await officer.press("✅ Xác nhận gửi", confirm)
    again = await officer.press("✅ Xác nhận gửi", confirm)
    assert "Bản nháp này không còn nữa" in again.text
    assert len(await seeded.store.broadcasts.latest()) == 1


async def test_drop_and_back_buttons(officer: Officer, seeded: Loa, clock: FixedClock) -> None:
    await officer.command(f"-\n{TEXT}")
    await officer.press("Tiếp ➡")
    back = await officer.press("⬅ Quay lại")
    assert "bước 3/5" in back.text
    audience = await officer.press("🎯 Sửa đối tượng")
    assert "bước 1/5" in audience.text
    dropped = await officer.press("✖️ Bỏ bản nháp")
    assert "Đã bỏ bản nháp" in dropped.text
    assert await _step(seeded, clock) is None
    assert not await officer.desk.awaits_text(OFFICER, clock.now())
    assert await seeded.store.broadcasts.latest() == []


async def test_the_one_message_form_jumps_to_the_preview(officer: Officer, seeded: Loa) -> None:
    preview = await officer.command(f"thon=Thôn 2\n{TEXT}")
    assert "bước 3/5" in preview.text
    assert "Sẽ gửi cho: 2 người." in preview.text  # Mai, and Tâm from her registration
    message = await officer.command("the=het_han")
    assert "bước 2/5" in message.text
    refused = await officer.command(f"xa=Cư Né\n{TEXT}")
    assert "Cán bộ xã chỉ được gửi cho xã của mình." in refused.text
    group = await officer.command("", chat="-100200")
    assert "chat riêng" in group.text
    in_group = await officer.command(f"-\n{TEXT}", chat="-100200")
    assert "Sẽ gửi cho: 4 người." in in_group.text
    assert "✏️ Sửa nội dung" not in officer.labels()  # typing works in the private chat only


async def test_administrators_pick_communes_first(seeded: Loa, clock: FixedClock) -> None:
    assert seeded.officers.broadcasts is not None
    admin = Officer(seeded.officers.broadcasts, clock, ADMIN)
    start = await admin.command()
    assert "bước 1/5: chọn xã" in start.text
    assert {"Ea Tul", "Cư Né", "Mọi xã"} <= set(admin.labels())
    nothing = await admin.press("Tiếp ➡")
    assert "Hãy chọn ít nhất một xã" in nothing.text

    await admin.press("Ea Tul")
    await admin.press("Cư Né")
    two = await admin.press("Tiếp ➡")
    assert "Đối tượng: xã Ea Tul, Cư Né" in two.text
    assert "Sẽ gửi cho: 6 người" in two.text
    assert "Thôn 1" not in admin.labels()  # villages only for one commune

    await admin.press("⬅ Quay lại")
    await admin.press("✅ Ea Tul")
    one = await admin.press("Tiếp ➡")
    assert "Đối tượng: xã Cư Né" in one.text
    assert "Buôn Kmu" in admin.labels()

    await seeded.store.contacts.touch("telegram", "55555", "Chỉ mới /start", clock.now())
    await admin.press("⬅ Quay lại")
    await admin.press("Mọi xã")
    every = await admin.press("Tiếp ➡")
    assert "Đối tượng: mọi xã" in every.text
    assert "Sẽ gửi cho: 7 người" in every.text  # the six, and one whose commune is not known

    await admin.press("⬅ Quay lại")
    await admin.press("Chưa rõ xã")
    unknown = await admin.press("Tiếp ➡")
    assert "Đối tượng: người chưa rõ xã" in unknown.text
    assert "Sẽ gửi cho: 1 người" in unknown.text


async def test_a_restart_keeps_the_draft_and_a_day_old_one_is_gone(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    await officer.command()
    await officer.press("Thôn 2")
    message = await officer.press("Tiếp ➡")
    restarted = BroadcastDesk(
        officer.desk.service, officer.desk.renderer, VIETNAM, seeded.store.drafts
    )
    officer.desk = restarted
    preview = await officer.type(TEXT)
    assert "Đối tượng: cả xã · Thôn 2" in preview.text
    assert "Sẽ gửi cho: 2 người." in preview.text

    clock.advance(timedelta(days=1, minutes=1))
    assert not await restarted.awaits_text(OFFICER, clock.now())
    gone = await officer.press("⬅ Quay lại", message)
    assert "Bản nháp này không còn nữa" in gone.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("26/11/2026 09:30", "26/11/2026 09:30"),
        ("6/1/2027 7:05", "06/01/2027 07:05"),
        ("26/11/2026 lúc 9h30", "26/11/2026 09:30"),
    ],
)
def test_typed_times_are_read_in_vietnam_time(typed: str, expected: str) -> None:
    at = parse_local_time(typed, VIETNAM)
    assert at.utcoffset() == timedelta(hours=7)
    assert at.strftime("%d/%m/%Y %H:%M") == expected


def test_typed_conditions_replace_only_their_own_kind() -> None:
    chosen = parse_audience("thon=Thôn 1; the=het_han; lien_ket=co")
    merged = merge_typed(chosen, "the=het_han>90; quan_tam=student")
    assert merged.text() == "thon=Thôn 1; the=het_han>90; quan_tam=student; lien_ket=co"


HOSTILE = (
    "",
    "   ",
    "<b>đậm</b><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in range(9) %}x{% endfor %}",
    "'; DROP TABLE broadcasts; --",
    "xa=*; DROP TABLE residents",
    "\x00\x07\x1b[31m",
    "🙂🙂🙂",
    "x" * 5000,
)


async def test_hostile_text_at_every_typed_step_gets_an_answer_and_keeps_the_draft(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    await officer.command()
    await officer.press("⌨️ Gõ điều kiện")
    for text in HOSTILE:  # a typed condition
        assert (await officer.type(text)).text
        assert await _step(seeded, clock) in (DraftStep.AUDIENCE_TEXT, DraftStep.AUDIENCE)
        if await _step(seeded, clock) is DraftStep.AUDIENCE:
            await officer.press("⌨️ Gõ điều kiện")
    draft = await seeded.store.drafts.get(OFFICER, clock.now())
    assert draft is not None
    assert "*" not in draft.audience  # "xa=*" was refused: still inside Ea Tul
    await officer.press("⬅ Quay lại")
    await officer.press("Tiếp ➡")
    for text in HOSTILE:  # the message: refused or accepted as plain text, never run
        reply = await officer.type(text)
        assert reply.text
        assert "49" not in reply.text
        if await _step(seeded, clock) is DraftStep.PREVIEW:
            await officer.press("✏️ Sửa nội dung")
    await officer.type(TEXT)
    await officer.press("Tiếp ➡")
    await officer.press("🕒 Chọn giờ khác")
    for text in HOSTILE:  # a time
        assert (await officer.type(text)).text
        assert await _step(seeded, clock) is DraftStep.WHEN_TEXT
    for payload in (
        "off:bc:d:",
        "off:bc:d:zz:a:v:1",
        "off:bc:d:x:y:z:" + "9" * 60,
        "off:bc:pause:x",
    ):
        assert (await officer.press_payload(payload)).text
    assert await seeded.store.broadcasts.latest() == []
    assert await seeded.store.residents.count() > 0  # nothing was dropped


@pytest.mark.parametrize("word", ["hủy", "Huỷ bỏ", "/huy", "cancel"])
async def test_typing_huy_at_a_typed_step_drops_the_draft(
    officer: Officer, seeded: Loa, clock: FixedClock, word: str
) -> None:
    await officer.command()
    prompt = await officer.press("Tiếp ➡")
    assert "Gõ “hủy” để bỏ bản nháp." in prompt.text
    dropped = await officer.type(word)
    assert "Đã bỏ bản nháp" in dropped.text
    assert await _step(seeded, clock) is None
    assert not await officer.desk.awaits_text(OFFICER, clock.now())


async def test_broadcasts_lists_progress_counted_from_the_outbox(
    officer: Officer, seeded: Loa, clock: FixedClock
) -> None:
    await officer.command(f"-\n{TEXT}")
    await officer.press("Tiếp ➡")
    await officer.press("📤 Gửi ngay")
    await officer.press("✅ Xác nhận gửi")
    await officer.desk.service.advance(clock.now())  # the runner queues the recipients
    listing = await officer.desk.command(OFFICER, CHAT, EA_TUL, "broadcasts", "", clock.now())
    assert "• Số 1 – đang gửi – 09:00 25/11/2026 – mọi người – đã gửi 0/4" in listing.text
    rows = await seeded.store.outbox.claim("telegram", clock.now(), 10)
    await seeded.store.outbox.record([Outcome.sent(rows.rows[0].id)], clock.now())
    listing = await officer.desk.command(OFFICER, CHAT, EA_TUL, "broadcasts", "", clock.now())
    assert "đã gửi 1/4" in listing.text
