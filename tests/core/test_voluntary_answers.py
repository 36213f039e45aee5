"""BHXH tự nguyện asked with an income (#19.4, #19.9): answered at once whatever page the
words are nearest to, over the months asked, each month priced at its own rates — the lowest
income of each month when the resident pays "mức thấp nhất"."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core import extract
from bot.core.asked import without_times
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.premiums import QuoteError, voluntary_quote
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Incoming, Kind
from bot.render import Renderer

BOOK = RateBook.load(default_rates_path())


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), BOOK)


def reply(dialog: Dialog, text: str, today: date) -> str:
    incoming = Incoming("test", "1", Kind.TEXT, text=text, display_name="")
    now = datetime(today.year, today.month, today.day, 9, tzinfo=VIETNAM)
    decision = dialog.decide(Turn(incoming, text, None, False, now, today))
    renderer = Renderer()
    return "\n".join(renderer.render(say).text for say in decision.says)


def test_the_lowest_income_follows_the_poverty_line_month_by_month() -> None:
    quote = voluntary_quote(BOOK, 1_500_000, "other", date(2026, 11, 10), 3, lowest=True)
    # 11/2026 and 12/2026 at 1.500.000 (net 264.000), 01/2027 at 2.200.000 (net 387.200)
    assert quote.net_total == 2 * 264_000 + 387_200
    assert quote.changes_on == (date(2027, 1, 10),)


def test_a_fixed_income_below_next_years_line_is_refused_over_the_change() -> None:
    with pytest.raises(QuoteError):
        voluntary_quote(BOOK, 1_500_000, "other", date(2026, 12, 1), 3)


def test_a_period_with_a_stated_income_is_totalled(dialog: Dialog) -> None:
    text = reply(
        dialog, "thu nhập 3 triệu, đóng tự nguyện 6 tháng một lần hết bao nhiêu", date(2027, 2, 1)
    )
    # 22% × 3.000.000 = 660.000, minus 20% × 484.000 = 96.800 → 563.200 a month
    assert "3.379.200" in text


def test_lowest_over_the_new_year_is_priced_month_by_month(dialog: Dialog) -> None:
    text = reply(
        dialog, "đóng mức thấp nhất 3 tháng từ tháng 12/2026, diện bình thường", date(2026, 12, 2)
    )
    assert "1.038.400" in text


@pytest.mark.parametrize(
    "text",
    [
        "bhxh tu nguyen chon muc 8 trieu thi sao",
        "tự nguyện mà đóng theo 3tr2 thì hết nhiêu",
        "toi la ho ngheo, dong bhxh 4 trieu ruoi",
    ],
)
def test_an_income_with_voluntary_words_is_priced_at_once(dialog: Dialog, text: str) -> None:
    assert "Mức đóng 22%" in reply(dialog, text, date(2026, 12, 15))


def test_the_verb_to_pay_after_an_amount_is_not_the_currency() -> None:
    assert extract.money("lương 3tr5 đóng tự nguyện được không") == 3_500_000


def test_a_count_of_months_survives_the_dates_that_follow_it() -> None:
    assert extract.months(without_times("đóng 3 tháng: 1/2027, 2/2027, 3/2027")) == 3
