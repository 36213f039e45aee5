"""Short facts and the resident's own dates over Telegram (#19.6, #19.1): the real Application
over HTTP to the fake Bot API answers a one-line fact from data/facts.toml, a child's birth
date with the free card's last day, and an elder's family with only those who need a card."""

from __future__ import annotations

from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_server import FakeTelegram

CHAT = 6101


async def test_a_one_line_fact_gets_the_fact_not_a_page(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "ma so bhxh co bao nhieu chu so")
    await server.wait_for("sendMessage")
    (message,) = server.sent(CHAT)
    assert "10 chữ số" in message.text
    assert "12 số" in message.text


async def test_a_birth_date_gets_the_childs_card_end(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "con tôi sinh 20/10/2021 thì thẻ bhyt trẻ em hết hạn ngày nào")
    await server.wait_for("sendMessage")
    (message,) = server.sent(CHAT)
    assert "31/10/2027" in message.text  # turns 6 after 30/9: to the end of that month


async def test_an_elders_couple_is_priced_and_the_grandchild_is_free(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(
        CHAT, "Chào cháu, bác với bà nhà và đứa cháu nội 3 tuổi mua bhyt một năm hết bao nhiêu"
    )
    await server.wait_for("sendMessage")
    text = server.sent(CHAT)[-1].text
    assert "Tổng cộng: 2.322.540 đồng." in text  # 1.366.200 + 956.340
    assert "trẻ dưới 6 tuổi" in text
    assert "3.142.260" not in text
