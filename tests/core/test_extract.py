"""Tests for reading numbers, periods, ages and support groups out of messages."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.extract import MAX_DIGITS, age, household_size, money, months, support_group


def nfd(text: str) -> str:
    """Return `text` decomposed, as some phone keyboards send it."""
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("3 triệu", 3_000_000),
        ("3tr", 3_000_000),
        ("3 trieu", 3_000_000),
        ("3 TRIỆU", 3_000_000),
        ("1.5 triệu", 1_500_000),
        ("1,5tr", 1_500_000),
        ("4,5 triệu", 4_500_000),
        ("2 triệu rưỡi", 2_500_000),
        ("2 trieu ruoi", 2_500_000),
        ("1tr2", 1_200_000),
        ("5 triệu 2", 5_200_000),
        ("3 triệu 500", 3_500_000),
        ("3 triệu 500 nghìn", 3_500_000),
        ("3.000.000", 3_000_000),
        ("1,500,000", 1_500_000),
        ("3000000đ", 3_000_000),
        ("1.500.000 đồng", 1_500_000),
        ("3000000 vnd", 3_000_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("500k", 500_000),
        ("3 củ", 3_000_000),
        ("4 củ", 4_000_000),
        ("4tr", 4_000_000),
        ("4.000.000đ", 4_000_000),
        ("bốn triệu rưỡi", 4_500_000),
        ("bon trieu ruoi", 4_500_000),
        ("hai triệu", 2_000_000),
        ("mười lăm triệu", 15_000_000),
        ("năm trăm nghìn", 500_000),
        ("một triệu hai", 1_200_000),
        ("nửa triệu", 500_000),
        ("2 trăm nghìn", 200_000),
        ("thu nhập 5000000 mỗi tháng", 5_000_000),
        ("thu nhập mỗi tháng tầm 4.5tr thôi", 4_500_000),
        ("-3 triệu", -3_000_000),
        ("âm 2 triệu", -2_000_000),
    ],
)
def test_money(text: str, amount: int) -> None:
    assert money(text) == amount
    assert money(nfd(text)) == amount


@pytest.mark.parametrize(
    "text",
    ["nhà 4 người", "gọi 1900 9068", "0912345678", "đóng 6 tháng", "4", "bao nhiêu tiền", ""],
)
def test_no_money(text: str) -> None:
    assert money(text) is None


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("nhà 4 người", 4),
        ("nhà tôi 4 nguoi", 4),
        ("bốn người", 4),
        ("bon nguoi", 4),
        ("năm người", 5),
        ("nhà mười người", 10),
        ("gia đình 5 người", 5),
        ("cả nhà 3 người", 3),
        ("4 thành viên", 4),
        ("4 khẩu", 4),
        ("6 nhân khẩu", 6),
        ("nhà 4 ng", 4),
        ("nhà 4ng đóng bn", 4),
        ("nha toi co 4 nguoi co duoc giam khong", 4),
        ("vợ chồng và 2 con", 4),
        ("hai vợ chồng và 3 đứa con", 5),
        ("vợ chồng với 3 đứa con", 5),
        ("mua bhyt cho 4 đứa trong nhà (4 người lớn)", 4),  # the bracket restates
        ("nhà 4 người (2 người lớn, 2 trẻ)", 4),
        ("mua bhyt cho 4 đứa trong nhà", 4),
        ("tôi và 2 đứa nhỏ", 3),
        ("vợ chồng tôi", 2),
        ("3 người lớn và 2 trẻ em", 5),
        ("tôi và 2 con", 3),
    ],
)
def test_household_size(text: str, size: int) -> None:
    assert household_size(text) == size
    assert household_size(nfd(text)) == size


@pytest.mark.parametrize(
    "text",
    [
        "người thứ 2 đóng bao nhiêu",
        "nhà có 4",
        "năm nay đóng bao nhiêu",
        "đóng 6 tháng",
        "nhà có 4 đứa con",  # children only: who else lives there is not said
    ],
)
def test_no_household_size(text: str) -> None:
    assert household_size(text) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("6 tháng", 6),
        ("sáu tháng", 6),
        ("sau thang", 6),
        ("3 thang", 3),
        ("6th", 6),
        ("12 tháng", 12),
        ("1 năm", 12),
        ("một năm", 12),
        ("mot nam", 12),
        ("cả năm", 12),
        ("đóng theo năm", 12),
        ("nửa năm", 6),
        ("quý", 3),
        ("đóng theo quý", 3),
        ("2 quý", 6),
        ("1 năm 6 tháng", 18),
        ("2 năm rưỡi", 30),
        ("năm năm", 60),
        ("mười năm", 120),
        ("đóng 6 tháng 1 lần", 6),
        ("đóng hằng tháng", 1),
        ("từ tháng 1 đến tháng 12", 12),
        ("tu thang 10 den thang 3", 6),  # across the year's end
        ("từ 1 đến hết tháng 6", 6),
    ],
)
def test_months(text: str, count: int) -> None:
    assert months(text) == count
    assert months(nfd(text)) == count


@pytest.mark.parametrize(
    "text",
    [
        "năm nay đóng bao nhiêu",
        "năm người",
        "từ ngày 1 tháng 7",
        "sau tháng 6 có tăng không",
        "năm 2026",
        "quý khách",
        "từ 1 đến 3 người",
    ],
)
def test_no_months(text: str) -> None:
    assert months(text) is None


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("68 tuổi", 68),
        ("68 tuoi", 68),
        ("bác năm nay 68", 68),
        ("năm nay tôi 70 rồi", 70),
        ("sáu mươi tám tuổi", 68),
        ("năm nay bác bảy mươi lăm tuổi", 75),
        ("ba tôi 75 tuổi", 75),
        ("mẹ tôi ngoài 80 tuổi", 80),
        ("-5 tuổi", -5),
    ],
)
def test_age(text: str, years: int) -> None:
    assert age(text) == years
    assert age(nfd(text)) == years


@pytest.mark.parametrize("text", ["năm nay 2026", "nhà 4 người", "bao nhiêu tuổi thì nghỉ hưu"])
def test_no_age(text: str) -> None:
    assert age(text) is None


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("hộ nghèo", "poor"),
        ("ho ngheo", "poor"),
        ("nhà tôi thuộc diện nghèo", "poor"),
        ("nhà tôi thuộc hộ cận nghèo", "near_poor"),
        ("can ngheo", "near_poor"),
        ("dân tộc thiểu số", "ethnic_minority"),
        ("DTTS", "ethnic_minority"),
        ("đồng bào dân tộc", "ethnic_minority"),
        ("tôi là người dân tộc Tày", "ethnic_minority"),
        ("hộ nghèo dân tộc thiểu số", "poor"),  # the best-supported group wins
        ("cận nghèo và là người dân tộc", "near_poor"),
    ],
)
def test_support_group(text: str, group: str) -> None:
    assert support_group(text) == group
    assert support_group(nfd(text)) == group


@pytest.mark.parametrize(
    "text",
    [
        "không phải hộ nghèo",
        "mới thoát nghèo",
        "chuẩn hộ nghèo là bao nhiêu",
        "tôi dân tộc Kinh",
        "nhà tôi bình thường",
        "",
    ],
)
def test_no_support_group(text: str) -> None:
    assert support_group(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "9" * 309,
        "thu nhập " + "9" * 330 + " đồng",
        "9" * 300 + " tỷ",
        "9" * 400 + ".5 triệu",
        "1." + "9" * 400,
        "-" + "9" * 5000,
        "nhà " + "9" * 309 + " người",
        "9" * 309 + " tháng",
        "9" * 309 + " tuổi",
    ],
)
def test_absurdly_long_numbers_are_not_read_and_never_raise(text: str) -> None:
    assert money(text) is None
    assert household_size(text) is None
    assert months(text) is None
    assert age(text) is None


def test_the_longest_number_read_still_gives_an_exact_amount() -> None:
    assert money("9" * MAX_DIGITS + " đồng") == int("9" * MAX_DIGITS)
    assert money("9" * MAX_DIGITS + " tỷ") == round(float("9" * MAX_DIGITS) * 1e9)
    assert money("9" * (MAX_DIGITS + 1) + " đồng") is None
