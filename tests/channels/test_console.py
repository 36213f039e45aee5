from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.app import Loa
from bot.channels.console import parse_line, run_console
from bot.core.types import Kind


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
    assert "Xin chào! Tôi là Loa" in result.stdout
    assert result.stdout.count("1. 📖 Hỏi đáp BHYT, BHXH") == 2
    assert result.stderr == ""


def test_loa_demo_answers_a_household_question_with_the_total(tmp_path: Path) -> None:
    result = piped_demo(tmp_path, "nha toi 4 nguoi dong bhyt 6 thang het bao nhieu\n")
    assert "• Người thứ 2 (70% mức người thứ nhất): 478.170 đồng" in result.stdout
    assert "Tổng cộng: 1.912.680 đồng." in result.stdout
