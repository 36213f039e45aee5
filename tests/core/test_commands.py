"""One slash-command parser for every channel."""

from __future__ import annotations

import pytest

from bot.core.commands import parse_command


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("/start", ("start", "")),
        ("/Start", ("start", "")),
        ("/START@LoaBot", ("start", "")),
        ("/start@LoaBot code-123", ("start", "code-123")),
        ("/start   code  ", ("start", "code")),
        ("  /stop  ", ("stop", "")),
        ("/export\tEa Tul", ("export", "Ea Tul")),
        ("/broadcast\nline one\nline two", ("broadcast", "line one\nline two")),
        ("/xuất Ea Tul", ("xuất", "Ea Tul")),
        ("/ĐĂNGKÝ", ("đăngký", "")),
        ("//", ("/", "")),
    ],
)
def test_a_command_gives_its_name_and_arguments(text: str, parsed: tuple[str, str]) -> None:
    assert parse_command(text) == parsed


@pytest.mark.parametrize("text", ["", "/", "  /  ", "/ start", "/@LoaBot", "start", "a /start"])
def test_other_text_is_no_command(text: str) -> None:
    assert parse_command(text) is None
