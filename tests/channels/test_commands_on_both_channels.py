"""Telegram and Zalo read a typed slash command the same way (bot.core.commands)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import Update

from bot.channels import telegram, zalo
from bot.channels.zalo_client import parse_update
from bot.core.types import Incoming, Kind
from tests.fakes.zalo_server import FakeZalo

Reader = Callable[[str], Incoming | None]


def _telegram(text: str) -> Incoming | None:
    user = {"id": 7, "is_bot": False, "first_name": "Lan"}
    message = {
        "message_id": 1,
        "date": 1750316131,
        "chat": {"id": 7, "type": "private"},
        "from": user,
        "text": text,
    }
    return telegram.to_incoming(Update.de_json({"update_id": 1, "message": message}, None))


def _zalo(text: str) -> Incoming | None:
    update = parse_update(FakeZalo().text_update("u1", text))
    assert update is not None
    return zalo.to_incoming(update)


@pytest.mark.parametrize("read", [_telegram, _zalo])
@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("/Start", "start", ""),
        ("/start@LoaBot  code-123 ", "start", "code-123"),
        ("/export\nEa Tul", "export", "Ea Tul"),
        ("/xuất Ea Tul", "xuất", "Ea Tul"),
    ],
)
def test_a_command_reads_alike(read: Reader, text: str, command: str, args: str) -> None:
    incoming = read(text)
    assert incoming is not None
    assert (incoming.kind, incoming.command, incoming.text) == (Kind.COMMAND, command, args)


@pytest.mark.parametrize("read", [_telegram, _zalo])
@pytest.mark.parametrize("text", ["/", "/ start", "a /start"])
def test_a_lone_slash_is_text_kept_as_typed(read: Reader, text: str) -> None:
    incoming = read(text)
    assert incoming is not None
    assert (incoming.kind, incoming.text) == (Kind.TEXT, text)
