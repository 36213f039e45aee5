"""Shared fixtures: a fresh SQLite file per test, a fixed clock, settings without any .env."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import Loa, open_loa
from bot.clock import VIETNAM, FixedClock
from bot.config import Settings, load_settings

# python-telegram-bot 22 warns inside RetryAfter unless durations are opted into timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 25/11/2026 09:00 in Vietnam."""
    return FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file that does not exist yet, in a folder that does not exist yet."""
    return tmp_path / "data" / "loa.db"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """Settings from an injected environment only."""
    return load_settings({"DATABASE_URL": f"sqlite:///{db_path}"}, env_file=None)


@pytest.fixture
async def loa(settings: Settings, clock: FixedClock) -> AsyncIterator[Loa]:
    """A fully wired Loa on a temporary database."""
    async with open_loa(settings, clock=clock) as opened:
        yield opened
