"""End-to-end fixtures: the real python-telegram-bot Application against a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import load_settings
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1."""
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def telegram_loa(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> AsyncIterator[Loa]:
    """Loa configured for the fake server through TELEGRAM_API_URL."""
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_URL": server.url,
            "DATABASE_URL": f"sqlite:///{db_path}",
        },
        env_file=None,
    )
    async with open_loa(settings, clock=clock) as loa:
        yield loa


@pytest.fixture
async def bot(telegram_loa: Loa) -> AsyncIterator[TelegramChannel]:
    """That Loa serving the fake server by long polling."""
    async with telegram_running(telegram_loa, poll_timeout=1) as channel:
        yield channel
