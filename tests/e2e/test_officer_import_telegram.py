"""An officer sends the commune's list to the bot in Telegram and gets the import report."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import DOWNLOAD_LIMIT, FakeTelegram
from tests.store_queries import audit_entries

ADMIN = 4242
RESIDENT = 5151
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH"])
    sheet.append(["Họ và tên", "Ngày sinh", "Mã số BHXH", "SĐT", "Thôn", "Xã", "Hạn thẻ"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
async def officer_loa(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    settings = fake_settings(server, db_path, ADMIN_IDS=str(ADMIN))
    async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1):
        yield loa


async def test_an_admin_imports_a_list_by_sending_the_file(
    server: FakeTelegram, officer_loa: Loa
) -> None:
    content = workbook(
        [
            [
                "Nguyễn Văn Ba",
                "05/03/1958",
                "0123456789",
                "0905123456",
                "Thôn 3",
                "Ea Tul",
                datetime(2026, 12, 31),  # noqa: DTZ001 - an Excel date cell has no zone
            ],
            ["Trần Thị Tư", "07/08/1961", "01234ABC89", "", "Thôn 4", "Ea Tul", "15/01/2027"],
            ["Lê Văn Năm", "01/01/1970", "0123456781", "", "Thôn 4", "Ea Tul", "31/02/2027"],
        ]
    )
    server.push_document(ADMIN, "danh_sach_ea_tul.xlsx", content, XLSX)
    await server.wait_for("sendMessage")
    report = server.sent(ADMIN)[-1].text
    assert "danh_sach_ea_tul.xlsx: 3 dòng" in report
    assert "• Thêm mới: 1" in report
    assert "• Bị từ chối: 2" in report
    assert "Dòng 4:" in report  # the officer's own row numbers, title row included
    assert "Dòng 5:" in report
    assert await officer_loa.store.residents.count() == 1
    entries = await audit_entries(officer_loa.store.db)
    assert any(e.action == "import" for e in entries)


async def test_a_residents_file_is_not_imported(server: FakeTelegram, officer_loa: Loa) -> None:
    content = workbook([["Nguyễn Văn Ba", "05/03/1958", "0123456789", "", "", "", "31/12/2026"]])
    server.push_document(RESIDENT, "ds.xlsx", content, XLSX)
    await server.wait_for("sendMessage")
    assert "chỉ đọc được tin nhắn chữ" in server.sent(RESIDENT)[-1].text
    assert await officer_loa.store.residents.count() == 0


async def test_a_file_over_the_download_limit_is_refused_with_its_reason(
    server: FakeTelegram, officer_loa: Loa
) -> None:
    content = workbook([]) + b"\0" * DOWNLOAD_LIMIT  # 20 MB and a little more
    server.push_document(ADMIN, "danh_sach_lon.xlsx", content, XLSX)
    await server.wait_for("sendMessage")
    text = server.sent(ADMIN)[-1].text
    assert "tệp danh_sach_lon.xlsx nặng 20,1 MB" in text
    assert "chỉ cho bot tải tệp đến 20 MB" in text
    assert not server.calls("getFile")  # refused before any download


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..", "tên tệp không được chỉ gồm dấu chấm"),
        ("../../etc/ds.xlsx", "tên tệp không được chứa dấu / hoặc \\"),
        ("ds\\ea_tul.xlsx", "tên tệp không được chứa dấu / hoặc \\"),
        ("ds\x07.xlsx", "ký tự điều khiển"),
    ],
)
async def test_a_file_with_an_unusable_name_is_refused_with_its_reason(
    server: FakeTelegram, officer_loa: Loa, name: str, reason: str
) -> None:
    content = workbook([["Nguyễn Văn Ba", "05/03/1958", "0123456789", "", "", "", "31/12/2026"]])
    server.push_document(ADMIN, name, content, XLSX)
    await server.wait_for("sendMessage")
    text = server.sent(ADMIN)[-1].text
    assert reason in text
    assert "đặt lại tên tệp" in text
    assert not server.calls("getFile")
    assert await officer_loa.store.residents.count() == 0


async def test_a_file_without_a_name_is_refused_with_its_reason(
    server: FakeTelegram, officer_loa: Loa
) -> None:
    content = workbook([["Nguyễn Văn Ba", "05/03/1958", "0123456789", "", "", "", "31/12/2026"]])
    server.push_document(ADMIN, "", content, XLSX)
    await server.wait_for("sendMessage")
    assert "không có tên" in server.sent(ADMIN)[-1].text
    assert await officer_loa.store.residents.count() == 0
