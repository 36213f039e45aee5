"""The resident's own numbers get their own figure, not the topic's general page (#19.3)."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from bot.clock import VIETNAM
from bot.core import extract
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.pension import pension_percent, pension_share, survivor_grant
from bot.core.rates import RateBook, default_rates_path
from bot.core.retirement import age_in_year, early_retirement, retirement
from bot.core.types import Incoming, Kind
from bot.render import Renderer

TODAY = date(2026, 12, 15)


@pytest.fixture(scope="module")
def book() -> RateBook:
    return RateBook.load(default_rates_path())


@pytest.fixture(scope="module")
def dialog(book: RateBook) -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), book)


def answer(dialog: Dialog, text: str) -> str:
    incoming = Incoming("test", "1", Kind.TEXT, text=text, display_name="")
    now = datetime(2026, 12, 15, 9, tzinfo=VIETNAM)
    decision = dialog.decide(Turn(incoming, text, None, False, now, TODAY))
    return "\n".join(Renderer().render(say).text for say in decision.says)


# --- pure arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "years", "percent"),
    [
        ("female", 14, 0),
        ("female", 15, 45),
        ("female", 20, 55),
        ("female", 28, 71),
        ("female", 30, 75),
        ("female", 40, 75),
        ("male", 15, 40),
        ("male", 17, 42),
        ("male", 19, 44),
        ("male", 20, 45),
        ("male", 25, 55),
        ("male", 35, 75),
        ("male", 36, 75),
    ],
)
def test_pension_percent_by_sex_and_years(
    book: RateBook, sex: str, years: int, percent: int
) -> None:
    assert pension_percent(book, sex, years, TODAY) == percent  # type: ignore[arg-type]


def test_pension_share_gives_the_monthly_amount_and_the_missing_years(book: RateBook) -> None:
    share = pension_share(book, "female", 20, TODAY, 5_000_000)
    assert (share.percent, share.monthly, share.years_for_max) == (55, 2_750_000, 30)
    short = pension_share(book, "male", 12, TODAY)
    assert (short.percent, short.missing_years, short.monthly) == (0, 3, None)


def test_survivor_grant_is_48_months_less_half_per_month_drawn_at_least_3() -> None:
    grant = survivor_grant(3_000_000, 20)
    assert (grant.months, grant.amount) == (Fraction(38), 114_000_000)
    assert survivor_grant(5_000_000, 15).months == Fraction(81, 2)
    low = survivor_grant(4_000_000, 100)
    assert (low.months, low.amount, low.at_minimum) == (Fraction(3), 12_000_000, True)


@pytest.mark.parametrize(
    ("sex", "year", "age"),
    [
        ("male", 2020, 720),
        ("male", 2021, 723),
        ("male", 2026, 738),
        ("male", 2028, 744),
        ("male", 2040, 744),
        ("female", 2021, 664),
        ("female", 2026, 684),
        ("female", 2035, 720),
        ("female", 2050, 720),
    ],
)
def test_retirement_age_in_a_year(sex: str, year: int, age: int) -> None:
    assert age_in_year(sex, year) == age  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sex", "born", "age", "reached"),
    [
        ("male", (1961, 1), (60, 3), (2021, 4)),
        ("male", (1965, 2), (61, 6), (2026, 8)),
        ("male", (1966, 3), (61, 9), (2027, 12)),
        ("male", (1966, 8), (62, 0), (2028, 8)),
        ("female", (1970, 2), (57, 4), (2027, 6)),
        ("female", (1980, 5), (60, 0), (2040, 5)),
    ],
)
def test_retirement_month_uses_the_age_of_the_year_it_is_reached(
    sex: str, born: tuple[int, int], age: tuple[int, int], reached: tuple[int, int]
) -> None:
    found = retirement(sex, *born)  # type: ignore[arg-type]
    assert (found.age_years, found.age_extra_months) == age
    assert (found.year, found.month) == reached


def test_early_retirement_is_60_or_55() -> None:
    early = early_retirement("female", 1971, 4)
    assert (early.age_years, early.year, early.month) == (55, 2026, 4)


# --- extractors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Tôi là nữ, đóng 20 năm", "female"),
        ("toi nu dong 20 nam", "female"),
        ("nam dong 30 nam thi luong huu", "male"),
        ("Tôi nam, đóng 25 năm", "male"),
        ("chồng tôi đóng được 17 năm", "male"),
        ("đóng 30 năm thì lương hưu", None),
        ("dong 30 nam nam nay", None),
    ],
)
def test_sex(text: str, sex: str | None) -> None:
    assert extract.sex(text) == sex


@pytest.mark.parametrize(
    ("text", "born"),
    [
        ("sinh tháng 2/1965", (1965, 2)),
        ("sinh thang 8-1966", (1966, 8)),
        ("sinh tháng 2 năm 1970", (1970, 2)),
        ("sinh năm 1966", (1966, None)),
        ("sinh ngày 5/3/1966", (1966, 3)),
        ("năm 2026 tuổi hưu", None),
        ("sinh tháng 13/1966", None),
    ],
)
def test_birth(text: str, born: tuple[int, int | None] | None) -> None:
    assert extract.birth(text) == born


def test_years_children_position_and_joined() -> None:
    assert extract.years_paid("Tôi là nữ, sinh tháng 2 năm 1970") is None
    assert extract.years_paid("đóng tự nguyện hơn 20 năm rồi") == 20
    assert extract.children_born("vợ tôi sinh đôi") == 2
    assert extract.children_born("em sinh ba") == 3
    assert extract.member_position("người thứ 2 trong hộ") == 2
    assert extract.member_position("nguoi thu nhat") == 1
    assert extract.joined_year("đóng từ năm 2000 đến nay") == 2000


# --- the dialog picks the computation, with and without diacritics -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Tôi nữ, đóng bảo hiểm xã hội tự nguyện 22 năm thì lương hưu mấy phần trăm?",
        "toi nu dong bhxh tu nguyen 22 nam thi luong huu may phan tram",
    ],
)
def test_pension_percent_for_the_years_said(dialog: Dialog, text: str) -> None:
    reply = answer(dialog, text)
    assert "Nữ: 59%" in reply
    assert "Nam:" not in reply


def test_pension_with_an_average_income_gives_the_monthly_amount(dialog: Dialog) -> None:
    reply = answer(
        dialog, "nữ đóng 20 năm, bình quân thu nhập 5 triệu thì lương hưu mỗi tháng bao nhiêu"
    )
    assert "55%" in reply
    assert "2.750.000 đồng/tháng" in reply


def test_too_few_years_says_how_many_are_missing(dialog: Dialog) -> None:
    reply = answer(dialog, "dong bhxh tu nguyen 12 nam co duoc luong huu khong")
    assert "còn thiếu 3 năm" in reply


@pytest.mark.parametrize(
    "text",
    [
        "Tôi là nam, sinh tháng 7/1964, bao giờ về hưu?",
        "toi la nam sinh thang 7/1964 bao gio ve huu",
    ],
)
def test_retirement_month_for_sex_and_birth(dialog: Dialog, text: str) -> None:
    reply = answer(dialog, text)
    assert "61 tuổi 3 tháng" in reply
    assert "tháng 10/2025" in reply


def test_retirement_without_sex_gives_both(dialog: Dialog) -> None:
    reply = answer(dialog, "sinh tháng 5/1970 thì khi nào đủ tuổi nghỉ hưu")
    assert "Nam sinh tháng 5/1970" in reply
    assert "Nữ sinh tháng 5/1970" in reply


def test_joined_before_2021_with_20_years_retires_at_60(dialog: Dialog) -> None:
    reply = answer(
        dialog, "nam, đóng tự nguyện từ năm 2003 đến nay, có được về hưu lúc 60 tuổi không"
    )
    assert "tuổi 60" in reply


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("vợ tôi sinh đôi thì trợ cấp thai sản bao nhiêu", "4.000.000"),
        ("sinh ba duoc tro cap thai san bao nhieu", "6.000.000"),
    ],
)
def test_maternity_grant_per_child(dialog: Dialog, text: str, total: str) -> None:
    assert f"= {total} đồng" in answer(dialog, text)


def test_survivors_grant_of_a_pensioner(dialog: Dialog) -> None:
    reply = answer(
        dialog, "mẹ tôi lãnh lương hưu 5 triệu, hưởng được 15 tháng thì mất, tuất một lần bao nhiêu"
    )
    assert "40,5 tháng" in reply
    assert "202.500.000 đồng" in reply


@pytest.mark.parametrize(
    "text",
    [
        "người thứ 3 trong hộ đóng bhyt cả năm bao nhiêu",
        "nguoi thu 3 trong ho dong bhyt ca nam bao nhieu",
    ],
)
def test_one_members_yearly_amount(dialog: Dialog, text: str) -> None:
    reply = answer(dialog, text)
    assert "68.310 đồng/tháng" in reply
    assert "819.720 đồng (cả năm)" in reply


def test_a_household_per_month_gives_monthly_figures_not_a_period_error(dialog: Dialog) -> None:
    reply = answer(dialog, "nhà 3 người mỗi tháng đóng bhyt bao nhiêu")
    assert "Cả hộ: 261.855 đồng/tháng" in reply
    assert "3.142.260 đồng" in reply
    assert "bạn gõ 1" not in reply


# --- a message describing the family -------------------------------------------------------


def test_family_description_separates_covered_people() -> None:
    from bot.core.household_people import family

    text = "ông 70 tuổi, con dâu có thẻ công ty, thằng út 4 tuổi, đứa lớn đi học, với vợ chồng tôi"
    found = family(text)
    assert found is not None
    assert sorted(p.covered for p in found.covered) == ["company", "school", "under_six"]
    assert found.needing == 3
    assert family("nha toi 4 nguoi dong bhyt 6 thang") is None


@pytest.mark.parametrize(
    "text",
    [
        "Nhà tôi có ông 70 tuổi, con dâu có thẻ công ty, thằng út 4 tuổi, đứa lớn đi học, "
        "với vợ chồng tôi. Mua BHYT hộ gia đình cả năm hết bao nhiêu?",
        "nha toi co ong 70 tuoi, con dau co the cong ty, thang ut 4 tuoi, dua lon di hoc, "
        "voi vo chong toi. mua bhyt ho gia dinh ca nam het bao nhieu",
    ],
)
def test_family_message_prices_only_those_who_need_a_household_card(
    dialog: Dialog, text: str
) -> None:
    reply = answer(dialog, text)
    assert "Con dâu: đã có thẻ BHYT qua nơi làm việc" in reply
    assert "trẻ dưới 6 tuổi" in reply
    assert "Cần mua BHYT hộ gia đình: 3 người, đóng 12 tháng" in reply
    assert "Tổng cộng: 3.142.260 đồng." in reply


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("năm 2023 phụ nữ nghỉ hưu bao nhiêu tuổi", "Năm 2023, tuổi nghỉ hưu nữ 56 tuổi."),
        ("nam nay nu nghi huu bao nhieu tuoi", "Năm 2026, tuổi nghỉ hưu nữ 57 tuổi."),
        ("tuổi nghỉ hưu năm 2028 là bao nhiêu", "nam 62 tuổi; nữ 57 tuổi 8 tháng."),
    ],
)
def test_retirement_age_of_a_year(dialog: Dialog, text: str, said: str) -> None:
    assert said in answer(dialog, text)


# --- families told by elders (#19.3, #19.8) ------------------------------------------------


def test_an_elder_calling_themself_bac_is_one_of_the_couple() -> None:
    from bot.core.household_people import family

    told = family("bác năm nay 70, nhà chỉ có hai ông bà, con cái ở xa hết, mua thẻ bao nhiêu")
    assert told is not None
    assert told.needing == 2


def test_an_uncle_his_wife_and_two_grown_children_are_four() -> None:
    from bot.core.household_people import family

    told = family("chú với thím và 2 đứa con đã lớn, mua bhyt cả nhà bao nhiêu")
    assert told is not None
    assert told.needing == 4


def test_greeting_the_bot_as_con_is_no_child() -> None:
    from bot.core.household_people import family

    told = family("Chào con, bác với bà nhà mua bhyt hết bao nhiêu")
    assert told is not None
    assert [p.role for p in told.people] == ["bac", "ba"]


def test_a_family_with_nobody_covered_gets_no_empty_covered_list(dialog: Dialog) -> None:
    reply = answer(dialog, "vợ chồng với 3 đứa con mua bhyt hộ gia đình cả năm bao nhiêu")
    assert "không cần mua" not in reply
    assert "Cần mua BHYT hộ gia đình: 5 người, đóng 12 tháng" in reply
    assert "Tổng cộng: 4.371.840 đồng." in reply  # the ladder 100/70/60/50/40% of 1.366.200
