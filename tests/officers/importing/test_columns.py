"""Tests for bot.officers.importing.columns: recognising headers and finding the header row."""

from __future__ import annotations

import pytest

from bot.officers.importing.columns import MissingColumns, field_for_header, find_header, header_key


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Họ và tên", "full_name"),
        ("HỌ VÀ TÊN", "full_name"),
        ("Ho va ten", "full_name"),
        ("Họ tên", "full_name"),
        ("Tên", "full_name"),
        ("Họ và tên người tham gia", "full_name"),
        ("Ngày sinh", "birth_date"),
        ("NS", "birth_date"),
        ("Ngày sinh (dd/mm/yyyy)", "birth_date"),
        ("Ngày, tháng, năm sinh", "birth_date"),
        ("Năm sinh", "birth_year"),
        ("Giới tính", "gender"),
        ("Nam/Nữ", "gender"),
        ("Mã số BHXH", "bhxh_number"),
        ("Mã BHXH", "bhxh_number"),
        ("Số sổ BHXH", "bhxh_number"),
        ("MÃ SỐ BHXH (10 số)", "bhxh_number"),
        ("Số thẻ BHYT", "card_code"),
        ("Mã thẻ", "card_code"),
        ("Số CCCD", "id_number"),
        ("CCCD", "id_number"),
        ("Số định danh", "id_number"),
        ("Số ĐDCN", "id_number"),
        ("CMND/CCCD", "id_number"),
        ("Số điện thoại", "phone"),
        ("SĐT", "phone"),
        ("ĐT", "phone"),
        ("Điện thoại", "phone"),
        ("Thôn", "village"),
        ("Ấp", "village"),
        ("Bản", "village"),
        ("Buôn", "village"),
        ("Khu phố", "village"),
        ("Tổ dân phố", "village"),
        ("Thôn/Tổ", "village"),
        ("Địa chỉ (thôn)", "village"),
        ("Xã", "commune"),
        ("Phường", "commune"),
        ("Xã/Phường", "commune"),
        ("Đặc khu", "commune"),
        ("Hạn thẻ", "expiry_date"),
        ("HAN THE", "expiry_date"),
        ("Đến ngày", "expiry_date"),
        ("Ngày hết hạn", "expiry_date"),
        ("Hạn sử dụng", "expiry_date"),
        ("Giá trị đến", "expiry_date"),
        ("Hạn thẻ BHYT (đến ngày)", "expiry_date"),
        ("  hạn   thẻ:  ", "expiry_date"),
        ("Mã hộ", "household_code"),
        ("Mã hộ gia đình", "household_code"),
    ],
)
def test_headers_map_to_fields(header: str, field: str) -> None:
    assert field_for_header(header) == field


@pytest.mark.parametrize(
    "header",
    [
        "STT",
        "Từ ngày",
        "Ghi chú",
        "Mã số",
        "Họ và tên chủ hộ",
        "",
        "DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH",
    ],
)
def test_other_headers_are_not_fields(header: str) -> None:
    assert field_for_header(header) is None


def test_header_key_folds() -> None:
    assert header_key("  Số ĐT / Zalo ") == "so dt zalo"


def test_finds_header_below_title_rows() -> None:
    rows = [
        ["DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH", "", ""],
        ["Xã Hòa Vang, thành phố Đà Nẵng"],
        [],
        ["STT", "Họ và tên", "Ngày sinh", "Mã số BHXH", "SĐT", "Hạn thẻ", "Thôn"],
        ["1", "Nguyễn Văn An", "01/01/1980", "0123456789", "", "30/06/2026", "Thôn 1"],
    ]
    found = find_header(rows)
    assert found.header_index == 3
    assert found.columns == {
        "full_name": 1,
        "birth_date": 2,
        "bhxh_number": 3,
        "phone": 4,
        "expiry_date": 5,
        "village": 6,
    }
    assert found.headers[1] == "Họ và tên"


def test_exact_header_wins_over_longer_variant_and_leftmost_on_tie() -> None:
    rows = [["Hạn thẻ BHYT đến ngày", "Họ tên", "CCCD", "Hạn thẻ", "Họ và tên"]]
    found = find_header(rows)
    assert found.columns["expiry_date"] == 3  # exact "Hạn thẻ" beats the longer header
    assert found.columns["full_name"] == 1  # both exact: the leftmost


def test_household_head_name_is_not_the_resident_name() -> None:
    rows = [["Họ tên chủ hộ", "Họ và tên", "Mã số BHXH", "Hạn thẻ"]]
    assert find_header(rows).columns["full_name"] == 1


def test_card_number_alone_is_an_identifier() -> None:
    rows = [["Họ và tên", "Số thẻ BHYT", "Hạn thẻ"]]
    assert find_header(rows).columns == {"full_name": 0, "card_code": 1, "expiry_date": 2}


def test_missing_columns_lists_found_and_expected() -> None:
    rows = [
        ["DANH SÁCH NGƯỜI THAM GIA BHYT"],
        ["STT", "Họ và tên", "Ngày sinh", "Số điện thoại", ""],
    ]
    with pytest.raises(MissingColumns) as raised:
        find_header(rows)
    problem = raised.value
    assert problem.found == ["STT", "Họ và tên", "Ngày sinh", "Số điện thoại"]
    assert problem.expected == [
        "Họ và tên",
        "Hạn thẻ (ngày hết hạn)",
        "Mã số BHXH (hoặc Số thẻ BHYT) hoặc Số CCCD",
    ]
    assert problem.missing == [
        "Hạn thẻ (ngày hết hạn)",
        "Mã số BHXH (hoặc Số thẻ BHYT) hoặc Số CCCD",
    ]
    message = str(problem)
    assert "«Họ và tên», «Ngày sinh», «Số điện thoại»" in message
    assert "Còn thiếu: Hạn thẻ (ngày hết hạn); Mã số BHXH" in message


def test_header_beyond_ten_rows_is_not_found() -> None:
    rows: list[list[str]] = [[f"Dòng {i}"] for i in range(10)]
    rows.append(["Họ và tên", "Mã số BHXH", "Hạn thẻ"])
    with pytest.raises(MissingColumns) as raised:
        find_header(rows)
    assert raised.value.found == ["Dòng 0"]


def test_empty_list_has_no_columns() -> None:
    with pytest.raises(MissingColumns, match="không có cột nào"):
        find_header([])
