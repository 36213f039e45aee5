"""Residents ask in free text over Telegram and get their own figures back."""

from __future__ import annotations

from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_server import FakeTelegram

CHAT = 6001


def _rows(server: FakeTelegram) -> list[list[dict[str, str]]]:
    markup = server.sent(CHAT)[-1].reply_markup or {}
    rows: list[list[dict[str, str]]] = markup.get("inline_keyboard", [])
    return rows


async def test_a_household_question_gets_each_members_amount_and_the_total(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "nha toi 4 nguoi dong bhyt 6 thang het bao nhieu")
    await server.wait_for("sendMessage")
    (message,) = server.sent(CHAT)
    for amount in ("683.100 đồng", "478.170 đồng", "409.860 đồng", "341.550 đồng"):
        assert amount in message.text
    assert "Tổng cộng: 1.912.680 đồng." in message.text


async def test_the_guided_calculator_works_with_buttons(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "/start")
    await server.wait_for("sendMessage")
    steps = ["calc", "calc:kind:voluntary", "calc:income:3000000", "calc:group:ethnic_minority"]
    for count, payload in enumerate(steps, start=2):
        pressable = [b["callback_data"] for row in _rows(server) for b in row]
        assert payload in pressable
        server.push_callback(CHAT, payload)
        await server.wait_for("sendMessage", count=count)
    result = server.sent(CHAT)[-1].text
    assert "660.000 đồng/tháng" in result  # 22% of 3,000,000
    assert "Bạn đóng: 561.000 đồng/tháng" in result  # less 30% of 22% × 1,500,000
    assert "Từ 01/01/2027: Nhà nước hỗ trợ 145.200 đồng/tháng" in result  # the new poverty line
    assert "99.000 đồng/tháng" in result  # 30% of 22% of the 1,500,000 poverty line


async def test_an_unclear_question_offers_topics_as_buttons(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "qwerty zxcv")
    await server.wait_for("sendMessage")
    (message,) = server.sent(CHAT)
    assert "1900 9068" in message.text
    rows = (message.reply_markup or {})["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows][-5:] == [
        "topics",
        "calc",
        "reg",
        "remind",
        "hotline",
    ]


async def test_a_question_about_a_past_month_is_priced_at_that_months_rates(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "hồi tháng 10/2025 thì bhyt hộ gia đình người thứ nhất đóng bao nhiêu")
    await server.wait_for("sendMessage", count=3)  # header, page, then the place question
    header, page, asked = (m.text for m in server.sent(CHAT))
    assert "sống ở xã nào" in (asked or "")
    assert "Tính theo mức tháng 10/2025: lương cơ sở 2.340.000 đồng" in header
    assert "105.300 đồng" in page
    assert "113.850" not in page


async def test_own_numbers_get_their_own_figure_over_telegram(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    questions = [
        ("toi nu dong bhxh tu nguyen 28 nam thi luong huu may phan tram", "Nữ: 71%"),
        ("Tôi là nữ, sinh tháng 2 năm 1970, bao giờ về hưu?", "tháng 6/2027"),
        ("vợ tôi sinh đôi, trợ cấp thai sản được bao nhiêu", "= 4.000.000 đồng"),
        ("người thứ 2 trong hộ đóng bhyt 1 năm bao nhiêu", "956.340 đồng (cả năm)"),
        ("nhà 2 người mỗi tháng đóng bhyt bao nhiêu", "Cả hộ: 193.545 đồng/tháng"),
        (
            "nhà có ông 70 tuổi, con dâu có thẻ công ty, thằng út 4 tuổi, vợ chồng tôi, "
            "mua bhyt hộ gia đình 1 năm bao nhiêu",
            "Tổng cộng: 3.142.260 đồng.",
        ),
    ]
    for count, (question, expected) in enumerate(questions, start=1):
        server.push_text(CHAT, question)
        await server.wait_for("sendMessage", count=count)
        assert expected in server.sent(CHAT)[-1].text, question
