"""Benchmark the outbox sender against the fake Bot API run as a separate process.

    .venv/bin/python -m bench.bench_sender [--count 3000] [--only paced|fast]

(or `.venv/bin/python bench/bench_sender.py`). Prints one JSON line per run.

1. Paced: the fake enforces 30 messages/s (sliding one-second window) and 1/s per chat; the
   sender runs at TELEGRAM_RATE=30. Target: ≥ 28 messages/s sustained, zero 429 answers.
2. Fast: the fake allows 1,000/s and the sender runs at 1,000/s: how fast can it go?
   Target: ≥ 500 messages/s.

Each run queues `count` reminders to `count` different chats in a fresh SQLite file and drains
the outbox through the real python-telegram-bot `Bot` over HTTP, with the sender wired as
`loa run` wires it (the daily cap checked per claimed batch).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import outbox_preparer
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import SystemClock
from bot.config import load_settings
from bot.outbox.sender import Pacer, Sender
from bot.store import OutboxItem, OutboxStatus, Store
from tests.fakes.telegram_server import DEFAULT_TOKEN

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "Chào {name}, thẻ BHYT của bạn hết hạn ngày 25/12/2026 (còn 30 ngày). Gia hạn 12 tháng: "
    "1.263.600 đồng. Nộp tại UBND xã hoặc đại lý thu BHXH gần nhà."
)


async def _start_server(limit: int, per_chat: int) -> tuple[asyncio.subprocess.Process, str]:
    """Start the fake Bot API process; return it and its URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.telegram_server",
        "--port",
        "0",
        "--limit",
        str(limit),
        "--per-chat",
        str(per_chat),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode().strip()
    if not line.startswith("READY "):
        raise RuntimeError(f"fake server did not start: {line!r}")
    return process, line.removeprefix("READY ")


async def _stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/_fake/stats") as answer:
        result: dict[str, Any] = await answer.json()
        return result


async def _queue(store: Store, count: int) -> None:
    now = SystemClock().now()
    ids = []
    for n in range(count):
        contact = await store.contacts.touch("telegram", str(10_000 + n), f"Người {n}", now)
        ids.append(contact.id)
    items = [
        OutboxItem(cid, "reminder", TEXT.format(name=f"Người {n}"), dedupe_key=f"bench:{n}")
        for n, cid in enumerate(ids)
    ]
    await store.outbox.enqueue_many(items, now)


async def run(label: str, count: int, limit: int, rate: float) -> dict[str, Any]:
    """Queue `count` reminders, drain them at `rate` against a fake allowing `limit`/s."""
    server, url = await _start_server(limit, 1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = await Store.open(Path(folder) / "bench.db")
            try:
                await _queue(store, count)
                async with sender_bot(DEFAULT_TOKEN, url) as bot:
                    settings = load_settings({"DATABASE_URL": f"sqlite:///{folder}/bench.db"}, None)
                    sender = Sender(
                        store.outbox,
                        TelegramTransport(bot),
                        Pacer(rate, 1.0),
                        SystemClock(),
                        preparer=outbox_preparer(store, settings),
                    )
                    started, cpu = time.perf_counter(), time.process_time()
                    await sender.drain(max_wait=30)
                    elapsed = time.perf_counter() - started
                    cpu = time.process_time() - cpu
                counts = await store.outbox.counts()
            finally:
                await store.close()
        stats = await _stats(url)
    finally:
        server.terminate()
        await server.wait()
    span = (stats["last_send_at"] or 0) - (stats["first_send_at"] or 0)
    result = {
        "run": label,
        "messages": count,
        "fake_limit_per_s": limit,
        "sender_rate": rate,
        "sent": counts[OutboxStatus.SENT],
        "not_sent": count - counts[OutboxStatus.SENT],
        "accepted_by_fake": stats["sent"],
        "rejected_429": stats["rejected_429"],
        "wall_s": round(elapsed, 2),
        "overall_per_s": round(count / elapsed, 1),
        "sustained_per_s": round((stats["sent"] - 1) / span, 1) if span > 0 else None,
        "sender_cpu_ms_per_msg": round(1000 * cpu / count, 3),
        "sender_cpu_bound_per_s": round(count / cpu) if cpu > 0 else None,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


async def _main(count: int, only: str | None) -> None:
    if only in (None, "paced"):
        await run("paced", count, limit=30, rate=30)
    if only in (None, "fast"):
        await run("fast", count, limit=1000, rate=1000)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_sender")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--only", choices=["paced", "fast"], default=None)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.count, args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
