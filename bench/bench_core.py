"""Benchmark the core alone: messages handled per second (normalise, decide, render, store).

Run: `make bench` (or `.venv/bin/python bench/bench_core.py [N]`). Prints throughput and
p50/p99 latency for N messages from 200 simulated residents, on a real SQLite file in a
temporary folder.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bot.app import open_loa
from bot.clock import VIETNAM, FixedClock
from bot.config import load_settings
from bot.core.types import Incoming, Kind

MESSAGES = [
    (Kind.COMMAND, "", "start"),
    (Kind.TEXT, "nha toi 4 nguoi dong bhyt 6 thang het bao nhieu", ""),
    (Kind.TEXT, "bhxh tự nguyện thu nhập 3 triệu thì đóng bao nhiêu một tháng", ""),
    (Kind.TEXT, "học sinh mua bhyt bao nhiêu", ""),
    (Kind.TEXT, "Chào cháu, bác năm nay 68 tuổi, thẻ bhyt hết hạn thì gia hạn ở đâu", ""),
    (Kind.TEXT, "1", ""),
    (Kind.BUTTON, "menu", ""),
    (Kind.TEXT, "xin chào", ""),
]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of `values` fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(count: int) -> None:
    """Push `count` messages through the engine and print the figures."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        settings = load_settings({"DATABASE_URL": f"sqlite:///{db}"}, env_file=None)
        clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM))
        async with open_loa(settings, clock=clock) as loa:
            for warm in range(200):
                await loa.engine.handle(Incoming("bench", str(warm), Kind.COMMAND, command="start"))
            latencies = []
            started = time.perf_counter()
            for index in range(count):
                kind, text, command = rng.choice(MESSAGES)
                incoming = Incoming("bench", str(index % 200), kind, text=text, command=command)
                t0 = time.perf_counter()
                await loa.engine.handle(incoming)
                latencies.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
    print(f"core: {count} messages in {elapsed:.2f} s = {count / elapsed:,.0f} messages/s")
    print(
        f"latency: p50 {statistics.median(latencies) * 1000:.2f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
        f"max {max(latencies) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
