from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.store.batch import Batcher


async def test_calls_arriving_together_share_one_run() -> None:
    runs: list[list[int]] = []

    async def double(items: Sequence[int]) -> list[int]:
        runs.append(list(items))
        await asyncio.sleep(0.01)
        return [item * 2 for item in items]

    batcher: Batcher[int, int] = Batcher(double)
    first = asyncio.gather(*(batcher.submit(n) for n in range(3)))
    await asyncio.sleep(0.001)  # the first run is under way
    later = asyncio.gather(*(batcher.submit(n) for n in range(3, 10)))
    assert await first == [0, 2, 4]
    assert await later == [n * 2 for n in range(3, 10)]
    assert runs == [[0, 1, 2], list(range(3, 10))]


async def test_a_failing_item_fails_alone() -> None:
    async def picky(items: Sequence[int]) -> list[int]:
        await asyncio.sleep(0)
        if 3 in items:
            raise ValueError("three is bad")
        return list(items)

    batcher: Batcher[int, int] = Batcher(picky)
    outcomes = await asyncio.gather(*(batcher.submit(n) for n in range(6)), return_exceptions=True)
    assert [o for o in outcomes if not isinstance(o, Exception)] == [0, 1, 2, 4, 5]
    assert isinstance(outcomes[3], ValueError)


async def test_a_lone_failure_reaches_its_caller() -> None:
    async def broken(items: Sequence[int]) -> list[int]:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        await Batcher(broken).submit(1)
