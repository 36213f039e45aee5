"""Measure the duplicate window: a broadcast killed with SIGKILL mid-way, then restarted.

    .venv/bin/python -m bench.bench_kill [--runs 10] [--people 400]

Each run seeds `--people` recipients, has the worker of
tests/officers/broadcasts/kill_worker.py (the real Sender with its default batch and
in-flight limits, rendering at send time, a transport taking 10 ms per message) killed
with SIGKILL after a third of them, restarts it to the end, and counts the repeated
deliveries. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.outbox.sender import Sender
from tests.officers.broadcasts.kill_run import kill_and_restart

__all__ = ["main"]


async def run(runs: int, people: int) -> dict[str, Any]:
    """Kill and restart `runs` times; return the duplicate counts."""
    duplicates, sending = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            result = await kill_and_restart(Path(folder), people)
        duplicates.append(result.duplicates)
        sending.append(result.sending_at_kill)
        assert set(result.sent) == {str(p.chat_id) for p in result.people}
    return {
        "runs": runs,
        "people": people,
        "max_in_flight": Sender.MAX_IN_FLIGHT,
        "duplicates": duplicates,
        "duplicates_max": max(duplicates),
        "duplicates_median": statistics.median(duplicates),
        "rows_in_sending_at_kill_max": max(sending),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--people", type=int, default=400)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.runs, args.people))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
