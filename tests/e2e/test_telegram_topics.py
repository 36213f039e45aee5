"""Issue #19 topics over Telegram: the base salary page, casual registration, and who runs Loa
(named from the OFFICE_* settings the operator put in .env)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_loa, telegram_running
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import load_settings
from tests.fakes.telegram_server import FakeTelegram

CHAT = 6101


def _payloads(markup: Any) -> list[str]:
    markup = markup or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_the_base_salary_question_gets_its_value_history_and_figures(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "muc luong co so gio la may")
    await server.wait_for("sendMessage", count=2)  # the answer, then the place question
    message, asked = server.sent(CHAT)
    assert "sống ở xã nào" in (asked.text or "")
    assert "2.530.000 đồng/tháng, từ 01/07/2026" in message.text
    assert "• Từ 01/07/2024: 2.340.000 đồng" in message.text
    assert "1.366.200 đồng/năm" in message.text
    assert "25.300.000 đồng" in message.text
    assert "8% từ 01/07/2026" in message.text


async def test_a_casual_call_back_request_starts_the_registration(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "alo có ai gọi lại cho mình giùm không")
    await server.wait_for("sendMessage")
    text = server.sent(CHAT)[-1].text
    assert "Đăng ký" in text
    assert "mã nguồn mở" not in text


async def test_the_papers_page_offers_registration_as_the_first_button(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "mua bhyt cho ca nha can giay to gi")
    await server.wait_for("sendMessage", count=2)  # the answer, then the place question
    answer = server.sent(CHAT)[0]
    assert "Mẫu số 4" in (answer.text or "")
    assert _payloads(answer.reply_markup)[0] == "reg"


async def test_without_office_settings_loa_says_it_is_open_source_and_gives_the_hotline(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "co phai lua dao khong")
    await server.wait_for("sendMessage", count=2)  # the answer, then the place question
    text = server.sent(CHAT)[0].text
    assert "công cụ mã nguồn mở, do cơ quan địa phương vận hành" in text
    assert "1900 9068" in text


@pytest.fixture
async def office_bot(
    server: FakeTelegram, db_path: Path, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[TelegramChannel]:
    """Loa with an .env that names its office, serving the fake server."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={server.token}\nTELEGRAM_API_URL={server.url}\n"
        f"DATABASE_URL=sqlite:///{db_path}\nOFFICE_NAME=UBND xã Tân Phú\n"
        "OFFICE_PHONE=0275 3812 345\n",
        encoding="utf-8",
    )
    settings = load_settings({}, env_file=env_file)
    async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1) as ch:
        yield ch


async def test_with_office_settings_loa_names_the_office_and_its_phone(
    server: FakeTelegram, office_bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "Loa có phải của nhà nước không hay giả mạo")
    await server.wait_for("sendMessage", count=2)  # the answer, then the place question
    text = server.sent(CHAT)[0].text
    assert "do UBND xã Tân Phú vận hành" in text
    assert "Liên hệ UBND xã Tân Phú: 0275 3812 345." in text
    assert "1900 9068" in text
