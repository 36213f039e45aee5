"""Benchmark the core: knowledge start-up, answering questions, and whole messages with storage.

Run: `make bench` (or `.venv/bin/python bench/bench_core.py [N]`). Prints:
1. start-up time of the knowledge base (topics + index, rates file, templates);
2. free-text questions answered without storage (normalise + match + compute + render);
3. N messages through the engine (normalise, decide, render, store) on a real SQLite file in
   a temporary folder: from 1, 4, 8 and 16 residents writing at once (each sends its next
   message when answered), then arriving at a fixed 1,000 and 2,000 per second from 1,000
   residents (open loop).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path

from bot.app import Loa, load_rates, open_loa
from bot.clock import VIETNAM, FixedClock
from bot.config import load_settings
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.types import Incoming, Kind
from bot.render import Renderer

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "eval" / "questions.tsv"

QUESTION = "<a question from the evaluation set>"
MESSAGES = [
    (Kind.COMMAND, "", "start"),
    (Kind.TEXT, QUESTION, ""),
    (Kind.TEXT, QUESTION, ""),
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


def report(name: str, count: int, elapsed: float, latencies: list[float]) -> None:
    """Print throughput and latency percentiles."""
    print(f"{name}: {count} in {elapsed:.2f} s = {count / elapsed:,.0f}/s")
    print(
        f"  latency: p50 {statistics.median(latencies) * 1000:.3f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.3f} ms, "
        f"max {max(latencies) * 1000:.3f} ms"
    )


def eval_texts() -> list[str]:
    """Return the 351 distinct resident messages of the evaluation set."""
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[1] for line in lines]


def machine_speed() -> None:
    """Print how long a plain Python loop takes: this VM's speed varies, so runs compare."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    print(f"machine: a 10,000,000-step Python loop takes {time.perf_counter() - started:.2f} s")


def questions(count: int) -> None:
    """Answer `count` evaluation-set questions with the dialog and renderer, no storage."""
    t0 = time.perf_counter()
    dialog = Dialog(
        KnowledgeBase.load(default_topics_path()), load_rates(load_settings({}, env_file=None))
    )
    renderer = Renderer()
    startup = time.perf_counter() - t0
    print(f"knowledge start-up (topics + index, rates, templates): {startup * 1000:.0f} ms")
    texts = eval_texts()
    now = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
    latencies = []
    started = time.perf_counter()
    for index in range(count):
        text = texts[index % len(texts)]
        t1 = time.perf_counter()
        incoming = Incoming("bench", "1", Kind.TEXT, text=text)
        turn = Turn(incoming, text, None, False, now, date(2026, 11, 25))
        for say in dialog.decide(turn).says:
            renderer.render(say)
        latencies.append(time.perf_counter() - t1)
    report(
        "questions answered (normalise + match + compute + render)",
        count,
        time.perf_counter() - started,
        latencies,
    )


@asynccontextmanager
async def bench_loa() -> AsyncIterator[Loa]:
    """A fully wired Loa on a fresh SQLite file in a temporary folder, clock at 09:00."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        settings = load_settings({"DATABASE_URL": f"sqlite:///{db}"}, env_file=None)
        clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM))
        async with open_loa(settings, clock=clock) as loa:
            yield loa


async def run(count: int, residents: int) -> None:
    """Push `count` messages from `residents` people writing at the same time."""
    rng = random.Random(7)
    texts = eval_texts()
    async with bench_loa() as loa:
        for warm in range(200):
            await loa.engine.handle(Incoming("bench", str(warm), Kind.COMMAND, command="start"))
        latencies: list[float] = []

        async def resident(person: int, messages: int) -> None:
            for _ in range(messages):
                kind, text, command = rng.choice(MESSAGES)
                if text == QUESTION:
                    text = rng.choice(texts)
                incoming = Incoming("bench", str(person), kind, text=text, command=command)
                t0 = time.perf_counter()
                await loa.engine.handle(incoming)
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        each = count // residents
        await asyncio.gather(*(resident(person, each) for person in range(residents)))
        elapsed = time.perf_counter() - started
    report(
        f"messages through the engine (normalise, decide, render, store), "
        f"{residents} resident(s) writing at once",
        each * residents,
        elapsed,
        latencies,
    )


async def run_open(count: int, rate: float) -> None:
    """Send `count` messages from 1,000 residents arriving at `rate` per second (open loop)."""
    rng = random.Random(11)
    texts = eval_texts()
    async with bench_loa() as loa:
        latencies: list[float] = []

        async def one(incoming: Incoming) -> None:
            t0 = time.perf_counter()
            await loa.engine.handle(incoming)
            latencies.append(time.perf_counter() - t0)

        running: set[asyncio.Task[None]] = set()  # only those in flight stay referenced
        started = time.perf_counter()
        for index in range(count):
            due = started + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            kind, text, command = rng.choice(MESSAGES)
            if text == QUESTION:
                text = rng.choice(texts)
            person = str(rng.randrange(1000))
            incoming = Incoming("bench", person, kind, text=text, command=command)
            task = asyncio.create_task(one(incoming))
            running.add(task)
            task.add_done_callback(running.discard)
        while running:
            await asyncio.gather(*running)
        elapsed = time.perf_counter() - started
    report(
        f"open loop: messages arriving at {rate:,.0f}/s from 1,000 residents",
        count,
        elapsed,
        latencies,
    )


if __name__ == "__main__":
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    machine_speed()
    questions(total)
    for residents in (1, 4, 8, 16):
        asyncio.run(run(total, residents=residents))
    asyncio.run(run_open(total, rate=1000))
    asyncio.run(run_open(total, rate=2000))
