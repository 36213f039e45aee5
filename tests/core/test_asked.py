"""The time a question is about, read from everyday Vietnamese (#19.1)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.asked import AskedTime, asked_time, span_months

TODAY = date(2026, 12, 15)
RAISES = (date(2023, 7, 1), date(2024, 7, 1), date(2026, 7, 1))


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("năm 2024 lương cơ sở bao nhiêu", date(2024, 1, 1), date(2024, 12, 31), "year"),
        ("nam 2025 dong bhyt", date(2025, 1, 1), date(2025, 12, 31), "year"),
        ("bhyt 2023 giá bao nhiêu", date(2023, 1, 1), date(2023, 12, 31), "year"),
        ("hồi tháng 10/2025 thì sao", date(2025, 10, 1), date(2025, 10, 31), "month"),
        ("T3/2024 đóng bao nhiêu", date(2024, 3, 1), date(2024, 3, 31), "month"),
        ("thang 5-2023", date(2023, 5, 1), date(2023, 5, 31), "month"),
        ("tháng ba năm 2024", date(2024, 3, 1), date(2024, 3, 31), "month"),
        ("thang 12 nam ngoai", date(2025, 12, 1), date(2025, 12, 31), "month"),
        ("tháng trước", date(2026, 11, 1), date(2026, 11, 30), "month"),
        ("ngày 15/8/2025", date(2025, 8, 15), date(2025, 8, 15), "day"),
        ("15.08.2025", date(2025, 8, 15), date(2025, 8, 15), "day"),
        ("tu 1/1/2026 den 31/12/2026", date(2026, 1, 1), date(2026, 12, 31), "range"),
        ("từ 15/3/2026 đến 14/3/2027", date(2026, 3, 15), date(2027, 3, 14), "range"),
        ("từ 7/2026 đến 6/2027", date(2026, 7, 1), date(2027, 6, 30), "range"),
        ("năm ngoái từ tháng 1 đến tháng 12", date(2025, 1, 1), date(2025, 12, 31), "range"),
        ("nam nay tu thang 3 den thang 8", date(2026, 3, 1), date(2026, 8, 31), "range"),
        ("từ tháng 1 đến tháng 6/2026", date(2026, 1, 1), date(2026, 6, 30), "range"),
        ("cuối năm 2023", date(2023, 10, 1), date(2023, 12, 31), "part"),
        ("dau nam ngoai", date(2025, 1, 1), date(2025, 3, 31), "part"),
        ("năm ngoái là bao nhiêu", date(2025, 1, 1), date(2025, 12, 31), "year"),
        ("nam nay", date(2026, 1, 1), date(2026, 12, 31), "year"),
        ("năm sau", date(2027, 1, 1), date(2027, 12, 31), "year"),
        ("3 năm trước", date(2023, 1, 1), date(2023, 12, 31), "year"),
        ("trước đợt tăng lương cơ sở", date(2024, 7, 1), date(2026, 6, 30), "before_raise"),
        ("sau khi tang luong co so", date(2026, 7, 1), date(2026, 7, 1), "before_raise"),
        ("năm 1890 đóng bao nhiêu", date(1890, 1, 1), date(1890, 12, 31), "year"),
    ],
)
def test_a_named_time_is_read(text: str, start: date, end: date, precision: str) -> None:
    asked = asked_time(text, TODAY, RAISES)
    assert asked is not None
    assert (asked.start, asked.end, asked.precision) == (start, end, precision)


@pytest.mark.parametrize(
    "text",
    [
        "nhà tôi 4 người đóng bhyt bao nhiêu",
        "thu nhập 3.000.000 đồng",
        "thu nhap 2000 nghin",
        "lương cơ sở 2.340.000 áp dụng từ ngày nào",
        "31/2/2026 đóng bao nhiêu",  # no such day
        "năm 20266 lương cơ sở",  # five digits: not a year
        "tôi sinh năm 1965 bao giờ nghỉ hưu",  # a birth date
        "nam sinh thang 2/1965 thi khi nao",
        "đóng từ năm 2000 đến nay",  # a span up to now
        "13/2025",  # no such month
    ],
)
def test_no_time_is_read_where_none_is_asked(text: str) -> None:
    assert asked_time(text, TODAY, RAISES) is None


def test_the_first_of_two_times_wins() -> None:
    asked = asked_time("12/2026, 1/2027 và 2/2027", TODAY, RAISES)
    assert asked == AskedTime(date(2026, 12, 1), date(2026, 12, 31), "month")


def test_before_a_raise_with_no_raise_yet_is_no_time() -> None:
    assert asked_time("trước đợt tăng lương", TODAY, ()) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("tu 1/1/2026 den 31/12/2026", 12),
        ("từ 15/3/2026 đến 14/3/2027", 12),
        ("từ 7/2026 đến 6/2027", 12),
        ("năm nay từ tháng 3 đến tháng 8", 6),
    ],
)
def test_a_span_counts_its_months(text: str, count: int) -> None:
    asked = asked_time(text, TODAY, RAISES)
    assert asked is not None
    assert span_months(asked) == count
