"""`loa export registrations -o FILE`: the format comes from the file's extension."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.clock import SystemClock
from bot.store import Store
from tests.officers.broadcasts.seed import Person, seed


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with one registration, named by DATABASE_URL."""
    path = tmp_path / "loa.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")

    async def fill() -> None:
        store = await Store.open(path)
        person = Person(1, "Nguyễn Thị Lan", "Ea Tul", "Thôn 1", None, interest="household")
        await seed(store.db, [person], SystemClock().now())
        await store.close()

    asyncio.run(fill())
    return path


def test_the_extension_picks_excel_or_csv(database: Path, tmp_path: Path) -> None:
    sheet, table = tmp_path / "dk.xlsx", tmp_path / "dk.CSV"
    assert main(["export", "registrations", "-o", str(sheet)]) == 0
    assert main(["export", "registrations", "-o", str(table)]) == 0
    rows = list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))
    assert "Nguyễn Thị Lan" in rows[1]
    lines = list(csv.reader(io.StringIO(table.read_bytes().decode("utf-8-sig"))))
    assert "Nguyễn Thị Lan" in lines[1]


@pytest.mark.parametrize(
    ("name", "given", "why"),
    [
        ("dk.xlsx", "csv", "--format csv does not match dk.xlsx"),
        ("dk.txt", None, "end the file name in .xlsx or .csv"),
        ("dk", "xlsx", "a xlsx file should end in .xlsx"),
    ],
)
def test_a_mismatch_is_refused_in_one_line_and_writes_nothing(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    given: str | None,
    why: str,
) -> None:
    args = ["export", "registrations", "-o", str(tmp_path / name)]
    assert main([*args, *(["--format", given] if given else [])]) == 2
    err = capsys.readouterr().err.strip()
    assert why in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / name).exists()
