"""Size limits of one list, on real .xlsx and .csv files written to tmp_path and read back."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.app import Loa
from bot.officers.importing.limits import CHAT_LIMITS, ImportLimits, ListTooLarge, uncompressed_size
from bot.officers.importing.reader import MAX_CELL_CHARS, RowError, read_residents
from bot.officers.importing.service import import_residents
from tests.officer_helpers import actor, add_officer

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
HEADER = ["Họ và tên", "Ngày sinh", "Mã số BHXH", "Xã", "Hạn thẻ"]


def _row(i: int, name: str | None = None, expiry: str = "31/12/2027") -> list[str]:
    return [name or f"Người Thứ {i}", "01/01/1960", f"{100_000_000 + i:010d}", "Ea Tul", expiry]


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def test_an_xlsx_too_large_once_unzipped_is_refused_before_reading(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ds.xlsx", [_row(i) for i in range(2_000)])
    with zipfile.ZipFile(path) as archive:
        members = sum(m.file_size for m in archive.infolist())
    assert uncompressed_size(path) == members > path.stat().st_size
    small = ImportLimits(max_rows=50_000, max_bytes=members - 1)
    with pytest.raises(ListTooLarge) as refused:
        read_residents(path, today=TODAY, limits=small)
    assert (refused.value.size, refused.value.limit) == (members, members - 1)
    enough = ImportLimits(max_rows=50_000, max_bytes=members)
    assert sum(1 for _ in read_residents(path, today=TODAY, limits=enough)) == 2_000


def test_a_csv_too_large_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path / "ds.csv", [_row(i) for i in range(100)])
    with pytest.raises(ListTooLarge):
        read_residents(path, today=TODAY, limits=ImportLimits(10, path.stat().st_size - 1))


@pytest.mark.parametrize("write", [_xlsx, _csv])
def test_reading_stops_after_the_row_limit(tmp_path: Path, write: object) -> None:
    assert callable(write)
    rows = [_row(i) for i in range(120)]
    rows.insert(50, ["", "", "", "", ""])  # blank rows never count
    path = write(tmp_path / ("ds.xlsx" if write is _xlsx else "ds.csv"), rows)
    parse = read_residents(path, today=TODAY, limits=ImportLimits(100, 10**9))
    numbers = [outcome.row_number for outcome in parse]
    assert numbers == [n for n in range(2, 103) if n != 52]  # header is row 1
    assert parse.stopped_after == 102
    assert parse.blank_rows == 1


def test_a_list_exactly_at_the_row_limit_is_read_whole(tmp_path: Path) -> None:
    path = _csv(tmp_path / "ds.csv", [_row(i) for i in range(100)])
    parse = read_residents(path, today=TODAY, limits=ImportLimits(100, 10**9))
    assert sum(1 for _ in parse) == 100
    assert parse.stopped_after is None


def test_an_over_long_cell_rejects_its_row_and_is_cut_in_the_rejection(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ds.xlsx", [_row(0, name="A" * 2_000), _row(1)])
    outcomes = list(read_residents(path, today=TODAY))
    bad, good = outcomes
    assert isinstance(bad, RowError)
    assert bad.reason == "Ô “Họ và tên” dài 2.000 ký tự, tối đa 255 (tệp có thể bị lỗi)"
    assert max(len(cell) for cell in bad.raw) == MAX_CELL_CHARS
    assert not isinstance(good, RowError)


async def test_an_import_over_the_row_limit_keeps_every_row_read(loa: Loa, tmp_path: Path) -> None:
    path = _csv(tmp_path / "ds.csv", [_row(i) for i in range(150)])
    report = await import_residents(
        loa.store.residents, path, today=TODAY, now=NOW, limits=ImportLimits(100, 10**9)
    )
    assert (report.rows, report.added, report.stopped_after, report.row_limit) == (
        100,
        100,
        101,
        100,
    )
    assert await loa.store.residents.count() == 100
    text = loa.renderer.text("import_report", {"r": report, "max_warnings": 10, "max_rejected": 30})
    assert "Loa đã đọc đến dòng 101, các dòng sau đó chưa được nhập" in text


async def test_the_rejected_rows_file_is_capped_with_a_count_of_the_rest(
    loa: Loa, tmp_path: Path
) -> None:
    await add_officer(loa.store, 7001, "Cán bộ", "Ea Tul", NOW)
    rows = [_row(i, expiry="31/02/2027") for i in range(1_500)] + [_row(9_999)]
    path = _xlsx(tmp_path / "ds.xlsx", rows)
    answer = await loa.officers.import_file(actor(7001, "Cán bộ"), path, "ds.xlsx", NOW)
    assert answer.reply is not None
    assert "• Bị từ chối: 1.500" in answer.reply.text
    (document,) = answer.attachments
    assert (document.name, document.photo) == ("loi_nhap_ds.csv", False)
    lines = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig"))))
    assert lines[0] == ["Dòng", "Lý do"]
    assert [int(line[0]) for line in lines[1:1001]] == list(range(2, 1002))
    assert lines[1001] == ["", "… và 500 dòng bị từ chối khác không ghi trong tệp này"]
    assert len(lines) == 1002
    assert await loa.store.residents.count() == 1


async def test_an_officer_is_told_politely_when_a_list_is_too_large(
    loa: Loa, tmp_path: Path
) -> None:
    await add_officer(loa.store, 7001, "Cán bộ", "Ea Tul", NOW)
    path = tmp_path / "to.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(HEADER) + "\n")
        line = ",".join(_row(1)) + "\n"
        handle.write(line * (CHAT_LIMITS.max_bytes // len(line.encode()) + 1))
    answer = await loa.officers.import_file(actor(7001, "Cán bộ"), path, "to.csv", NOW)
    assert answer.reply is not None
    assert "nhiều hơn mức 100 MB Loa đọc được" in answer.reply.text
    assert "Chưa có dòng nào được nhập" in answer.reply.text
    assert await loa.store.residents.count() == 0
