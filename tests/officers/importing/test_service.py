"""Importing a list into the registry: counts, rejections, dry run, renewals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.core.officer import Commune
from bot.core.places import place_key
from bot.core.registry import ResidentRow
from bot.officers.importing.columns import MissingColumns
from bot.officers.importing.reader import read_residents
from bot.officers.importing.service import ImportReport, import_residents
from bot.store import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
HEADER = "Họ và tên,Ngày sinh,Mã số BHXH,Số CCCD,Số điện thoại,Thôn,Xã,Hạn thẻ"
ROWS = [
    "Nguyễn Văn An,01/02/1950,0100000001,,0905123456,Thôn 1,Xã Hòa Vang,31/12/2026",
    "Trần Thị Bình,03/04/1960,0100000002,,,Thôn 2,Xã Hòa Vang,15/12/2026",
    "Lê Văn Chi,05/06/1970,,001070000003,0912345678,Thôn 3,Xã Hòa Vang,01/01/2027",
]


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def accounted(report: ImportReport) -> bool:
    """Tell whether every data row is added, updated, unchanged or rejected."""
    return report.added + report.updated + report.unchanged + len(report.rejected) == report.rows


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


def _accounted(report: ImportReport) -> bool:
    """Tell whether every data row was added, updated, unchanged or rejected."""
    return report.added + report.updated + report.unchanged + len(report.rejected) == report.rows


async def test_first_import_adds_every_good_row_and_lists_bad_ones(
    store: Store, tmp_path: Path
) -> None:
    bad = "Phạm Văn Dũng,01/01/1980,0100000004,,,Thôn 4,Xã Hòa Vang,31/02/2027"
    report = await import_residents(
        store.residents, write(tmp_path / "a.csv", [*ROWS, bad]), today=TODAY, now=NOW
    )
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert [(r.row_number, "31/02/2027" in r.reason) for r in report.rejected] == [(5, True)]
    assert _accounted(report)
    assert await store.residents.count() == 3
    (an,) = await store.residents.find_by_phone("+84905123456")
    assert (an.full_name, an.expiry_date, an.village, an.source) == (
        "Nguyễn Văn An",
        date(2026, 12, 31),
        "Thôn 1",
        "import",
    )


async def test_reimport_counts_updated_unchanged_and_records_renewals(
    store: Store, tmp_path: Path
) -> None:
    await import_residents(store.residents, write(tmp_path / "a.csv", ROWS), today=TODAY, now=NOW)
    changed = [
        ROWS[0].replace("31/12/2026", "31/12/2027"),  # renewed
        ROWS[1].replace("Thôn 2", "Thôn 5"),  # moved
        ROWS[2],
        "Võ Thị Em,01/01/1990,0100000009,,,Thôn 1,Xã Hòa Vang,01/03/2027",
    ]
    report = await import_residents(
        store.residents, write(tmp_path / "b.csv", changed), today=TODAY, now=NOW
    )
    assert (report.added, report.updated, report.unchanged, report.renewed) == (1, 2, 1, 1)
    assert report.rejected == ()
    (an,) = await store.residents.find_by_phone("+84905123456")
    assert await store.residents.renewals(an.id) == [(date(2026, 12, 31), date(2027, 12, 31))]
    binh = await store.residents.find_by_identity("0100000002", date(1960, 4, 3))
    assert binh is not None
    assert binh.village == "Thôn 5"
    assert await store.residents.renewals(binh.id) == []


async def test_an_empty_cell_never_erases_a_known_phone(store: Store, tmp_path: Path) -> None:
    await import_residents(store.residents, write(tmp_path / "a.csv", ROWS), today=TODAY, now=NOW)
    again = [ROWS[0].replace("0905123456", ""), *ROWS[1:]]
    report = await import_residents(
        store.residents, write(tmp_path / "b.csv", again), today=TODAY, now=NOW
    )
    assert report.unchanged == 3
    assert len(await store.residents.find_by_phone("+84905123456")) == 1


async def test_dry_run_reports_but_writes_nothing(store: Store, tmp_path: Path) -> None:
    report = await import_residents(
        store.residents, write(tmp_path / "a.csv", ROWS), today=TODAY, now=NOW, dry_run=True
    )
    assert (report.added, report.dry_run) == (3, True)
    assert await store.residents.count() == 0
    await import_residents(store.residents, write(tmp_path / "a.csv", ROWS), today=TODAY, now=NOW)
    renewed = [ROWS[0].replace("31/12/2026", "31/12/2027"), *ROWS[1:]]
    report = await import_residents(
        store.residents, write(tmp_path / "b.csv", renewed), today=TODAY, now=NOW, dry_run=True
    )
    assert (report.updated, report.renewed) == (1, 1)
    (an,) = await store.residents.find_by_phone("+84905123456")
    assert an.expiry_date == date(2026, 12, 31)
    assert await store.residents.renewals(an.id) == []


async def test_numbers_of_two_different_residents_on_one_row_are_rejected(
    store: Store, tmp_path: Path
) -> None:
    await import_residents(store.residents, write(tmp_path / "a.csv", ROWS), today=TODAY, now=NOW)
    mixed = "Nguyễn Văn An,01/02/1950,0100000001,001070000003,,Thôn 1,Xã Hòa Vang,31/12/2027"
    report = await import_residents(
        store.residents, write(tmp_path / "b.csv", [mixed]), today=TODAY, now=NOW
    )
    assert [r.row_number for r in report.rejected] == [2]
    assert "hai người khác nhau" in report.rejected[0].reason
    assert (report.added, report.updated, report.unchanged) == (0, 0, 0)
    assert _accounted(report)


async def test_two_rows_for_one_resident_keep_the_first(store: Store, tmp_path: Path) -> None:
    both = "Lê Văn Chi,05/06/1970,0100000007,001070000003,,Thôn 3,Xã Hòa Vang,01/01/2027"
    await import_residents(store.residents, write(tmp_path / "a.csv", [both]), today=TODAY, now=NOW)
    by_number = "Lê Văn Chi,05/06/1970,0100000007,,,Thôn 3,Xã Hòa Vang,01/01/2027"
    by_cccd = "Lê Văn Chi,05/06/1970,,001070000003,,Thôn 3,Xã Hòa Vang,01/06/2027"
    report = await import_residents(
        store.residents, write(tmp_path / "b.csv", [by_number, by_cccd]), today=TODAY, now=NOW
    )
    assert [(r.row_number, r.reason) for r in report.rejected] == [
        (3, "Cùng một người với dòng 2 (trùng mã số)")
    ]
    assert (report.unchanged, report.updated) == (1, 0)
    assert _accounted(report)


async def test_missing_required_columns_are_refused_with_found_and_expected(
    store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.csv", ["Nguyễn Văn An,0905123456"], header="Họ và tên,SĐT")
    with pytest.raises(MissingColumns) as caught:
        await import_residents(store.residents, path, today=TODAY, now=NOW)
    assert caught.value.found
    assert caught.value.expected
    assert "Hạn thẻ" in str(caught.value) or "hết hạn" in str(caught.value).lower()
    assert await store.residents.count() == 0


async def test_an_officers_list_stays_inside_their_commune(store: Store, tmp_path: Path) -> None:
    """Rows without a commune are the officer's; other communes' rows and residents are not."""
    elsewhere = "Đỗ Văn Em,01/01/1955,0100000009,,,Thôn 9,Xã Cư Né,31/12/2026"
    await import_residents(  # an administrator's list: no scope
        store.residents, write(tmp_path / "admin.csv", [elsewhere]), today=TODAY, now=NOW
    )
    rows = [
        "Nguyễn Văn An,01/02/1950,0100000001,,0905123456,Thôn 1,,31/12/2026",  # no commune
        "Trần Thị Bình,03/04/1960,0100000002,,,Thôn 2,xa hoa vang,15/12/2026",  # same, typed
        "Lê Văn Chi,05/06/1970,0100000003,,,Thôn 3,Xã Ea Tul,01/01/2027",  # another commune
        "Đỗ Văn Em,01/01/1955,0100000009,,,Thôn 9,,31/12/2027",  # Cư Né's resident
    ]
    officer = Commune(place_key("Xã Hòa Vang"), "Hòa Vang")
    report = await import_residents(
        store.residents,
        write(tmp_path / "officer.csv", rows),
        today=TODAY,
        now=NOW,
        communes=[officer],
    )
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    assert [(r.row_number, r.reason) for r in report.rejected] == [
        (4, "Dòng của “Xã Ea Tul”, không thuộc xã của bạn (Hòa Vang)"),
        (5, "Người này đã có trong danh sách của “Xã Cư Né”"),
    ]
    assert _accounted(report)
    (an,) = await store.residents.find_by_phone("+84905123456")
    assert an.commune == "Hòa Vang"
    em = await store.residents.find_by_identity("0100000009", date(1955, 1, 1))
    assert em is not None
    assert (em.commune, em.expiry_date) == ("Xã Cư Né", date(2026, 12, 31))  # left alone


async def test_imports_staging_at_the_same_time_never_mix_rows(
    store: Store, tmp_path: Path
) -> None:
    """Two lists imported at once on one store: each report has exactly its own rows."""
    report_a, report_b = await asyncio.gather(
        import_residents(store.residents, write(tmp_path / "a.csv", _rows("A", 1, 30)), **AT),
        import_residents(store.residents, write(tmp_path / "b.csv", _rows("B", 2, 20)), **AT),
    )
    assert (report_a.rows, report_a.added, report_a.rejected) == (30, 30, ())
    assert (report_b.rows, report_b.added, report_b.rejected) == (20, 20, ())
    assert await store.residents.count() == 50


async def test_staging_tables_of_two_imports_are_their_own(store: Store, tmp_path: Path) -> None:
    """Staged in turns on the one connection (below the service's turns), rows never mix."""
    a, b = store.residents.begin_import(), store.residents.begin_import()
    first = list(read_residents(write(tmp_path / "a.csv", _rows("A", 1, 30)), today=TODAY))
    second = list(read_residents(write(tmp_path / "b.csv", _rows("B", 2, 20)), today=TODAY))
    await a.stage([r for r in first[:10] if isinstance(r, ResidentRow)])
    await b.stage([r for r in second if isinstance(r, ResidentRow)])
    await a.stage([r for r in first[10:] if isinstance(r, ResidentRow)])
    merged_a, merged_b = await asyncio.gather(a.merge(NOW), b.merge(NOW))
    assert (merged_a.added, merged_a.rejected) == (30, ())
    assert (merged_b.added, merged_b.rejected) == (20, ())
    assert await store.residents.count() == 50


AT = {"today": TODAY, "now": NOW}


def _rows(prefix: str, first_digit: int, count: int) -> list[str]:
    """`count` good rows whose BHXH numbers start with `first_digit`."""
    return [
        f"Người {prefix}{i},01/01/1960,{first_digit}{i:09d},,,Thôn 1,Xã Hòa Vang,31/12/2027"
        for i in range(count)
    ]
