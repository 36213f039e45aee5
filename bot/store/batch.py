"""Micro-batching: calls that arrive while one batch runs are served together by the next.

Under load this shares one trip to the database thread among many residents; with a
single caller a batch is just that call, sent at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Batcher"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Runs `run(items) -> results` (one result per item, in order) over queued items."""

    def __init__(
        self, run: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *, max_size: int = 256
    ) -> None:
        self._run = run
        self._max_size = max_size
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Queue `item` and return its result once its batch has run."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._worker is None or self._worker.done():
            # A fresh context: the worker serves every caller, so it must not inherit one
            # caller's context (such as being inside that caller's transaction).
            self._worker = asyncio.create_task(self._drain(), context=contextvars.Context())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_size]
            del self._queue[: self._max_size]
            try:
                results = await self._run([item for item, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _fail(batch[0][1], exc)
                    continue
                log.exception("a batch of %d failed; running its items one by one", len(batch))
                for item, future in batch:
                    try:
                        (result,) = await self._run([item])
                    except Exception as single:
                        _fail(future, single)
                    else:
                        if not future.done():
                            future.set_result(result)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


def _fail(future: asyncio.Future[R], exc: Exception) -> None:
    """Fail `future` with `exc` unless it is already settled."""
    if not future.done():
        future.set_exception(exc)
