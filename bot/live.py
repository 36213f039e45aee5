"""Live replies: per chat, in order, through the channel's pacer, merged when they queue up.

A reply is never dropped for being sent too fast. Each chat has one line: the parts handed to
`ReplyLine.send` go out in order, each waiting for a place in the pacer (the chat's pace,
then the channel's, ahead of bulk sends). While a chat waits for its turn, the texts queued
behind the first are merged into it (up to the channel's length limit) once it had to wait
for its place (a part that can go at once goes alone), so a burst of
messages gets fewer, longer answers instead of a queue of minutes. A 429 pauses the pacer
and the part is sent again, however many times, and a network error is retried with
backoff; only past the total `deadline` (or on a refusal such as a bad request) does
`send` raise.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.outbox.sender import Monotonic, Pacer, RateLimited, Sleep, TransientError, backoff

__all__ = ["Part", "ReplyLine"]

M = TypeVar("M")
_JOIN = "\n\n"


@dataclass(frozen=True, slots=True)
class Part(Generic[M]):
    """One message to send: its text and what goes with it (a keyboard, a file...).

    Only `mergeable` parts are merged; the merged message keeps the last `extra` given.
    """

    text: str
    extra: M | None = None
    mergeable: bool = True


@dataclass(slots=True)
class _Queued(Generic[M]):
    part: Part[M]
    done: asyncio.Future[None] = field(default_factory=asyncio.Future)


class ReplyLine(Generic[M]):
    """Delivers live replies per chat, in order, paced, merged and retried (see the module)."""

    def __init__(
        self,
        send: Callable[[str, Part[M]], Awaitable[None]],
        pacer: Pacer | None,
        *,
        limit: int,
        deadline: float = 300.0,
        retry_base: float = 0.5,
        retry_cap: float = 15.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._send = send
        self.pacer = pacer
        self.limit = limit
        self.deadline = deadline
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._monotonic = monotonic
        self._sleep = sleep
        self._queues: dict[str, deque[_Queued[M]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.merged = 0
        self.retried = 0

    async def send(self, chat_id: str, parts: Sequence[Part[M]]) -> None:
        """Queue `parts` for `chat_id` and return once all are delivered (raise if one is not)."""
        if not parts:
            return
        queued = [_Queued(part) for part in parts]
        line = self._queues.get(chat_id)
        if line is None:
            line = self._queues[chat_id] = deque(queued)
            task = asyncio.create_task(self._drain(chat_id, line))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            line.extend(queued)
        outcomes = await asyncio.gather(*(item.done for item in queued), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _drain(self, chat_id: str, line: deque[_Queued[M]]) -> None:
        """Send the chat's queued parts until none is left, then close its line."""
        try:
            while line:
                await self._deliver(chat_id, line)
        finally:
            del self._queues[chat_id]
            for item in line:
                if not item.done.done():
                    item.done.set_exception(RuntimeError("the reply line stopped"))

    async def _deliver(self, chat_id: str, line: deque[_Queued[M]]) -> None:
        """Send the head of the line (merged with the mergeable parts behind it) until done."""
        started = self._monotonic()
        attempt = 0
        batch: list[_Queued[M]] = []
        while True:
            waited = self.pacer is not None and await self.pacer.acquire_live(chat_id)
            try:
                if not batch:
                    batch = self._take(line, merge=waited)
                await self._send(chat_id, _merge([item.part for item in batch]))
            except (RateLimited, TransientError) as exc:
                wait = self._wait_after(exc, attempt := attempt + 1)
                if self._monotonic() - started + wait > self.deadline:
                    _fail(batch, exc)
                    return
                self.retried += 1
            except asyncio.CancelledError:
                _fail(batch, RuntimeError("the reply line stopped"))
                raise
            except Exception as exc:
                _fail(batch, exc)
                return
            else:
                for item in batch:
                    item.done.set_result(None)
                return
            finally:
                if self.pacer is not None:
                    self.pacer.release(chat_id)
            await self._sleep(wait)

    def _wait_after(self, exc: RateLimited | TransientError, attempt: int) -> float:
        """Return how long to wait before trying again (a 429 pauses the pacer instead)."""
        if isinstance(exc, RateLimited):
            if self.pacer is None:
                return exc.retry_after
            self.pacer.pause(exc.retry_after)
            return 0.0
        return backoff(attempt, self.retry_base, self.retry_cap)

    def _take(self, line: deque[_Queued[M]], *, merge: bool) -> list[_Queued[M]]:
        """Pop the head of the line and, with `merge`, the mergeable parts behind it that fit."""
        batch = [line.popleft()]
        size = len(batch[0].part.text)
        while merge and line and batch[0].part.mergeable and line[0].part.mergeable:
            size += len(_JOIN) + len(line[0].part.text)
            if size > self.limit:
                break
            batch.append(line.popleft())
        self.merged += len(batch) - 1
        return batch


def _merge(parts: list[Part[M]]) -> Part[M]:
    """Return one part with the texts joined and the last `extra` given."""
    if len(parts) == 1:
        return parts[0]
    extra = next((part.extra for part in reversed(parts) if part.extra is not None), None)
    return Part(_JOIN.join(part.text for part in parts), extra)


def _fail(batch: list[_Queued[M]], exc: BaseException) -> None:
    """Hand `exc` to every waiter of the batch."""
    for item in batch:
        if not item.done.done():
            item.done.set_exception(exc)
