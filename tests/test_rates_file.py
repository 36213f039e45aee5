"""An office's own rates file (RATES_FILE): `loa rates init|check`, and what `loa run` logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.rates import log_rates_in_use
from bot.config import load_settings
from bot.core.rates import default_rates_path


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An office folder whose .env names a relative rates file and database; no file yet."""
    folder = tmp_path / "office"
    folder.mkdir()
    (folder / ".env").write_text("RATES_FILE=rates/own.toml\nDATABASE_URL=sqlite:///loa.db\n")
    monkeypatch.setenv("LOA_ENV_FILE", str(folder / ".env"))
    monkeypatch.delenv("RATES_FILE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


def _drop_row(text: str, name: str, start: str) -> str:
    """Return the rates text without the row of `name` that starts on `start`."""
    block = re.search(rf"^{name} = \[\n(.*?)^\]", text, flags=re.M | re.S)
    assert block is not None
    row = re.search(rf"^ *\{{ from = {start},.*\n", block.group(1), flags=re.M)
    assert row is not None
    return text.replace(block.group(0), block.group(0).replace(row.group(0), ""))


def test_rates_init_writes_the_shipped_file_once(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = office / "rates" / "own.toml"
    assert main(["rates", "init", str(target)]) == 0
    assert target.read_bytes() == default_rates_path().read_bytes()
    assert f"RATES_FILE={target}" in capsys.readouterr().out
    target.write_text("# edited by the office\n", encoding="utf-8")
    assert main(["rates", "init", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# edited by the office\n"


def test_rates_check_reads_rates_file_and_says_ok(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = office / "rates" / "own.toml"
    assert main(["rates", "init", str(own)]) == 0
    capsys.readouterr()
    assert main(["rates", "check"]) == 0  # RATES_FILE, taken from the .env file's folder
    out = capsys.readouterr().out
    assert out.startswith(f"OK: {own} — ")
    assert "01/07/2026" in out
    assert "chưa có" not in out  # nothing shipped is missing from a fresh copy


def test_a_wrong_row_is_named_in_one_line_and_exits_2(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = office / "rates" / "own.toml"
    own.parent.mkdir()
    text = default_rates_path().read_text(encoding="utf-8")
    assert "value = 2_530_000" in text
    own.write_text(text.replace("value = 2_530_000", "value = -2_530_000"), encoding="utf-8")
    for command in (["rates", "check"], ["rates", "check", str(own)], ["rates"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith(f"loa: {own}: base_salary, row 4: ")


@pytest.mark.parametrize("kind", ["missing", "a folder", "not toml"])
def test_a_rates_file_that_cannot_be_used_stops_every_command_with_one_line(
    kind: str, office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = office / "rates" / "own.toml"
    if kind == "a folder":
        own.mkdir(parents=True)
    elif kind == "not toml":
        own.parent.mkdir()
        own.write_text("base_salary = [ { from = 2026-07-01, value = 2.530.000 } ]\n")
    for command in (["rates", "check"], ["demo", "--db", str(office / "demo.db")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith(f"loa: {own}: ")


def test_loa_rates_prints_the_offices_figures(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = office / "rates" / "own.toml"
    own.parent.mkdir()
    text = default_rates_path().read_text(encoding="utf-8")
    own.write_text(text.replace("value = 2_530_000", "value = 2_600_000"), encoding="utf-8")
    assert main(["rates", "--on", "01/08/2026"]) == 0
    assert "2.600.000 đồng/tháng, từ 01/07/2026" in capsys.readouterr().out


def test_rows_shipped_by_an_upgrade_that_the_office_lacks_are_named(
    office: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    own = office / "rates" / "own.toml"
    own.parent.mkdir()
    text = default_rates_path().read_text(encoding="utf-8")
    own.write_text(_drop_row(text, "poverty_line", "2027-01-01"), encoding="utf-8")
    assert main(["rates", "check"]) == 0
    assert "poverty_line từ 01/01/2027" in capsys.readouterr().out
    settings = load_settings({}, env_file=office / ".env")
    with caplog.at_level(logging.INFO):
        log_rates_in_use(settings, logging.getLogger("loa.test"))
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith(f"rates: {own}, last dated row ")
    assert "from 01/07/2026" in lines[0]  # 01/01/2027 is the row it lacks
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith(f"rates: {own} lacks dated rows shipped")
    assert "poverty_line from 01/01/2027" in warning.getMessage()


def test_without_rates_file_loa_uses_the_shipped_rates_and_warns_of_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings({}, env_file=None)
    assert settings.rates_path == default_rates_path()
    with caplog.at_level(logging.INFO):
        log_rates_in_use(settings, logging.getLogger("loa.test"))
    (line,) = [record.getMessage() for record in caplog.records]
    assert line.startswith(f"rates: {default_rates_path()}, last dated row ")
    assert "poverty_line from 01/01/2027" in line
