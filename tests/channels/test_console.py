from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.app import Loa
from bot.channels.console import parse_line, run_console, tolerant
from bot.core.types import Kind
from bot.residents.engine import Engine


def test_parse_line_knows_commands_and_text() -> None:
    command = parse_line("/start@loa_bot hello\n", "u", "")
    assert (command.kind, command.command, command.text) == (Kind.COMMAND, "start", "hello")
    assert parse_line("xin chào\n", "u", "").kind is Kind.TEXT
    assert parse_line("/\n", "u", "").kind is Kind.TEXT


async def test_piped_chat_answers_every_line_and_remembers_choices(loa: Loa) -> None:
    out = io.StringIO()
    handled = await run_console(loa.engine, io.StringIO("/start\n5\n1\n"), out)
    assert handled == 3
    text = out.getvalue()
    assert text.count("Xin chào") == 1
    assert "1900 9068" in text
    assert "  1. ↩️ Menu chính" in text
    assert text.rstrip().endswith("(Gõ số hoặc tên mục để chọn)")


def piped_demo(tmp_path: Path, lines: str) -> subprocess.CompletedProcess[str]:
    """Run `loa demo` in a fresh folder with `lines` piped in."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "demo.db")],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
    )


def test_loa_demo_in_a_pipe_prints_the_greeting_and_menu(tmp_path: Path) -> None:
    result = piped_demo(tmp_path, "/start\nmenu\n")
    assert "Xin chào! Loa là trợ lý" in result.stdout
    assert result.stdout.count("1. 📖 Hỏi đáp BHYT, BHXH") == 2
    assert result.stderr == ""


def test_loa_demo_answers_a_household_question_with_the_total(tmp_path: Path) -> None:
    result = piped_demo(tmp_path, "nha toi 4 nguoi dong bhyt 6 thang het bao nhieu\n")
    assert "• Người thứ 2 (70% mức người thứ nhất): 478.170 đồng" in result.stdout
    assert "Tổng cộng: 1.912.680 đồng." in result.stdout


class _Broken:
    """A dialog that fails on every message, as an unforeseen bug would."""

    def decide(self, turn: object) -> object:
        raise RuntimeError("bug")


async def test_a_failing_message_is_answered_with_the_apology_and_the_chat_goes_on(
    loa: Loa,
) -> None:
    engine = loa.engine
    broken = Engine(engine.store, _Broken(), engine.renderer, engine.clock, engine.tz)  # type: ignore[arg-type]
    out = io.StringIO()
    handled = await run_console(broken, io.StringIO("a\nb\n"), out)
    assert handled == 2
    assert out.getvalue().count("Xin lỗi, Loa đang gặp trục trặc") == 2


def test_tolerant_stdin_replaces_undecodable_bytes() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"ch\xc3\xa0o \xff\xfe\n"), encoding="utf-8")
    assert tolerant(stream).readline() == "chào \ufffd\ufffd\n"


def test_loa_demo_reads_invalid_utf8_and_surrogates_without_failing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "demo.db")],
        input=b"/start\n\xff\xfe\xfd hello\n\xed\xa0\x80 x\nmenu\n",
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # strict decoding, as on most desktops
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout.decode().count("(Gõ số hoặc tên mục để chọn)") >= 3
    assert b"Traceback" not in result.stderr
