"""Exports open cleanly: xlsx read back with openpyxl, CSV with a BOM read back with csv."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from bot.clock import VIETNAM
from bot.officers.exporting import export_bytes
from bot.render import Renderer
from bot.store.registrations import Registration, RegistrationStatus

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
ROW = Registration(
    12, None, "voluntary", "=HYPERLINK(\"x\")", "+84905123456", "Xã Hòa Phú", "hoa phu",
    "Thôn 3", "thon 3", None, "evening", RegistrationStatus.CONTACTED, NOW, NOW, NOW,
)  # fmt: skip
HEADER = ["Mã đăng ký", "Ngày đăng ký", "Họ và tên", "Số điện thoại", "Xã/phường/đặc khu"]


@pytest.fixture(scope="module")
def label() -> Renderer:
    return Renderer()


def test_xlsx_has_vietnamese_headers_and_text_that_is_never_a_formula(label: Renderer) -> None:
    content = export_bytes([ROW], "xlsx", label.label, VIETNAM)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:5]) == HEADER
    assert rows[1][:4] == ("DK000012", "25/11/2026", '=HYPERLINK("x")', "0905 123 456")
    assert sheet["C2"].data_type == "s"
    assert rows[1][7:] == ("BHXH tự nguyện", "Buổi tối", "Đã liên hệ")


def test_csv_is_utf8_with_bom(label: Renderer) -> None:
    content = export_bytes([ROW], "csv", label.label, VIETNAM)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:5] == HEADER
    assert rows[1][2] == '\'=HYPERLINK("x")'
    assert rows[1][4:6] == ["Xã Hòa Phú", "Thôn 3"]


def test_unknown_format_is_refused(label: Renderer) -> None:
    with pytest.raises(ValueError, match="xlsx"):
        export_bytes([], "pdf", label.label, VIETNAM)
