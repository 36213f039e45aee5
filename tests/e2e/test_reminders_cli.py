"""`loa import residents` on a generated .xlsx, then `loa remind`, as real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl

from bot.store import ContactStatus, Store
from tests.store_queries import outbox_rows

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
PEOPLE = [
    # name, BHXH number, birth date, expiry, village, linked contact status (None: unlinked)
    ("Nguyễn Văn An", "0100000001", date(1950, 2, 1), date(2026, 12, 2), "Thôn 1", "active"),
    ("Trần Thị Bình", "0100000002", date(1955, 3, 4), date(2026, 12, 25), "Thôn 2", "active"),
    ("Lê Văn Chi", "0100000003", date(1960, 5, 6), date(2026, 12, 2), "Thôn 3", "stopped"),
    ("Phạm Thị Dung", "0100000004", date(1965, 7, 8), date(2026, 12, 2), "Thôn 4", None),
    ("Võ Văn Em", "0100000005", date(1970, 9, 10), date(2027, 6, 30), "Thôn 5", "active"),
]


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH"])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Mã số BHXH", "Thôn", "Xã", "Hạn thẻ"])
    for i, (name, number, born, expiry, village, _) in enumerate(PEOPLE, start=1):
        sheet.append([i, name, born, number, village, "Xã Hòa Vang", expiry.strftime("%d/%m/%Y")])
    sheet.append(
        [6, "Đỗ Văn Giang", "01/01/1980", "01000O0006", "Thôn 6", "Xã Hòa Vang", "31/02/2027"]
    )
    book.save(path)
    return path


def _loa(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _link(db: Path) -> None:
    store = await Store.open(db)
    try:
        for i, (name, number, born, _, _, status) in enumerate(PEOPLE, start=1):
            if status is None:
                continue
            resident = await store.residents.find_by_identity(number, born)
            assert resident is not None, name
            contact = await store.contacts.touch("telegram", str(500 + i), name, NOW)
            await store.residents.link(resident.id, contact.id, NOW)
            if status != "active":
                await store.contacts.set_status(contact.id, ContactStatus(status), NOW)
    finally:
        await store.close()


async def _reminder_keys(db: Path) -> list[str]:
    store = await Store.open(db)
    try:
        return sorted(row.dedupe_key or "" for row in await outbox_rows(store.db))
    finally:
        await store.close()


async def test_import_then_remind_prints_the_expected_residents(tmp_path: Path) -> None:
    db = tmp_path / "loa.db"
    listing = _xlsx(tmp_path / "danh_sach.xlsx")

    done = _loa(db, "import", "residents", str(listing))
    assert done.returncode == 0, done.stderr
    assert "Thêm mới: 5" in done.stdout
    assert "Bị từ chối: 1" in done.stdout
    assert "Dòng 8:" in done.stdout  # the bad row, numbered as Excel shows it

    await _link(db)
    counted = _loa(db, "remind", "--dry-run", "--now", "2026-11-25T09:00")
    assert counted.returncode == 0, counted.stderr
    assert "Would remind / Sẽ nhắc: 2" in counted.stdout
    assert "By channel / Theo kênh: telegram 2" in counted.stdout
    assert "|" not in counted.stdout  # names only with --list
    dry = _loa(db, "remind", "--dry-run", "--list", "--now", "2026-11-25T09:00")
    assert dry.returncode == 0, dry.stderr
    lines = [line for line in dry.stdout.splitlines() if "|" in line]
    assert len(lines) == 4  # every resident due today: two reachable, two not
    assert "Nguyễn Văn An | Thôn 1, Xã Hòa Vang | hết hạn 02/12/2026 | mốc -7 ngày" in lines[0]
    assert "Trần Thị Bình | Thôn 2, Xã Hòa Vang | hết hạn 25/12/2026 | mốc -30 ngày" in lines[1]
    assert "| qua telegram | gửi từ 09:00 25/11/2026" in lines[0]
    unreachable = {line.split(" | ")[0].strip(): line for line in lines[2:]}
    assert "không nhắn được: đã dừng nhận tin" in unreachable["Lê Văn Chi"]
    assert (
        "không nhắn được: chưa liên kết với Loa, danh sách không có số điện thoại"
        in (unreachable["Phạm Thị Dung"])
    )
    assert "Chưa liên kết, không nhắn được: 1" in dry.stdout
    assert "Đã dừng hoặc chặn: 1" in dry.stdout
    assert await _reminder_keys(db) == []  # the dry run queued nothing

    # Two planner runs in separate processes (a restart between them), then the next stage.
    for now in ("2026-11-25T09:00", "2026-11-25T15:00", "2026-12-02T07:30"):
        assert _loa(db, "remind", "--now", now).returncode == 0
    keys = await _reminder_keys(db)
    an = [key for key in keys if key.startswith("reminder:1:")]
    assert an == ["reminder:1:2026-12-02:-7", "reminder:1:2026-12-02:0"]
    assert [key for key in keys if key.startswith("reminder:2:")] == ["reminder:2:2026-12-25:-30"]
    assert len(keys) == 3


def test_a_missing_file_and_missing_columns_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "loa.db"
    gone = _loa(db, "import", "residents", str(tmp_path / "none.xlsx"))
    assert gone.returncode == 2
    assert "no such file" in gone.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("Họ và tên,SĐT\nNguyễn Văn An,0905123456\n", encoding="utf-8")
    refused = _loa(db, "import", "residents", str(bad))
    assert refused.returncode == 2
    assert "Các cột cần có" in refused.stderr
    assert "«Họ và tên»" in refused.stderr
