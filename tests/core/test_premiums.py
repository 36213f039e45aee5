"""Tests for bot.core.premiums: the figures of domain.md §2, §3 and §5, and input checks."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.premiums import (
    MAX_MEMBERS,
    QuoteError,
    add_months,
    household_quote,
    near_poor_quote,
    student_quote,
    voluntary_quote,
)
from bot.core.rates import RateBook, default_rates_path

OLD_START = date(2025, 7, 1)  # 12 months from here are all at 2,340,000
NEW_START = date(2026, 7, 1)  # 12 months from here are all at 2,530,000
START_BY_BASE = {2_340_000: OLD_START, 2_530_000: NEW_START}

# domain.md §2: per member (1st..5th+), figures for 1 / 3 / 6 / 12 months
HOUSEHOLD_TABLE: dict[int, list[tuple[int, int, int, int]]] = {
    2_340_000: [
        (105_300, 315_900, 631_800, 1_263_600),
        (73_710, 221_130, 442_260, 884_520),
        (63_180, 189_540, 379_080, 758_160),
        (52_650, 157_950, 315_900, 631_800),
        (42_120, 126_360, 252_720, 505_440),
    ],
    2_530_000: [
        (113_850, 341_550, 683_100, 1_366_200),
        (79_695, 239_085, 478_170, 956_340),
        (68_310, 204_930, 409_860, 819_720),
        (56_925, 170_775, 341_550, 683_100),
        (45_540, 136_620, 273_240, 546_480),
    ],
}
COLUMNS = (1, 3, 6, 12)
HOUSEHOLD_CASES = [
    pytest.param(base, position, months, figure, id=f"{base}-member{position}-{months}mo")
    for base, rows in HOUSEHOLD_TABLE.items()
    for position, row in enumerate(rows, start=1)
    for months, figure in zip(COLUMNS, row, strict=True)
]


@pytest.fixture(scope="module")
def book() -> RateBook:
    """Return the shipped rate book."""
    return RateBook.load(default_rates_path())


# --- household (§2) --------------------------------------------------------------------------


def test_household_table_has_40_figures() -> None:
    assert len(HOUSEHOLD_CASES) == 40


@pytest.mark.parametrize(("base", "position", "months", "expected"), HOUSEHOLD_CASES)
def test_household_table_figure(
    book: RateBook, base: int, position: int, months: int, expected: int
) -> None:
    period = 3 if months == 1 else months
    quote = household_quote(book, members=5, months=period, start=START_BY_BASE[base])
    assert quote.base_salary == base
    assert quote.rates_used == ((quote.effective_from, base),)
    line = quote.lines[position - 1]
    assert line.position == position
    assert (line.monthly if months == 1 else line.period_amount) == expected


def test_members_after_the_fifth_pay_the_fifth_rate(book: RateBook) -> None:
    quote = household_quote(book, members=7, months=12, start=NEW_START)
    assert [line.ladder_percent for line in quote.lines] == [100, 70, 60, 50, 40, 40, 40]
    assert [line.period_amount for line in quote.lines[4:]] == [546_480] * 3


def test_household_check_four_members_six_months_from_1_8_2026(book: RateBook) -> None:
    quote = household_quote(book, members=4, months=6, start=date(2026, 8, 1))
    assert [line.period_amount for line in quote.lines] == [683_100, 478_170, 409_860, 341_550]
    assert quote.total == 1_912_680
    assert quote.monthly_total == 113_850 + 79_695 + 68_310 + 56_925
    assert quote.effective_from == date(2026, 7, 1)
    assert quote.last_day == date(2027, 1, 31)
    assert len(quote.rates_used) == 1


def test_household_period_straddling_1_7_2026(book: RateBook) -> None:
    quote = household_quote(book, members=5, months=6, start=date(2026, 5, 1))
    old = [row[0] for row in HOUSEHOLD_TABLE[2_340_000]]
    new = [row[0] for row in HOUSEHOLD_TABLE[2_530_000]]
    expected = [2 * o + 4 * n for o, n in zip(old, new, strict=True)]
    assert [line.period_amount for line in quote.lines] == expected
    assert quote.total == sum(expected)
    assert quote.rates_used == ((date(2024, 7, 1), 2_340_000), (date(2026, 7, 1), 2_530_000))
    assert [(s.first_month, s.months, s.base_salary) for s in quote.segments] == [
        (date(2026, 5, 1), 2, 2_340_000),
        (date(2026, 7, 1), 4, 2_530_000),
    ]
    assert [line.monthly for line in quote.lines] == old  # first month's amounts
    assert quote.segments[1].monthly == tuple(new)


def test_household_year_from_mid_month_uses_rate_on_each_month_start(book: RateBook) -> None:
    # Months begin 15/1, 15/2, ... 15/6 (old rate), 15/7 ... 15/12 (new rate).
    quote = household_quote(book, members=1, months=12, start=date(2026, 1, 15))
    assert quote.total == 6 * 105_300 + 6 * 113_850
    assert [s.months for s in quote.segments] == [6, 6]


@pytest.mark.parametrize("members", [0, -1, MAX_MEMBERS + 1, 500])
def test_household_members_out_of_range(book: RateBook, members: int) -> None:
    with pytest.raises(QuoteError) as caught:
        household_quote(book, members=members, months=6, start=NEW_START)
    error = caught.value
    assert (error.field, error.value, error.minimum, error.maximum, error.allowed) == (
        "members",
        members,
        1,
        20,
        None,
    )
    assert "between 1 and 20" in str(error)


@pytest.mark.parametrize("months", [0, 1, 5, 24, -3])
def test_household_months_not_a_payment_period(book: RateBook, months: int) -> None:
    with pytest.raises(QuoteError) as caught:
        household_quote(book, members=2, months=months, start=NEW_START)
    error = caught.value
    assert (error.field, error.value, error.allowed) == ("months", months, (3, 6, 12))
    assert (error.minimum, error.maximum) == (None, None)
    assert "one of 3, 6, 12" in str(error)


# --- students and near-poor (§3) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "yearly", "full_yearly"),
    [(OLD_START, 631_800, 1_263_600), (NEW_START, 683_100, 1_366_200)],
    ids=["2340000", "2530000"],
)
def test_student_yearly(book: RateBook, start: date, yearly: int, full_yearly: int) -> None:
    quote = student_quote(book, months=12, start=start)
    assert quote.person_total == yearly
    assert quote.full_total == full_yearly
    assert quote.state_total == full_yearly - yearly
    assert quote.support_percent == 50
    assert quote.group == "student"


def test_student_period_across_the_support_change_of_1_7_2025(book: RateBook) -> None:
    # 3 months at 30% state support, 3 months at 50%, all at the 2,340,000 base.
    quote = student_quote(book, months=6, start=date(2025, 4, 1))
    full = HOUSEHOLD_TABLE[2_340_000][0][0]
    assert quote.person_total == 3 * (full * 70 // 100) + 3 * (full * 50 // 100)
    assert quote.full_total == 6 * full
    assert [(s.months, s.support_percent) for s in quote.segments] == [(3, 30), (3, 50)]
    assert quote.rates_used == ((date(2024, 7, 1), 2_340_000),)


def test_near_poor_pays_34155_a_month_from_1_7_2026(book: RateBook) -> None:
    quote = near_poor_quote(book, months=3, start=NEW_START)
    assert quote.person_monthly == 34_155
    assert quote.full_monthly == 113_850
    assert quote.state_monthly == 113_850 - 34_155
    assert quote.person_total == 3 * 34_155
    assert quote.support_percent == 70
    assert quote.effective_from == date(2026, 7, 1)


def test_near_poor_before_1_7_2026_pays_30_percent_of_old_premium(book: RateBook) -> None:
    quote = near_poor_quote(book, months=12, start=OLD_START)
    full = HOUSEHOLD_TABLE[2_340_000][0][0]
    assert quote.person_monthly == full * 30 // 100
    assert quote.person_total == 12 * (full * 30 // 100)


@pytest.mark.parametrize("quote", [student_quote, near_poor_quote])
@pytest.mark.parametrize("months", [1, 5])
def test_subsidised_months_not_a_payment_period(book: RateBook, quote: object, months: int) -> None:
    assert callable(quote)
    with pytest.raises(QuoteError) as caught:
        quote(book, months=months, start=NEW_START)
    assert (caught.value.field, caught.value.allowed) == ("months", (3, 6, 12))


# --- BHXH tự nguyện (§5) ---------------------------------------------------------------------

OLD_DAY = date(2025, 12, 1)
NEW_DAY = date(2026, 8, 1)


@pytest.mark.parametrize("on", [OLD_DAY, NEW_DAY], ids=["2340000", "2530000"])
def test_voluntary_minimum_premium(book: RateBook, on: date) -> None:
    quote = voluntary_quote(book, income=1_500_000, group="other", on=on)
    assert quote.gross_monthly == 330_000
    assert quote.min_income == 1_500_000


@pytest.mark.parametrize(
    ("on", "max_income", "max_premium"),
    [(OLD_DAY, 46_800_000, 10_296_000), (NEW_DAY, 50_600_000, 11_132_000)],
    ids=["2340000", "2530000"],
)
def test_voluntary_maximum(book: RateBook, on: date, max_income: int, max_premium: int) -> None:
    quote = voluntary_quote(book, income=max_income, group="other", on=on)
    assert quote.max_income == max_income
    assert quote.gross_monthly == max_premium
    with pytest.raises(QuoteError) as caught:
        voluntary_quote(book, income=max_income + 1, group="other", on=on)
    assert (caught.value.minimum, caught.value.maximum) == (1_500_000, max_income)


def test_voluntary_three_million_income(book: RateBook) -> None:
    quote = voluntary_quote(book, income=3_000_000, group="other", on=NEW_DAY)
    assert quote.gross_monthly == 660_000
    assert quote.net_monthly == 660_000 - 66_000


@pytest.mark.parametrize("on", [OLD_DAY, NEW_DAY], ids=["2340000", "2530000"])
@pytest.mark.parametrize(
    ("group", "percent", "support", "net"),
    [
        ("poor", 50, 165_000, 165_000),
        ("near_poor", 40, 132_000, 198_000),
        ("ethnic_minority", 30, 99_000, 231_000),
        ("other", 20, 66_000, 264_000),
    ],
)
def test_voluntary_support_table(
    book: RateBook, on: date, group: str, percent: int, support: int, net: int
) -> None:
    quote = voluntary_quote(book, income=1_500_000, group=group, on=on)
    assert (quote.support_percent, quote.support_monthly, quote.net_monthly) == (
        percent,
        support,
        net,
    )
    assert quote.support_max_months == 120


POVERTY_2027 = date(2027, 1, 1)  # §5: the rural poverty line becomes 2,200,000


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_voluntary_totals_for_payment_periods(book: RateBook, months: int) -> None:
    quote = voluntary_quote(
        book, income=2_200_000, group="near_poor", on=POVERTY_2027, months=months
    )
    assert (quote.gross_total, quote.support_total, quote.net_total) == (
        484_000 * months,
        193_600 * months,
        290_400 * months,
    )
    assert quote.changes_on == ()


@pytest.mark.parametrize(
    ("group", "support", "net"),
    [
        ("poor", 242_000, 242_000),
        ("near_poor", 193_600, 290_400),
        ("ethnic_minority", 145_200, 338_800),
        ("other", 96_800, 387_200),
    ],
)
def test_voluntary_support_from_2027_follows_the_new_poverty_line(
    book: RateBook, group: str, support: int, net: int
) -> None:
    quote = voluntary_quote(book, income=2_200_000, group=group, on=date(2027, 1, 20))
    assert (quote.min_income, quote.gross_monthly) == (2_200_000, 484_000)
    assert (quote.support_monthly, quote.net_monthly) == (support, net)
    assert quote.poverty_line_from == POVERTY_2027


def test_a_period_straddling_the_new_poverty_line_is_priced_month_by_month(
    book: RateBook,
) -> None:
    quote = voluntary_quote(book, income=3_000_000, group="other", on=date(2026, 12, 1), months=12)
    assert (quote.gross_monthly, quote.support_monthly, quote.net_monthly) == (
        660_000,
        66_000,
        594_000,
    )
    assert quote.gross_total == 12 * 660_000
    assert quote.support_total == 66_000 + 11 * 96_800
    assert quote.net_total == 12 * 660_000 - (66_000 + 11 * 96_800)
    assert quote.changes_on == tuple(date(2027, month, 1) for month in range(1, 12))


def test_an_income_allowed_now_but_not_from_2027_is_refused_for_a_straddling_period(
    book: RateBook,
) -> None:
    assert voluntary_quote(book, income=1_500_000, group="poor", on=date(2026, 12, 1)).months == 1
    with pytest.raises(QuoteError) as caught:
        voluntary_quote(book, income=1_500_000, group="poor", on=date(2026, 12, 1), months=3)
    assert (caught.value.field, caught.value.minimum) == ("income", 2_200_000)


def test_voluntary_quote_dates(book: RateBook) -> None:
    quote = voluntary_quote(book, income=2_000_000, group="poor", on=NEW_DAY)
    assert quote.on == NEW_DAY
    assert quote.base_salary_from == date(2026, 7, 1)
    assert quote.poverty_line_from == date(2022, 1, 1)
    assert quote.effective_from == date(2026, 7, 1)


def test_voluntary_bounds_follow_the_date(book: RateBook) -> None:
    with pytest.raises(QuoteError) as caught:
        voluntary_quote(book, income=50_600_000, group="other", on=date(2026, 6, 30))
    assert caught.value.maximum == 46_800_000
    assert voluntary_quote(book, income=50_600_000, group="other", on=NEW_START).max_income == (
        50_600_000
    )


@pytest.mark.parametrize("income", [1_000_000, 60_000_000, -1, 0, 1_499_999])
def test_voluntary_income_out_of_range(book: RateBook, income: int) -> None:
    with pytest.raises(QuoteError) as caught:
        voluntary_quote(book, income=income, group="poor", on=NEW_DAY)
    error = caught.value
    assert (error.field, error.value, error.minimum, error.maximum, error.allowed) == (
        "income",
        income,
        1_500_000,
        50_600_000,
        None,
    )


@pytest.mark.parametrize("months", [2, 5, 24])
def test_voluntary_months_not_a_payment_period(book: RateBook, months: int) -> None:
    with pytest.raises(QuoteError) as caught:
        voluntary_quote(book, income=2_000_000, group="poor", on=NEW_DAY, months=months)
    assert (caught.value.field, caught.value.allowed) == ("months", (1, 3, 6, 12))


def test_voluntary_unknown_group_lists_the_groups(book: RateBook) -> None:
    with pytest.raises(ValueError, match="unknown support group 'rich'") as caught:
        voluntary_quote(book, income=2_000_000, group="rich", on=NEW_DAY)
    assert not isinstance(caught.value, QuoteError)
    for group in ("poor", "near_poor", "ethnic_minority", "other"):
        assert group in str(caught.value)


# --- calendar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 1), 6, date(2027, 2, 1)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 0, date(2026, 3, 31)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
