"""Half-filled ZNS settings: `loa run` says which one in one log line, and serves as before."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.app import open_loa, serve
from bot.clock import FixedClock
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram

CHAT = 4242


async def test_half_filled_zns_settings_keep_zns_off_and_the_bot_serving(
    server: FakeTelegram, db_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = fake_settings(server, db_path).model_copy(
        update={"zns_app_id": "1234567890", "zns_secret_key": "oa-secret-key"}
    )
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="bot.app"):
        async with open_loa(settings, clock=clock) as loa:
            serving = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
            try:
                server.push_text(CHAT, "/help")
                await server.wait_for("sendMessage", timeout=15)
            finally:
                stop.set()
                await serving
    [line] = [r for r in caplog.records if r.getMessage().startswith("ZNS is")]
    assert line.levelno == logging.WARNING
    assert line.getMessage().startswith("ZNS is off: ZNS_REFRESH_TOKEN is not set")
    assert server.sent(CHAT)
