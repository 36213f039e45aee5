"""Issue #19 kinds 2, 4, 9 and 10 over Telegram: the real Application over HTTP to the fake Bot
API answers a past base salary, an income at once, the poverty line rising on 01/01/2027 (the
clock stands at 25/11/2026), the pages that had no topic, and amounts and households written
the way residents write them — each with its exact figure."""

from __future__ import annotations

from bot.channels.telegram import TelegramChannel
from tests.fakes.telegram_server import FakeTelegram

CHAT = 6201


async def _ask_each(server: FakeTelegram, questions: list[tuple[str, tuple[str, ...]]]) -> None:
    """Send each question from a chat of its own; a reply must hold every expected text."""
    for chat, (question, expected) in enumerate(questions, start=CHAT + 1):
        server.push_text(chat, question)
        (call,) = await server.wait_for(
            "sendMessage",
            lambda c, chat=chat, first=expected[0]: (
                c.params["chat_id"] == chat and first in str(c.params.get("text", ""))
            ),
        )
        for text in expected[1:]:
            assert text in str(call.params["text"]), (question, text)


async def test_last_years_base_salary_is_that_years_not_todays(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "lương cơ sở năm ngoái là bao nhiêu")
    await server.wait_for("sendMessage", count=3)  # header, page, then the place question
    header, page, asked = (m.text or "" for m in server.sent(CHAT))
    assert "sống ở xã nào" in asked
    assert "Tính theo mức năm 2025: lương cơ sở 2.340.000 đồng" in header
    assert "2.340.000 đồng/tháng, từ 01/07/2024" in page
    assert "1.263.600 đồng/năm" in page  # 4,5% × 2.340.000 × 12
    assert "2.530.000" not in page


async def test_an_income_gets_its_premium_at_once_with_each_groups_line(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    server.push_text(CHAT, "thu nhập 4,5 triệu đóng bao nhiêu")
    await server.wait_for("sendMessage")
    (message,) = server.sent(CHAT)
    text = message.text or ""
    assert "Mức đóng 22%: 990.000 đồng/tháng" in text
    assert "Bạn đóng: 924.000 đồng/tháng" in text  # less 20% × 22% × 1.500.000
    assert "Hộ cận nghèo: 858.000 đồng (hỗ trợ 132.000 đồng)" in text
    assert "nhóm nào" not in text


async def test_a_groups_own_price_per_month_for_two_and_for_a_student(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    await _ask_each(
        server,
        [
            (
                "vo chong toi thuoc ho can ngheo, moi nguoi dong bhyt bao nhieu 1 thang",
                ("34.155 đồng/tháng", "2 người: 68.310 đồng/tháng"),
            ),
            ("sinh viên đóng bhyt 1 năm bao nhiêu", ("Bạn đóng: 683.100 đồng",)),
        ],
    )


async def test_in_november_the_lowest_premium_says_what_changes_on_1_january(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    await _ask_each(
        server,
        [
            (
                "bhxh tự nguyện đóng thấp nhất bao nhiêu",
                ("Mức đóng 22%: 330.000 đồng/tháng", "Từ 01/01/2027", "484.000 đồng/tháng"),
            ),
            (
                "đóng bhxh tự nguyện mức thấp nhất 3 tháng từ tháng 12/2026 hết bao nhiêu",
                ("mức đóng 1.298.000 đồng",),  # 330.000 + 2 × 484.000
            ),
        ],
    )


async def test_pages_that_had_no_topic_answer_their_question(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    await _ask_each(
        server,
        [
            ("tui lỡ làm mất thẻ bhyt rồi, xin lại ở đâu", ("chỉ cần cho cơ sở khám biết số thẻ",)),
            ("chỉ tôi cách cài vssid và đăng nhập", ("VssID là ứng dụng của BHXH Việt Nam",)),
            ("doi noi dang ky kham ban dau sang tram y te khac", ("Muốn đổi nơi đăng ký",)),
            (
                "dong bhxh tu nguyen co duoc cap the bhyt ko",
                ("không kèm thẻ BHYT", "1.366.200 đồng/năm"),
            ),
        ],
    )


async def test_amounts_and_households_as_residents_write_them(
    server: FakeTelegram, bot: TelegramChannel
) -> None:
    await _ask_each(
        server,
        [
            ("thu nhap 4tr dong bhxh tu nguyen bao nhieu", ("Mức đóng 22%: 880.000 đồng/tháng",)),
            ("thu nhập 4 củ đóng bhxh tự nguyện bao nhiêu", ("Mức đóng 22%: 880.000 đồng",)),
            ("bhxh tự nguyện thu nhập 4.000.000đ", ("Mức đóng 22%: 880.000 đồng",)),
            ("bhxh tu nguyen thu nhap bon trieu ruoi", ("Mức đóng 22%: 990.000 đồng",)),
            (
                "vợ chồng với 3 đứa con mua bhyt hộ gia đình cả năm bao nhiêu",
                ("5 người", "Tổng cộng: 4.371.840 đồng."),
            ),
            (
                "mua bhyt cho 4 đứa trong nhà (4 người lớn) đóng 3 tháng thì bao nhiêu",
                ("4 người", "Tổng cộng: 956.340 đồng."),
            ),
        ],
    )
