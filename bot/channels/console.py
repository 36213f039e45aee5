"""The terminal channel used by `loa demo`: one resident chatting on stdin/stdout."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from typing import TextIO

from bot.channels.plain import as_numbered_text
from bot.core.commands import parse_command
from bot.core.types import Incoming, Kind, Reply
from bot.residents.engine import Engine

__all__ = ["CHANNEL", "parse_line", "run_console", "tolerant"]

CHANNEL = "console"
log = logging.getLogger(__name__)


def parse_line(line: str, sender_id: str, display_name: str) -> Incoming:
    """Turn one typed line into a neutral incoming message ("/start" is a command)."""
    text = line.rstrip("\r\n")
    command = parse_command(text)
    if command is not None:
        name, args = command
        return Incoming(
            CHANNEL, sender_id, Kind.COMMAND, text=args, command=name, display_name=display_name
        )
    return Incoming(CHANNEL, sender_id, Kind.TEXT, text=text, display_name=display_name)


def tolerant(stream: TextIO) -> TextIO:
    """Make a terminal stream replace undecodable bytes and unprintable characters, not fail."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="replace")
    return stream


async def run_console(
    engine: Engine,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    *,
    sender_id: str = "demo",
    display_name: str = "",
) -> int:
    """Chat until end of input; return the number of messages handled."""
    interactive = stdin.isatty()
    handled = 0
    while True:
        if interactive:
            stdout.write("\nBạn: ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        replies = await _answer(engine, parse_line(line, sender_id, display_name))
        handled += 1
        for reply in replies:
            prefix = "\nLoa: " if interactive else ""
            stdout.write(prefix + as_numbered_text(reply) + "\n")
            if not interactive:
                stdout.write("\n")
        stdout.flush()
    return handled


async def _answer(engine: Engine, incoming: Incoming) -> list[Reply]:
    """Answer one line; a failure is logged in one line and answered with the apology."""
    try:
        return await engine.handle(incoming)
    except Exception as exc:  # one bad line must never end the chat
        log.error("could not answer a line: %s", type(exc).__name__)  # no text: it may be personal
        log.debug("the failure in full", exc_info=True)
        return [Reply(engine.renderer.text("error"))]
