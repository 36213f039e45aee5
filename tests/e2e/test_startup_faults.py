"""`loa run` at start-up: a passing Bot API error is retried; no network is one clear line."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from bot.app import Loa, serve
from bot.clock import FixedClock
from bot.core.rates import default_rates_path
from tests.fakes.telegram_server import DEFAULT_TOKEN, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
CHAT = 4242


async def test_a_502_on_each_start_up_call_is_retried_and_the_bot_serves(
    server: FakeTelegram, telegram_loa: Loa, clock: FixedClock
) -> None:
    for method in ("getMe", "setMyCommands", "deleteWebhook"):
        server.fail_next(method, status=502)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(telegram_loa, stop, clock, poll_timeout=1))
    try:
        server.push_text(CHAT, "/help")
        await server.wait_for("sendMessage", timeout=15)
    finally:
        stop.set()
        await serving
    assert [c.status for c in server.calls("setMyCommands")] == [502, 200]
    assert [c.status for c in server.calls("deleteWebhook")] == [502, 200]
    assert 502 in [c.status for c in server.calls("getMe")]
    assert server.commands
    assert "Cách dùng" in (server.sent(CHAT)[0].text or "")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_loa_run_without_the_bot_api_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    port = _closed_port()
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM", "ZALO"))
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'loa.db'}",
            "PYTHONPATH": str(ROOT),
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    logged, said = [], []
    for line in done.stderr.splitlines():
        (logged if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO ", line) else said).append(
            line
        )
    assert len(said) == 1, done.stderr  # besides the start-up log lines
    logged = [line.split(" INFO ", 1)[1] for line in logged]
    assert logged[0].startswith(f"bot.cli.serve: rates: {default_rates_path()}, last dated row ")
    assert logged[1:] == [
        f"bot.cli.serve: created a new database at {tmp_path / 'loa.db'}",
        f"bot.app: database: {tmp_path / 'loa.db'}",
    ]
    assert f"127.0.0.1:{port}" in said[0]
    assert "TELEGRAM_API_URL" in said[0]
    assert "Traceback" not in done.stderr
