"""Tests for bot.officers.importing.reader on real .xlsx and .csv files written to tmp_path."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.core.registry import ResidentRow
from bot.officers.importing.columns import MissingColumns
from bot.officers.importing.reader import (
    ImportParse,
    RowError,
    RowWarning,
    UnsupportedFile,
    detect_encoding,
    read_residents,
)

TODAY = date(2026, 11, 25)


def _excel_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A date cell as openpyxl returns it: a naive datetime (Excel has no time zones)."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


TITLE = "DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH"
HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Mã số BHXH",
    "Số thẻ BHYT",
    "Số CCCD",
    "SĐT",
    "Thôn",
    "Xã",
    "Hạn thẻ",
    "Mã hộ",
]


def _outcomes(parse: ImportParse) -> tuple[list[ResidentRow], dict[int, str]]:
    """Return accepted rows and {row number: reason} of errors, checking file order."""
    rows: list[ResidentRow] = []
    errors: dict[int, str] = {}
    numbers = []
    for outcome in parse:
        numbers.append(outcome.row_number)
        if isinstance(outcome, RowError):
            errors[outcome.row_number] = outcome.reason
        else:
            rows.append(outcome)
    assert numbers == sorted(numbers)
    return rows, errors


def _write_xlsx(path: Path, rows: list[list[object]], title: str = "Danh sách") -> None:
    """Write one sheet with `rows` (row 1 first); cells as given."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str = ",") -> None:
    """Write rows as CSV text in `encoding`."""
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Encode like Windows-1258 does: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = "".join(c for c in parts if c not in _TONE_MARKS)
            tones = "".join(c for c in parts if c in _TONE_MARKS)
            out += (unicodedata.normalize("NFC", base) + tones).encode("cp1258")
    return bytes(out)


# --- Excel -------------------------------------------------------------------------------


@pytest.fixture
def excel_list(tmp_path: Path) -> Path:
    """A realistic .xlsx: title rows, numbering row, dates, serials, formulas, mistakes."""
    path = tmp_path / "danh_sach.xlsx"
    _write_xlsx(
        path,
        [
            [TITLE],
            ["Xã Hòa Vang, thành phố Đà Nẵng"],
            [*HEADER],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)", "(11)"],
            # row 5: date cells, text with leading zero, numeric CCCD that lost its zeros
            [
                1,
                " Nguyễn Văn An ",
                _excel_datetime(1980, 5, 12),
                "0123456789",
                None,
                1085012345,
                "0905 123 456",
                "Thôn 03",
                "Xã Hòa Vang",
                _excel_datetime(2026, 6, 30),
                "HGD001",
            ],
            # row 6: serial number expiry, numeric BHXH that lost its leading zero, birth year
            [
                2,
                "Trần Thị Bình",
                1985,
                223456789,
                None,
                None,
                905111222.0,
                "thôn 3",
                "Hòa Vang",
                46203,
                17,
            ],
            # row 7: formula without a cached value (openpyxl writes none)
            [
                3,
                "Lê Văn Cường",
                None,
                "0323456789",
                None,
                None,
                None,
                "Thôn 1",
                "Xã Hòa Vang",
                "=DATE(2026,6,30)",
                None,
            ],
            [None] * 11,  # row 8: empty
            # row 9: impossible date
            [
                5,
                "Phạm Thị Dung",
                None,
                "0423456789",
                None,
                None,
                None,
                None,
                None,
                "31/02/2026",
                None,
            ],
            # row 10: only the old 15-character card code
            [
                6,
                "Hoàng Văn Em",
                "07/08/1990",
                None,
                "GD4790523456789",
                None,
                None,
                None,
                None,
                "30/06/2027",
                None,
            ],
            # row 11: same BHXH number as row 5
            [
                7,
                "Nguyễn Văn An",
                None,
                "0123456789",
                None,
                None,
                None,
                None,
                None,
                "30/06/2026",
                None,
            ],
            # row 12: BHXH number with a letter
            [
                8,
                "Vũ Thị Giang",
                None,
                "06234O6789",
                None,
                None,
                None,
                None,
                None,
                "30/06/2026",
                None,
            ],
            # row 13: invalid phone: the row is kept, phone dropped with a warning
            [
                9,
                "Đặng Văn Hải",
                None,
                "0723456789",
                None,
                None,
                "0905 123",
                "Thôn 2",
                "Xã Hòa Vang",
                "01/12/2026",
                None,
            ],
            [10, None, None, None, None, None, None, None, None, None, None],  # row 14: STT only
            # row 15: BHXH number and card code disagree
            [
                11,
                "Bùi Văn Khoa",
                None,
                "0823456789",
                "GD4790923456789",
                None,
                None,
                None,
                None,
                "01/12/2026",
                None,
            ],
            # row 16: formula typed as text, nothing else wrong
            [12, "Đỗ Thị Lan", None, "0923456789", None, None, None, None, None, "=A1", None],
        ],
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet["J16"].data_type = "s"  # text typed as '=A1, not a formula
    workbook.save(path)
    return path


def test_excel_every_row_outcome(excel_list: Path) -> None:
    parse = read_residents(excel_list, today=TODAY)
    assert parse.header_row == 3
    assert parse.sheet == "Danh sách"
    rows, errors = _outcomes(parse)

    assert [row.row_number for row in rows] == [5, 6, 10, 13]
    an, binh, em, hai = rows
    assert an == ResidentRow(
        row_number=5,
        full_name="Nguyễn Văn An",
        birth_date=date(1980, 5, 12),
        birth_year=1980,
        bhxh_number="0123456789",
        card_code=None,
        id_number="001085012345",
        phone="+84905123456",
        commune="Xã Hòa Vang",
        commune_key="hoa vang",
        village="Thôn 03",
        village_key="thon 3",
        expiry_date=date(2026, 6, 30),
        household_code="HGD001",
    )
    assert binh.expiry_date == date(2026, 6, 30)  # serial 46203
    assert binh.bhxh_number == "0223456789"  # numeric cell: leading zero restored
    assert (binh.birth_date, binh.birth_year) == (None, 1985)
    assert binh.phone == "+84905111222"
    assert binh.village_key == an.village_key
    assert binh.commune_key == an.commune_key
    assert binh.household_code == "17"
    assert (em.bhxh_number, em.card_code) == ("0523456789", "GD4790523456789")
    assert em.birth_date == date(1990, 8, 7)
    assert hai.phone is None

    assert errors == {
        7: "Thiếu ngày hết hạn thẻ (ô trống hoặc công thức chưa có giá trị)",
        9: "Ngày hết hạn không hợp lệ: 31/02/2026 (ngày không tồn tại)",
        11: "Trùng mã số BHXH 0123456789 với dòng 5",
        12: "Mã số BHXH không hợp lệ: 06234O6789 (có chữ cái; mã số BHXH gồm 10 chữ số)",
        15: "Mã số BHXH 0823456789 không khớp với số thẻ BHYT GD4790923456789",
        16: "Ngày hết hạn không hợp lệ: =A1 (ô chứa công thức)",
    }
    assert parse.blank_rows == 2  # row 8 and the STT-only row 14
    assert parse.warnings == [
        RowWarning(4, "Bỏ qua dòng đánh số cột dưới dòng tiêu đề"),
        RowWarning(13, "Bỏ qua số điện thoại không hợp lệ: 0905 123 (thiếu số)"),
    ]


def test_excel_error_keeps_raw_cells_as_shown(excel_list: Path) -> None:
    with read_residents(excel_list, today=TODAY) as parse:
        error = next(o for o in parse if isinstance(o, RowError))
    assert error.row_number == 7
    assert error.raw == (
        "3", "Lê Văn Cường", "", "0323456789", "", "", "", "Thôn 1", "Xã Hòa Vang", "", "",
    )  # fmt: skip


def test_excel_picks_the_sheet_with_the_list(tmp_path: Path) -> None:
    path = tmp_path / "two_sheets.xlsx"
    workbook = openpyxl.Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "Hướng dẫn"
    guide.append(["Điền danh sách ở trang sau"])
    data = workbook.create_sheet("DS")
    data.append(["Họ tên", "CCCD", "HAN THE"])
    data.append(["Ngô Văn Minh", "079085012345", "15/01/2027"])
    workbook.save(path)
    parse = read_residents(path, today=TODAY)
    rows, errors = _outcomes(parse)
    assert parse.sheet == "DS"
    assert errors == {}
    assert [(r.row_number, r.id_number, r.bhxh_number) for r in rows] == [(2, "079085012345", None)]


def test_excel_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "thieu_cot.xlsx"
    _write_xlsx(path, [[TITLE], ["STT", "Họ và tên", "Ngày sinh", "Số điện thoại"]])
    with pytest.raises(MissingColumns) as raised:
        read_residents(path, today=TODAY)
    assert raised.value.found == ["STT", "Họ và tên", "Ngày sinh", "Số điện thoại"]
    assert "Còn thiếu: Hạn thẻ (ngày hết hạn); Mã số BHXH" in str(raised.value)


def test_damaged_excel_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(UnsupportedFile, match=re.escape("hong.xlsx")):
        read_residents(path, today=TODAY)


# --- CSV ---------------------------------------------------------------------------------

CSV_ROWS = [
    [TITLE, "", "", "", "", ""],
    ["Họ và tên", "Ngày sinh", "Mã số BHXH", "Điện thoại", "Ấp", "Hạn thẻ"],
    ["Nguyễn Thị Ánh", "01/02/1975", "0123456789", "0905.123.456", "Ấp Phú Hòa", "30/06/2026"],
    ["", "", "", "", "", ""],
    ["Trương Văn Đức", "3/4/75", "123456789", "", "Ấp 01", "30-06-2026"],
    ["Lý Thị Hường", "", "0223456789", "+84 912 345 678", "", "2026-07-01"],
    ["Huỳnh Văn Lộc", "", "0323456789", "", "", "=TODAY()+30"],
]


def _check_csv_outcomes(parse: ImportParse) -> None:
    """The outcome every CSV_ROWS file must give, whatever its encoding or delimiter."""
    rows, errors = _outcomes(parse)
    assert [(r.row_number, r.full_name, r.expiry_date) for r in rows] == [
        (3, "Nguyễn Thị Ánh", date(2026, 6, 30)),
        (6, "Lý Thị Hường", date(2026, 7, 1)),
    ]
    assert rows[0].birth_date == date(1975, 2, 1)
    assert rows[0].phone == "+84905123456"
    assert (rows[0].village, rows[0].village_key) == ("Ấp Phú Hòa", "phu hoa")
    assert rows[1].phone == "+84912345678"
    assert all(unicodedata.is_normalized("NFC", r.full_name) for r in rows)
    assert errors == {
        5: "Mã số BHXH không hợp lệ: 123456789 (cần 10 chữ số, có 9; có thể Excel đã bỏ "
        "số 0 ở đầu, hãy định dạng cột là Văn bản)",
        7: "Ngày hết hạn không hợp lệ: =TODAY()+30 (ô chứa công thức)",
    }
    assert parse.blank_rows == 1
    assert parse.header_row == 2
    assert parse.warnings == []


def test_csv_utf8_comma(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    _write_csv(path, CSV_ROWS, "utf-8")
    parse = read_residents(path, today=TODAY)
    assert (parse.encoding, parse.delimiter) == ("utf-8", ",")
    _check_csv_outcomes(parse)


def test_csv_utf8_bom_semicolon(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    _write_csv(path, CSV_ROWS, "utf-8-sig", delimiter=";")
    parse = read_residents(path, today=TODAY)
    assert (parse.encoding, parse.delimiter) == ("utf-8-sig", ";")
    assert parse.headers[0] == "Họ và tên"  # no BOM glued to the first header
    _check_csv_outcomes(parse)


def test_csv_cp1258_with_combining_tone_marks(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    text = "\r\n".join(";".join(row) for row in CSV_ROWS) + "\r\n"
    path.write_bytes(_cp1258(text))
    parse = read_residents(path, today=TODAY)
    assert (parse.encoding, parse.delimiter) == ("cp1258", ";")
    _check_csv_outcomes(parse)


def test_csv_utf16_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "ds.txt"
    _write_csv(path, CSV_ROWS, "utf-16", delimiter="\t")
    parse = read_residents(path, today=TODAY)
    assert (parse.encoding, parse.delimiter) == ("utf-16", "\t")
    _check_csv_outcomes(parse)


def test_csv_nfd_text_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    rows = [[unicodedata.normalize("NFD", cell) for cell in row] for row in CSV_ROWS]
    _write_csv(path, rows, "utf-8")
    _check_csv_outcomes(read_residents(path, today=TODAY))


def test_csv_cp1252_headers_without_diacritics(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    rows = [
        ["HO VA TEN", "MA SO BHXH", "HAN THE", "SO CCCD"],
        ["Šimon Novák", "0123456789", "30/06/2026", "001085012345"],
    ]
    _write_csv(path, rows, "cp1252")
    parse = read_residents(path, today=TODAY)
    assert parse.encoding == "cp1252"
    rows_read, errors = _outcomes(parse)
    assert errors == {}
    assert [(r.row_number, r.full_name, r.id_number) for r in rows_read] == [
        (2, "Šimon Novák", "001085012345")
    ]


def test_csv_duplicates_by_id_and_missing_values(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    rows = [
        ["Họ tên", "Mã BHXH", "CCCD", "Đến ngày", "SĐT"],
        ["Mai Văn Nam", "0123456789", "001085012345", "1/1/27", "0905123456 / 0236 3822 123"],
        ["Mai Văn Nam", "0999999999", "001085012345", "1/1/27", ""],
        ["Mai Thị Oanh", "", "", "1/1/27", ""],
        ["", "0888888888", "", "", ""],
        ["Mai Thị Phượng", "GD4790123456789", "", "1/1/27", "abc"],
    ]
    _write_csv(path, rows, "utf-8")
    parse = read_residents(path, today=TODAY)
    accepted, errors = _outcomes(parse)
    assert [(r.row_number, r.expiry_date, r.phone) for r in accepted] == [
        (2, date(2027, 1, 1), "+84905123456")
    ]
    assert errors == {
        3: "Trùng số CCCD 001085012345 với dòng 2",
        4: "Thiếu mã số BHXH hoặc số CCCD",
        5: "Thiếu họ tên; Thiếu ngày hết hạn thẻ",
        6: "Trùng mã số BHXH 0123456789 với dòng 2",
    }
    assert parse.warnings == [
        RowWarning(2, "Ô điện thoại có nhiều số, chỉ dùng số 0905123456"),
    ]


def test_csv_invalid_phone_keeps_row_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    rows = [
        ["Họ tên", "Mã BHXH", "Hạn thẻ", "SĐT", "Giới tính", "Ngày sinh"],
        ["Mai Thị Phượng", "0123456789", "01/01/2027", "abc", "x", "31/02/1990"],
    ]
    _write_csv(path, rows, "utf-8")
    parse = read_residents(path, today=TODAY)
    accepted, errors = _outcomes(parse)
    assert errors == {}
    assert (accepted[0].phone, accepted[0].gender, accepted[0].birth_date) == (None, None, None)
    assert parse.warnings == [
        RowWarning(2, "Bỏ qua ngày sinh không hợp lệ: 31/02/1990 (ngày không tồn tại)"),
        RowWarning(2, "Bỏ qua số điện thoại không hợp lệ: abc (có chữ)"),
        RowWarning(2, "Bỏ qua giới tính không rõ: x (cần ghi Nam hoặc Nữ)"),
    ]


def test_csv_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    _write_csv(path, [["STT", "Họ và tên", "SĐT"], ["1", "An", "0905123456"]], "utf-8")
    with pytest.raises(MissingColumns) as raised:
        read_residents(path, today=TODAY)
    assert raised.value.found == ["STT", "Họ và tên", "SĐT"]


def test_detect_encoding_prefers_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Họ và tên\n", encoding="utf-8")
    assert detect_encoding(path) == "utf-8"


def test_parse_is_single_use(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    _write_csv(path, CSV_ROWS, "utf-8")
    parse = read_residents(path, today=TODAY)
    assert len(list(parse)) == 4
    with pytest.raises(RuntimeError, match="only once"):
        iter(parse)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("ds.xls", "Excel 97–2003"), ("ds.pdf", "chỉ nhận danh sách Excel"), ("ds", "ds")],
)
def test_unsupported_extension(tmp_path: Path, name: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedFile, match=fragment):
        read_residents(path, today=TODAY)
