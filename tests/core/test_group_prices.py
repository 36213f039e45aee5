"""The resident's own group gets its own price (#19.3, #19.1): a near-poor person's or a
student's premium asked "mỗi tháng" or for two people, a student's year with no household
named, a free-card question from someone over 60 who is not poor, and "từ tháng 1 đến tháng
12" of a year named as that year's twelve months. Figures from domain.md §2–§3."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind
from bot.render import Renderer

TODAY = date(2026, 12, 15)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def decide(dialog: Dialog, text: str) -> Decision:
    incoming = Incoming("test", "1", Kind.TEXT, text=text, display_name="Lan")
    now = datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=VIETNAM)
    return dialog.decide(Turn(incoming, text, None, False, now, TODAY))


def answer(dialog: Dialog, text: str) -> str:
    return "\n".join(Renderer().render(say).text for say in decide(dialog, text).says)


@pytest.mark.parametrize(
    "text",
    [
        "hộ cận nghèo mỗi tháng đóng bhyt bao nhiêu",
        "can ngheo dong bhyt bao nhieu 1 thang",
    ],
)
def test_a_near_poor_premium_asked_per_month_is_the_monthly_amount(
    dialog: Dialog, text: str
) -> None:
    reply = answer(dialog, text)
    assert "mỗi người đóng 34.155 đồng/tháng" in reply  # 30% of 4,5% × 2.530.000
    assert "• 12 tháng: 409.860 đồng" in reply
    assert "bạn gõ 1" not in reply  # not refused as a one-month period


def test_two_near_poor_people_per_month_get_no_household_discount(dialog: Dialog) -> None:
    reply = answer(dialog, "vợ chồng tôi cận nghèo, mỗi người đóng bhyt bao nhiêu 1 tháng")
    assert "2 người: 68.310 đồng/tháng" in reply
    assert "79.695" not in reply  # the second household member's rate


def test_two_near_poor_people_for_a_year_pay_twice_the_persons_amount(dialog: Dialog) -> None:
    reply = answer(dialog, "hai vợ chồng thuộc hộ cận nghèo, 2 người đóng bhyt cả năm bao nhiêu")
    assert "• 2 người: 819.720 đồng" in reply
    assert "2.322.540" not in reply  # the household ladder for two


def test_a_near_poor_household_price_is_the_near_poor_price(dialog: Dialog) -> None:
    reply = answer(dialog, "nhà tôi hộ cận nghèo 3 người mua bhyt hộ gia đình 12 tháng bao nhiêu")
    assert "• 3 người: 1.229.580 đồng" in reply  # 3 × 409.860
    assert "956.340" not in reply.split("Nhà nước hỗ trợ")[0]


@pytest.mark.parametrize(
    "text", ["sinh viên đóng bhyt 1 năm bao nhiêu", "hoc sinh mua bhyt 12 thang het bao nhieu"]
)
def test_a_students_year_is_the_students_price(dialog: Dialog, text: str) -> None:
    reply = answer(dialog, text)
    assert "BHYT học sinh, sinh viên, đóng 12 tháng" in reply
    assert "Bạn đóng: 683.100 đồng" in reply  # 50% of 1.366.200
    assert "Người thứ 2" not in reply


def test_a_student_per_month_is_the_monthly_amount(dialog: Dialog) -> None:
    reply = answer(dialog, "sinh viên mỗi tháng đóng bhyt bao nhiêu")
    assert "mỗi người đóng 56.925 đồng/tháng" in reply


def test_a_family_with_a_student_is_still_the_family(dialog: Dialog) -> None:
    reply = answer(dialog, "vợ chồng tôi và 1 đứa sinh viên mua bhyt hộ gia đình 1 năm bao nhiêu")
    assert "Cần mua BHYT hộ gia đình: 2 người" in reply


@pytest.mark.parametrize(
    "text",
    [
        "bác 67 tuổi, không phải hộ nghèo, có được cấp thẻ bhyt miễn phí không",
        "toi 62 tuoi co duoc cap the bhyt mien phi khong",
    ],
)
def test_someone_over_60_asking_a_free_card_gets_the_elderly_page(
    dialog: Dialog, text: str
) -> None:
    (say,) = decide(dialog, text).says
    assert say.template == "topics/bhyt_nguoi_cao_tuoi"
    assert "Từ 75 tuổi (70 tuổi nếu thuộc hộ nghèo, cận nghèo)" in answer(dialog, text)


def test_a_poor_elder_asking_a_free_card_keeps_the_poor_household_page(dialog: Dialog) -> None:
    (say,) = decide(dialog, "bác 67 tuổi thuộc hộ nghèo có được cấp thẻ bhyt miễn phí không").says
    assert say.template == "topics/bhyt_ho_ngheo"


def test_january_to_december_of_last_year_is_last_years_twelve_months(dialog: Dialog) -> None:
    reply = answer(
        dialog, "năm ngoái nhà 4 người lớn đóng bhyt hgd từ tháng 1 đến tháng 12 bao nhiêu"
    )
    assert "đóng 12 tháng (từ 01/01/2025 đến 31/12/2025)" in reply
    assert "Tổng cộng: 3.538.080 đồng." in reply  # the ladder on 2.340.000
    assert "mấy tháng" not in reply


def test_a_span_of_days_is_its_months(dialog: Dialog) -> None:
    reply = answer(dialog, "1 người đóng bhyt hgd từ 1/1/2026 đến 31/12/2026 bao nhiêu")
    assert "Tổng cộng: 1.314.900 đồng." in reply  # 6 × 105.300 + 6 × 113.850
