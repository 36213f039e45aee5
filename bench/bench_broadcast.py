"""Benchmark broadcasts: resolving and queueing recipients, and sending through the fake Bot API.

    .venv/bin/python -m bench.bench_broadcast [--only enqueue|paced|fast] [--count N]

1. enqueue: 100,000 residents of one commune; create a broadcast and resolve + queue every
   recipient (outbox rows with dedupe keys; texts are rendered when sent). Target ≤ 10 s.
2. paced: 10,000 recipients sent by the real Sender, wired as `loa run` wires it (daily cap
   and the text rendered per claimed batch from the recipients' current fields), through
   python-telegram-bot to the fake Bot API (a separate process) enforcing 30 messages/s.
   Target ≥ 28.5/s sustained, zero 429, peak memory ≤ 200 MB, and the report exact
   (sent = recipients = fake's count).
3. fast: the same with the limit and the sender at 1,000/s. Target ≥ 500/s.
Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_sender import _start_server, _stats
from bot.app import outbox_preparer
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import VIETNAM, SystemClock
from bot.config import load_settings
from bot.core.audience import Scope
from bot.core.hours import SendingHours
from bot.officers.broadcasts.service import BroadcastService
from bot.outbox.sender import Pacer, Sender
from bot.store import OutboxStatus, Store
from tests.fakes.telegram_server import DEFAULT_TOKEN
from tests.officers.broadcasts.seed import Person, seed

__all__ = ["main"]

TEXT = (
    "Chào {{ ten }} ({{ thon }}, {{ xa }}), thẻ BHYT của bạn hết hạn ngày {{ han_the }}. "
    "Tháng vận động BHXH toàn dân: gia hạn tại UBND xã hoặc đại lý thu gần nhà."
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _prepare(store: Store, count: int) -> BroadcastService:
    now = SystemClock().now()
    people = [
        Person(100_000 + n, f"Nguyễn Văn {n}", "Ea Tul", f"Thôn {n % 12 + 1}", date(2027, 3, 1))
        for n in range(count)
    ]
    for start in range(0, count, 20_000):
        await seed(store.db, people[start : start + 20_000], now)
    del people
    service = BroadcastService(store.broadcasts, tz=VIETNAM, hours=SendingHours(0, 24, VIETNAM))
    await service.create(
        actor="bench",
        scope=Scope.everywhere(),
        audience_text="xa=Ea Tul",
        template_text=TEXT,
        at=None,
        urgent=False,
        now=now,
    )
    return service


def _expected(chat_id: int) -> str:
    """Return the text recipient `chat_id` must get (TEXT rendered by hand for _prepare's data)."""
    n = chat_id - 100_000
    return (
        f"Chào {n} (Thôn {n % 12 + 1}, Ea Tul), thẻ BHYT của bạn hết hạn ngày 01/03/2027. "
        "Tháng vận động BHXH toàn dân: gia hạn tại UBND xã hoặc đại lý thu gần nhà."
    )


async def _texts_match(url: str, count: int) -> bool:
    """Tell whether the fake received exactly one correctly rendered text per recipient."""
    async with aiohttp.ClientSession() as session, session.get(f"{url}/_fake/sent") as answer:
        sent: list[dict[str, Any]] = await answer.json()
    texts = {int(m["chat_id"]): m["text"] for m in sent if m["method"] == "sendMessage"}
    return len(texts) == count and all(text == _expected(c) for c, text in texts.items())


async def run_enqueue(count: int) -> dict[str, Any]:
    """Resolve and queue `count` recipients."""
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.db")
        try:
            service = await _prepare(store, count)
            started = time.perf_counter()
            await service.advance(SystemClock().now())
            elapsed = time.perf_counter() - started
            queued = (await store.outbox.counts())[OutboxStatus.QUEUED]
        finally:
            await store.close()
    result = {
        "run": "enqueue",
        "recipients": count,
        "queued": queued,
        "resolve_and_queue_s": round(elapsed, 2),
        "per_s": round(count / elapsed),
        "peak_rss_mb": round(_peak_mb(), 1),
    }
    print(json.dumps(result), flush=True)
    return result


async def run_send(label: str, count: int, limit: int) -> dict[str, Any]:
    """Queue `count` recipients and send them at `limit`/s through the fake Bot API."""
    server, url = await _start_server(limit, 1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = await Store.open(Path(folder) / "bench.db")
            try:
                service = await _prepare(store, count)
                clock = SystemClock()
                async with sender_bot(DEFAULT_TOKEN, url) as bot:
                    settings = load_settings({"DATABASE_URL": f"sqlite:///{folder}/bench.db"}, None)
                    sender = Sender(
                        store.outbox,
                        TelegramTransport(bot),
                        Pacer(limit, 1.0),
                        clock,
                        preparer=outbox_preparer(store, settings),
                    )
                    started, cpu = time.perf_counter(), time.process_time()
                    await service.advance(clock.now())
                    await sender.drain(max_wait=30)
                    finished = await service.advance(clock.now())
                    elapsed = time.perf_counter() - started
                    cpu = time.process_time() - cpu
                report = await service.report(finished[0])
            finally:
                await store.close()
        stats = await _stats(url)
        texts_ok = await _texts_match(url, count)
    finally:
        server.terminate()
        await server.wait()
    span = (stats["last_send_at"] or 0) - (stats["first_send_at"] or 0)
    result = {
        "run": label,
        "recipients": count,
        "fake_limit_per_s": limit,
        "report_sent": report.sent,
        "report_failed": sum(report.failed.values()),
        "report_pending": report.pending,
        "accepted_by_fake": stats["sent"],
        "texts_checked": texts_ok,
        "report_exact": report.sent == stats["sent"] == count,
        "rejected_429": stats["rejected_429"],
        "wall_s": round(elapsed, 2),
        "sustained_per_s": round((stats["sent"] - 1) / span, 1) if span > 0 else None,
        "cpu_ms_per_msg": round(1000 * cpu / count, 3),
        "peak_rss_mb": round(_peak_mb(), 1),
    }
    print(json.dumps(result), flush=True)
    return result


async def _main(only: str | None, count: int | None) -> None:
    if only in (None, "enqueue"):
        await run_enqueue(count or 100_000)
    if only in (None, "paced"):
        await run_send("paced", count or 10_000, 30)
    if only in (None, "fast"):
        await run_send("fast", count or 10_000, 1000)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_broadcast")
    parser.add_argument("--only", choices=["enqueue", "paced", "fast"], default=None)
    parser.add_argument("--count", type=int, default=None)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.only, args.count))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
