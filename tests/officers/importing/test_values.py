"""Tests for bot.officers.importing.values: dates, identifiers, names and formulas in cells."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest

from bot.officers.importing.values import (
    BadValue,
    cell_text,
    clean_name,
    clean_text,
    excel_serial_to_date,
    is_blank,
    parse_bhxh,
    parse_birth,
    parse_date,
    parse_expiry,
    parse_gender,
    parse_id_number,
)

TODAY = date(2026, 11, 25)


def _excel_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A date cell as openpyxl returns it: a naive datetime (Excel has no time zones)."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("30/06/2026", date(2026, 6, 30)),
        ("1/7/2026", date(2026, 7, 1)),
        ("01/7/2026", date(2026, 7, 1)),
        ("30-06-2026", date(2026, 6, 30)),
        ("30.06.2026", date(2026, 6, 30)),
        (" 30/06/2026 ", date(2026, 6, 30)),
        ("2026-06-30", date(2026, 6, 30)),
        ("2026-06-30 00:00:00", date(2026, 6, 30)),
        ("30/06/2026 08:15", date(2026, 6, 30)),
        ("30062026", date(2026, 6, 30)),
        ("20260630", date(2026, 6, 30)),
        ("1/7/26", date(2026, 7, 1)),
        ("1/7/36", date(2036, 7, 1)),  # 26 + 10: still this century
        ("1/7/37", date(1937, 7, 1)),
        (_excel_datetime(2026, 6, 30, 0, 0), date(2026, 6, 30)),
        (date(2026, 6, 30), date(2026, 6, 30)),
        (46203, date(2026, 6, 30)),
        (46203.75, date(2026, 6, 30)),
        ("46203", date(2026, 6, 30)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (1, date(1900, 1, 1)),
    ],
)
def test_parse_date(cell: object, expected: date) -> None:
    assert parse_date(cell, today=TODAY) == expected


def test_two_digit_year_pivot_follows_today() -> None:
    assert parse_date("1/7/45", today=date(2036, 1, 1)) == date(2045, 7, 1)
    assert parse_date("1/7/47", today=date(2036, 1, 1)) == date(1947, 7, 1)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("31/02/2026", "31/02/2026 (ngày không tồn tại)"),
        ("29/02/2027", "29/02/2027 (ngày không tồn tại)"),
        ("06/30/2026", "06/30/2026 (không có tháng 30; cần ghi ngày/tháng/năm)"),
        ("=DATE(2026,6,30)", "=DATE(2026,6,30) (ô chứa công thức)"),
        ("tháng 6", "tháng 6 (cần dạng ngày/tháng/năm, ví dụ 30/06/2026)"),
        ("", "(ô trống)"),
        (60, "29/02/1900 (ngày không tồn tại, lỗi ngày của Excel)"),
        (0, "0 (không phải ngày)"),
        (True, "TRUE (không phải ngày)"),
    ],
)
def test_bad_dates_explain_why(cell: object, reason: str) -> None:
    with pytest.raises(BadValue) as raised:
        parse_date(cell, today=TODAY)
    assert raised.value.reason == reason


def test_serial_matches_excel_calendar_both_sides_of_the_1900_bug() -> None:
    assert excel_serial_to_date(45658) == date(2025, 1, 1)
    assert excel_serial_to_date(367) == date(1901, 1, 1)
    assert excel_serial_to_date(31) == date(1900, 1, 31)


def test_expiry_year_must_be_plausible() -> None:
    assert parse_expiry("31/12/2036", today=TODAY) == date(2036, 12, 31)
    with pytest.raises(BadValue, match="năm 2037 không hợp lý"):
        parse_expiry("01/01/2037", today=TODAY)
    with pytest.raises(BadValue, match="năm 1999 không hợp lý"):
        parse_expiry("31/12/1999", today=TODAY)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1985", (None, 1985)),
        (1985, (None, 1985)),
        (1985.0, (None, 1985)),
        ("12/05/1985", (date(1985, 5, 12), 1985)),
        ("12/05/85", (date(1985, 5, 12), 1985)),
        ("12/05/26", (date(2026, 5, 12), 2026)),
        ("12/05/30", (date(1930, 5, 12), 1930)),  # a birth is never in the future
        (_excel_datetime(1990, 2, 3), (date(1990, 2, 3), 1990)),
    ],
)
def test_parse_birth(cell: object, expected: tuple[date | None, int]) -> None:
    assert parse_birth(cell, today=TODAY) == expected


@pytest.mark.parametrize("cell", ["1850", "2030", "01/01/2027", "31/02/1990"])
def test_parse_birth_refuses_impossible(cell: str) -> None:
    with pytest.raises(BadValue):
        parse_birth(cell, today=TODAY)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0123456789", ("0123456789", None)),
        ("01 2345 6789", ("0123456789", None)),
        ("'0123456789", ("0123456789", None)),
        (1234567890, ("1234567890", None)),
        (1234567890.0, ("1234567890", None)),
        ("1234567890.0", ("1234567890", None)),
        ("1,234567890E+9", ("1234567890", None)),  # every digit still there
        (123456789, ("0123456789", None)),  # numeric cell: Excel dropped the leading zero
        ("GD4790123456789", ("0123456789", "GD4790123456789")),
        ("gd 4 79 0123456789", ("0123456789", "GD4790123456789")),
        ("HN2010123456789", ("0123456789", "HN2010123456789")),
    ],
)
def test_parse_bhxh(cell: object, expected: tuple[str, str | None]) -> None:
    assert parse_bhxh(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("12345A7890", "12345A7890 (có chữ cái; mã số BHXH gồm 10 chữ số)"),
        (
            "123456789",
            "123456789 (cần 10 chữ số, có 9; có thể Excel đã bỏ số 0 ở đầu, "
            "hãy định dạng cột là Văn bản)",
        ),
        (
            12345678,
            "12345678 (cần 10 chữ số, có 8; có thể Excel đã bỏ số 0 ở đầu, "
            "hãy định dạng cột là Văn bản)",
        ),
        ("012345678901", "012345678901 (cần 10 chữ số, có 12)"),
        (
            "1.23457E+09",
            "1.23457E+09 (Excel đã làm tròn số; hãy định dạng cột là Văn bản rồi nhập lại)",
        ),
        ("GD9790123456789", "GD9790123456789 (mã thẻ có mức hưởng 9, chỉ có 1–5)"),
        ("GDX790123456789", "GDX790123456789 (mã thẻ 15 ký tự phải là 2 chữ cái rồi 13 chữ số)"),
        ("=A2", "=A2 (ô chứa công thức)"),
        (1234567890.5, "1234567890.5 (không phải mã số BHXH)"),
        ("0123/456789", "0123/456789 (mã số BHXH gồm 10 chữ số)"),
    ],
)
def test_parse_bhxh_rejects(cell: object, reason: str) -> None:
    with pytest.raises(BadValue) as raised:
        parse_bhxh(cell)
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("001085012345", "001085012345"),
        ("001 085 012 345", "001085012345"),
        (1085012345, "001085012345"),  # numeric cell: the 00 province prefix was lost
        (79085012345, "079085012345"),
        ("79085012345.0", "079085012345"),
    ],
)
def test_parse_id_number(cell: object, expected: str) -> None:
    assert parse_id_number(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("123456789", "123456789 (số CMND 9 số cũ; cần số CCCD 12 số)"),
        (123456789, "123456789 (số CMND 9 số cũ; cần số CCCD 12 số)"),
        ("1085012345", "1085012345 (cần 12 chữ số, có 10)"),  # text: taken as typed
        ("00108501234A", "00108501234A (có chữ cái; số CCCD gồm 12 chữ số)"),
        (
            "1.23457E+11",
            "1.23457E+11 (Excel đã làm tròn số; hãy định dạng cột là Văn bản rồi nhập lại)",
        ),
    ],
)
def test_parse_id_number_rejects(cell: object, reason: str) -> None:
    with pytest.raises(BadValue) as raised:
        parse_id_number(cell)
    assert raised.value.reason == reason


def test_clean_name() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert clean_name(f"  {decomposed}\u200b ") == "Nguyễn Thị Ánh"
    assert clean_name("Trần\tVăn\x00\nBình") == "Trần Văn Bình"
    assert clean_name("H'Hen Niê") == "H'Hen Niê"
    assert clean_name("x" * 100) == "x" * 100


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("x" * 101, "dài 101 ký tự, tối đa 100"),
        ("12345", "không phải họ tên"),
        ("=CONCAT(A1,B1)", "ô chứa công thức"),
    ],
)
def test_clean_name_rejects(cell: str, fragment: str) -> None:
    with pytest.raises(BadValue, match=fragment):
        clean_name(cell)


def test_clean_text_keeps_numbers_as_written() -> None:
    assert clean_text(12.0, 50) == "12"
    assert clean_text(" HGD 001 ", 50) == "HGD 001"


@pytest.mark.parametrize(
    ("cell", "gender"), [("Nam", "nam"), ("NỮ", "nữ"), ("nu", "nữ"), (" nữ ", "nữ")]
)
def test_parse_gender(cell: str, gender: str) -> None:
    assert parse_gender(cell) == gender


def test_parse_gender_rejects_unknown() -> None:
    with pytest.raises(BadValue, match="Nam hoặc Nữ"):
        parse_gender("x")


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (_excel_datetime(2026, 6, 30), "30/06/2026"),
        (_excel_datetime(2026, 6, 30, 8, 5), "30/06/2026 08:05"),
        (date(2026, 6, 30), "30/06/2026"),
        (False, "FALSE"),
    ],
)
def test_cell_text(cell: object, text: str) -> None:
    assert cell_text(cell) == text


def test_is_blank() -> None:
    assert is_blank(None)
    assert is_blank("")
    assert is_blank(" \t ")
    assert not is_blank("0")
    assert not is_blank(0)
