"""The resident's own date (#19.1, #19.3, #19.6): a child's free card ends at 72 months (30/9
when the child turns 6 by then, else the month's end), a card renewed on time starts the day
after the old one, BHXH tự nguyện periods have their last day to pay; a visit is compared with
the 15% threshold of its date, and the funeral grant is priced on the day of death."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.card_dates import child_card_end, renewed_from, voluntary_deadline
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Incoming, Kind
from bot.render import Renderer

TODAY = date(2026, 12, 15)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def reply(dialog: Dialog, text: str, today: date = TODAY) -> str:
    incoming = Incoming("test", "1", Kind.TEXT, text=text, display_name="")
    now = datetime(today.year, today.month, today.day, 9, tzinfo=VIETNAM)
    decision = dialog.decide(Turn(incoming, text, None, False, now, today))
    renderer = Renderer()
    return "\n".join(renderer.render(say).text for say in decision.says)


@pytest.mark.parametrize(
    ("year", "month", "end"),
    [
        (2021, 1, date(2027, 9, 30)),
        (2021, 9, date(2027, 9, 30)),
        (2021, 10, date(2027, 10, 31)),
        (2022, 2, date(2028, 9, 30)),
        (2019, 12, date(2025, 12, 31)),
    ],
)
def test_a_childs_card_ends_at_72_months(year: int, month: int, end: date) -> None:
    assert child_card_end(year, month) == end


def test_a_card_renewed_on_time_follows_the_old_one() -> None:
    assert renewed_from(date(2027, 2, 28)) == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("mode", "first", "last"),
    [
        (1, date(2027, 2, 1), date(2027, 2, 28)),
        (3, date(2026, 12, 1), date(2027, 2, 28)),
        (6, date(2027, 1, 1), date(2027, 4, 30)),
        (12, date(2026, 7, 1), date(2027, 1, 31)),
        (2, date(2027, 1, 1), None),
    ],
)
def test_the_last_day_to_pay(mode: int, first: date, last: date | None) -> None:
    assert voluntary_deadline(mode, first) == last


def test_a_birth_date_gets_the_cards_last_day(dialog: Dialog) -> None:
    assert "30/09/2028" in reply(dialog, "bé nhà tôi sinh 2/5/2022, thẻ trẻ em dùng tới khi nào")


def test_an_impossible_birth_date_gets_no_day(dialog: Dialog) -> None:
    text = reply(dialog, "con sinh 31/2/20266 thẻ trẻ em hết hạn khi nào")
    assert "2027" not in text
    assert "20266" not in text


def test_a_card_expiry_date_gets_the_renewed_cards_first_day(dialog: Dialog) -> None:
    text = reply(
        dialog, "thẻ bhyt hết hạn ngày 28/2/2027, gia hạn trước thì thẻ mới có giá trị từ bao giờ"
    )
    assert "01/03/2027" in text


def test_a_month_and_a_mode_get_the_deadline(dialog: Dialog) -> None:
    text = reply(
        dialog,
        "đóng tự nguyện 6 tháng một lần bắt đầu tháng 3/2027 thì chậm nhất ngày nào phải nộp",
    )
    assert "30/06/2027" in text


def test_a_visit_is_compared_with_the_threshold_of_its_date(dialog: Dialog) -> None:
    before = reply(dialog, "tháng 3/2026 khám hết 360 nghìn bhyt có trả hết không")
    assert "351.000" in before
    assert "trả 100%" not in before


def test_the_funeral_grant_is_priced_on_the_day_of_death(dialog: Dialog) -> None:
    text = reply(dialog, "mẹ tôi mất tháng 8/2026, đóng bhxh 10 năm, trợ cấp mai táng bao nhiêu")
    assert "25.300.000" in text
    short = reply(
        dialog, "chồng tôi mất năm 2026, đóng bhxh tự nguyện 3 năm, có tiền mai táng không"
    )
    assert "chưa đủ 60 tháng" in short


def test_a_birth_day_that_does_not_exist_is_no_birth_date(dialog: Dialog) -> None:
    text = reply(dialog, "con sinh 31/2/2021 thẻ trẻ em hết hạn khi nào")
    assert "30/09/2027" not in text
