"""Time the topic matcher: `python bench/bench_matcher.py`.

Prints start-up time (read data/topics.toml, normalise, index), match latency p50/p99 and
throughput over the evaluation messages, and `normalise` latency for an 80-character message.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.eval_topics import DEFAULT_QUESTIONS, load_questions  # noqa: E402
from bot.core.knowledge import KnowledgeBase, default_topics_path  # noqa: E402
from bot.core.text import normalise  # noqa: E402

__all__ = ["main"]

ROUNDS = 5
TYPICAL = "Nhà tôi 4 người thì đóng BHYT hộ gia đình bao nhiêu tiền một năm vậy cháu ơi?"


def _percentile(samples: list[float], share: float) -> float:
    """Return the value below which `share` of the sorted samples fall."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    """Run the benchmark and print the figures."""
    starts = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        kb = KnowledgeBase.load(default_topics_path())
        starts.append(time.perf_counter() - began)
    messages = [message for _, message in load_questions(DEFAULT_QUESTIONS)]
    for message in messages:  # warm up
        kb.match(message)
    latencies = []
    began = time.perf_counter()
    for _ in range(ROUNDS):
        for message in messages:
            start = time.perf_counter()
            kb.is_confident(kb.match(message))
            latencies.append(time.perf_counter() - start)
    elapsed = time.perf_counter() - began
    normalise_runs = 20_000
    start = time.perf_counter()
    for _ in range(normalise_runs):
        normalise.__wrapped__(TYPICAL)  # the function itself, not its cache
    normalise_us = (time.perf_counter() - start) / normalise_runs * 1e6
    print(f"topics:            {len(kb.topics)}")
    print(
        f"start-up:          median {1000 * statistics.median(starts):.0f} ms, "
        f"max {1000 * max(starts):.0f} ms (load + index)"
    )
    print(
        f"match:             p50 {1e6 * _percentile(latencies, 0.5):.0f} µs, "
        f"p99 {1e6 * _percentile(latencies, 0.99):.0f} µs, "
        f"max {1e6 * max(latencies):.0f} µs over {len(latencies)} matches"
    )
    print(f"throughput:        {len(latencies) / elapsed:,.0f} matches/s (one core)")
    print(f"normalise:         {normalise_us:.1f} µs for a {len(TYPICAL)}-character message")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
