"""Flows that understand the resident, over the fake Bot API (#19 kinds 7 and 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.store_queries import find_contact

RESIDENT = 7002


@pytest.fixture
async def loa_bot(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa on the fake Telegram server."""
    settings = fake_settings(server, db_path)
    async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1):
        yield loa


async def _wait(server: FakeTelegram, count: int) -> list[str]:
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT, count=count)
    return [m.text or "" for m in server.sent(RESIDENT)]


async def _say(server: FakeTelegram, text: str, *, parts: int = 1) -> list[str]:
    count = len(server.sent(RESIDENT)) + parts
    server.push_text(RESIDENT, text)
    return (await _wait(server, count))[-parts:]


async def _press(server: FakeTelegram, payload: str) -> str:
    count = len(server.sent(RESIDENT)) + 1
    markup = server.sent(RESIDENT)[-1].reply_markup or {}
    offered = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
    assert payload in offered
    server.push_callback(RESIDENT, payload)
    return (await _wait(server, count))[-1]


async def test_a_question_at_the_name_step_is_answered_then_a_cancel_phrase_cancels(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    await _say(server, "/start")
    await _press(server, "reg")
    await _press(server, "reg:interest:household")
    name_ask = await _press(server, "reg:consent:yes")
    assert "họ và tên" in name_ask
    assert "gõ «thôi»" in name_ask  # every step says how to cancel
    answer, back = await _say(server, "bảo hiểm y tế hộ gia đình bao nhiêu tiền", parts=2)
    assert "113.850" in answer  # the question is answered…
    assert "đăng ký tư vấn dở" in back  # …and the registration offered back
    assert "họ và tên" in await _press(server, "flow:continue")
    assert "Số điện thoại" in (await _say(server, "Nguyễn Thị Hoa"))[0]
    (cancelled,) = await _say(server, "thôi không đăng ký nữa")
    assert "Đã hủy" in cancelled
    assert "chỉ gồm chữ số" not in cancelled
    contact = await find_contact(loa_bot.store.db, "telegram", str(RESIDENT))
    assert contact is not None
    assert await loa_bot.store.registrations.for_contact(contact.id) == []


async def test_a_typed_seven_at_the_household_step_is_seven_people(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    await _say(server, "/start")
    await _press(server, "reg")
    await _press(server, "reg:interest:household")
    await _press(server, "reg:consent:yes")
    for typed in ("Nguyễn Thị Hoa", "0905 123 456", "Xã Hòa Phú", "Thôn 3"):
        await _say(server, typed)
    (time_ask,) = await _say(server, "7")  # the list has 7 buttons; 7 still means 7 people
    assert "lúc nào" in time_ask
    summary = await _press(server, "reg:time:evening")
    assert "Số người trong hộ: 7" in summary


async def test_a_resident_who_says_bac_is_answered_as_bac_for_the_conversation(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    (first,) = await _say(server, "Chào cháu, bác muốn hỏi thẻ bhyt điện tử là gì")
    assert first.startswith("Dạ thưa bác,")
    asked = await _press(server, "reg")  # a later message, with no form in it
    assert "Bác quan tâm" in asked
    assert "Bạn" not in asked


async def test_the_decree_is_cited_once_and_again_when_asked(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    first, asked = await _say(server, "bhyt học sinh bao nhiêu tiền", parts=2)
    assert "NĐ-CP" in first
    assert "sống ở xã nào" in asked  # the place question follows a first answer
    (second,) = await _say(server, "bhyt cận nghèo đóng bao nhiêu")
    assert "NĐ-CP" not in second
    (cited,) = await _say(server, "căn cứ đâu?")
    assert "NĐ-CP" in cited
