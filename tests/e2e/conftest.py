"""End-to-end fixtures: the real python-telegram-bot Application against a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings, load_settings
from tests.fakes.telegram_server import FakeTelegram


def fake_settings(server: FakeTelegram, db_path: Path, **extra: str) -> Settings:
    """Settings for Loa on the fake Bot API with a database at `db_path` (and `extra`)."""
    env = {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "WEB_PORT": "0",  # any free port: tests run beside each other and beside a real Loa
        **extra,
    }
    return load_settings(env, env_file=None)


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
    async with open_loa(fake_settings(server, db_path), clock=clock) as loa:
        yield loa


@pytest.fixture
async def bot(telegram_loa: Loa) -> AsyncIterator[TelegramChannel]:
    """That Loa serving the fake server by long polling."""
    async with telegram_running(telegram_loa, poll_timeout=1) as channel:
        yield channel
