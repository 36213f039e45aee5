"""Benchmark live replies under a flood, beside a broadcast, at Telegram's real limits.

    .venv/bin/python -m bench.bench_flood [--chats 50] [--messages 20] [--broadcast 2000]

The real `serve()` (Telegram polling, the outbox sender, broadcasts) runs against the fake
Bot API in a separate process enforcing 30 messages/s overall and 1 per second per chat.
A broadcast to `--broadcast` residents is sending at full pace when `--chats` residents each
send `--messages` different questions at once. Reports lost replies (questions without an
answer 120 s after the flood), the fake's 429 count, the worst and median reply latency
(from the push of a question to the delivery of the message carrying its answer), how many
messages the replies took (merged while they waited) and the broadcast's throughput.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_sender import _start_server, _stats
from bot.app import open_loa, serve
from bot.clock import VIETNAM, FixedClock
from bot.config import load_settings
from bot.core.audience import Scope
from bot.core.hours import SendingHours
from bot.officers.broadcasts.service import BroadcastService
from tests.fakes.telegram_server import DEFAULT_TOKEN
from tests.officers.broadcasts.seed import Person, seed

__all__ = ["main"]

HEADER = re.compile(r"BHYT hộ gia đình, (\d+) người, đóng (\d+) tháng")
FIRST_CHAT = 500_000
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


def _question(index: int) -> tuple[int, int]:
    """Return the (household size, months) of question number `index` (20 different ones)."""
    return 1 + index % 10, (3, 6)[index // 10 % 2]


async def _sent(url: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/_fake/sent") as answer:
        result: list[dict[str, Any]] = await answer.json()
        return result


async def _push(session: aiohttp.ClientSession, url: str, chat: int, text: str) -> None:
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Dân", "language_code": "vi"},
        "text": text,
    }
    async with session.post(f"{url}/_fake/updates", json={"message": message}) as answer:
        answer.raise_for_status()


def _answers(sent: list[dict[str, Any]], chats: set[int]) -> dict[tuple[int, int, int], float]:
    """Return, per (chat, people, months), when the first message answering it was accepted."""
    found: dict[tuple[int, int, int], float] = {}
    for message in sent:
        if message["chat_id"] not in chats:
            continue
        for people, months in HEADER.findall(message["text"] or ""):
            found.setdefault((message["chat_id"], int(people), int(months)), message["at"])
    return found


async def run(chats: int, messages: int, recipients: int) -> dict[str, Any]:
    """Run the flood beside the broadcast; return the figures."""
    process, url = await _start_server(30, 1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "loa.db"
            settings = load_settings(
                {
                    "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
                    "TELEGRAM_API_URL": url,
                    "DATABASE_URL": f"sqlite:///{db}",
                },
                env_file=None,
            )
            clock = FixedClock(NOW)
            async with open_loa(settings, clock=clock) as loa:
                people = [
                    Person(100_000 + n, f"Người {n}", "Ea Tul", f"Thôn {n % 9}", date(2027, 3, 1))
                    for n in range(recipients)
                ]
                await seed(loa.store.db, people, NOW)
                service = BroadcastService(
                    loa.store.broadcasts, tz=VIETNAM, hours=SendingHours(8, 20, VIETNAM)
                )
                await service.create(
                    actor="bench",
                    scope=Scope.everywhere(),
                    audience_text="xa=Ea Tul",
                    template_text="Chào {{ ten }}, tháng vận động BHYT hộ gia đình.",
                    at=None,
                    urgent=False,
                    now=NOW,
                )
                stop = asyncio.Event()
                serving = asyncio.create_task(serve(loa, stop, clock, poll_timeout=5))
                figures = await _flood(url, chats, messages, recipients)
                stop.set()
                await serving
    finally:
        process.terminate()
        await process.wait()
    return figures


async def _flood(url: str, chats: int, messages: int, recipients: int) -> dict[str, Any]:
    """Wait for the broadcast to be at full pace, push the flood, wait for its answers."""
    for _ in range(300):  # the broadcast reaches full pace within a few seconds
        if sum(1 for m in await _sent(url) if m["chat_id"] < FIRST_CHAT) >= 60:
            break
        await asyncio.sleep(0.2)
    residents = [FIRST_CHAT + n for n in range(chats)]
    pushed: dict[tuple[int, int, int], float] = {}
    started = time.time()
    async with aiohttp.ClientSession() as session:
        for index in range(messages):
            for chat in residents:
                people, months = _question(index)
                pushed[(chat, people, months)] = time.time()
                await _push(session, url, chat, f"nhà {people} người đóng BHYT {months} tháng")
    answers: dict[tuple[int, int, int], float] = {}
    while time.time() - started < 120:
        sent = await _sent(url)
        answers = _answers(sent, set(residents))
        if len(answers) == len(pushed):
            break
        await asyncio.sleep(0.5)
    flood_end = max(answers.values(), default=started)
    broadcast = [m["at"] for m in sent if m["chat_id"] < FIRST_CHAT]
    during = [at for at in broadcast if started <= at <= flood_end]
    latencies = sorted(answers[key] - pushed[key] for key in answers)
    stats = await _stats(url)
    return {
        "residents": chats,
        "messages_each": messages,
        "questions": len(pushed),
        "lost_replies": len(pushed) - len(answers),
        "rejected_429": stats["rejected_429"],
        "reply_messages": sum(1 for m in sent if m["chat_id"] >= FIRST_CHAT),
        "latency_median_s": round(statistics.median(latencies), 2) if latencies else None,
        "latency_worst_s": round(latencies[-1], 2) if latencies else None,
        "flood_seconds": round(flood_end - started, 1),
        "broadcast_recipients": recipients,
        "broadcast_sent_during_flood": len(during),
        "total_per_second_during_flood": round(
            (len(during) + sum(1 for m in sent if m["chat_id"] >= FIRST_CHAT))
            / max(flood_end - started, 0.001),
            1,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--broadcast", type=int, default=2000)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.chats, args.messages, args.broadcast))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
