"""The sender: drains the outbox at the channel's pace, retries, and marks blocked contacts.

Delivery is at least once. A row is claimed (marked `sending`) before it is delivered and
its outcome is written after; a crash in between leaves it in `sending`, and `Sender.recover`
(run at start-up) queues it again. So after `kill -9` nothing queued is lost. Each delivery
stores its outcome (in a group commit with the others finishing then) before its place is
given to the next row, so the rows that may reach the person twice are only those whose
delivery had started and whose outcome was not stored yet: at most `max_in_flight`
(`Sender.MAX_IN_FLIGHT`, 8, by default). Claimed rows still waiting for the pacer were never
sent, and go out once. A delivery that timed out is retried too, and may also arrive twice
if the channel did accept it.

An optional `Preparer` sees each claimed batch before delivery: it may fill in text (a
broadcast rendered at send time), hold rows back (a daily cap) or skip and fail them. The
sender stays unaware of what the rows are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from bot.clock import Clock
from bot.core.hours import SendingHours
from bot.core.types import Button
from bot.store.outbox import Claimed, Outbox, OutboxReason, OutboxStatus, Outcome

__all__ = [
    "Chain",
    "DeliveryError",
    "Pacer",
    "PermanentError",
    "Prepared",
    "Preparer",
    "RateLimited",
    "Sender",
    "SenderStats",
    "TransientError",
    "Transport",
    "Unreachable",
    "backoff",
]

log = logging.getLogger(__name__)

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class DeliveryError(Exception):
    """A delivery did not happen; the subclass says what to do about it.

    `code` is what the outbox stores as the reason; `reason` is the channel's own words,
    kept beside it (`last_detail`) for the operator.
    """

    code: ClassVar[OutboxReason] = OutboxReason.TRANSIENT

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(DeliveryError):
    """The channel asked to wait `retry_after` seconds before sending anything (HTTP 429)."""

    code = OutboxReason.RATE_LIMITED

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:g} s")
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person blocked the bot, deleted their account, or the chat does not exist."""

    code = OutboxReason.BLOCKED


class TransientError(DeliveryError):
    """A network error, timeout or server error: worth trying again later."""


class PermanentError(DeliveryError):
    """The channel refused this message (bad request): trying again will not help.

    A subclass may name a more precise code (PROACTIVE_OFF: the channel is configured not to
    send proactive messages).
    """

    code = OutboxReason.REFUSED


class Transport(Protocol):
    """Delivers one message to one chat of a channel, raising a `DeliveryError` on failure."""

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        """Send `text` (with `buttons`) to `chat_id`."""
        ...


@dataclass(frozen=True, slots=True)
class Prepared:
    """Claimed rows ready to deliver, and the outcomes of the rows held back, skipped or failed."""

    rows: list[Claimed]
    outcomes: list[Outcome] = field(default_factory=list)


class Preparer(Protocol):
    """Readies a claimed batch for delivery; every row comes back once, as a row or an outcome."""

    async def prepare(self, rows: Sequence[Claimed], now: datetime) -> Prepared:
        """Return the rows to deliver now (with their final text) and the others' outcomes."""
        ...


class Chain:
    """Preparers applied one after another, each to the rows the previous one let through."""

    def __init__(self, *steps: Preparer) -> None:
        self.steps = steps

    async def prepare(self, rows: Sequence[Claimed], now: datetime) -> Prepared:
        """Run every step in order; gather the outcomes of all of them."""
        ready, outcomes = list(rows), []
        for step in self.steps:
            if not ready:
                break
            done = await step.prepare(ready, now)
            ready = done.rows
            outcomes.extend(done.outcomes)
        return Prepared(ready, outcomes)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Return the wait in seconds before retry number `attempt` (1, 2, …): base·2^(n-1), capped."""
    return float(min(cap, base * 2 ** (attempt - 1)))


class _Window:
    """A sliding window allowing `capacity` sends per `length` seconds.

    A send in flight holds a place until it completes, and then counts from its completion
    time: that is never earlier than the moment the channel saw it, so network delays can
    only make the pace slower than the channel's limit, never faster.
    """

    __slots__ = ("busy", "capacity", "length", "times")

    def __init__(self, capacity: int, length: float) -> None:
        self.capacity = capacity
        self.length = length
        self.times: deque[float] = deque()
        self.busy = 0

    def wait(self, now: float) -> float | None:
        """Return how long until one more send fits (0 = now; None = when a send completes)."""
        while self.times and self.times[0] <= now - self.length:
            self.times.popleft()
        excess = len(self.times) + self.busy - self.capacity + 1
        if excess <= 0:
            return 0.0
        if excess > len(self.times):
            return None
        return self.times[excess - 1] + self.length - now

    def idle(self, now: float) -> bool:
        """Return whether nothing is in flight and every send has left the window."""
        return self.busy == 0 and (not self.times or self.times[-1] <= now - self.length)


def _window(rate: float, margin: float) -> _Window:
    """Return the window for `rate` per second: whole sends per second, or one per 1/rate s."""
    capacity = max(1, int(rate))
    return _Window(capacity, capacity / rate + margin)


def _longest(*waits: float | None) -> float | None:
    """Return the longest wait (None, "until a send completes", wins over any number)."""
    if any(wait is None for wait in waits):
        return None
    return max(wait for wait in waits if wait is not None)


class Pacer:
    """The send budget shared by bulk sending and live replies (sliding windows).

    At most `rate` messages per second overall and `per_chat_rate` per chat; a 429 pauses
    everything. Bulk sends `acquire` a place and `release` it when the call returns. Live
    replies `acquire_live` a place (and `release` it likewise) ahead of bulk sends; `live()`
    and `take_live()` count a reply sent at once instead, without holding a place.
    """

    def __init__(
        self,
        rate: float,
        per_chat_rate: float,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        margin: float = 0.01,
    ) -> None:
        if rate <= 0 or per_chat_rate <= 0:
            raise ValueError("rates must be positive")
        self.rate = rate
        self.per_chat_rate = per_chat_rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._margin = margin
        self._global = _window(rate, margin)
        self._chats: dict[str, _Window] = {}
        self._paused_until = float("-inf")
        self._live_waiting = 0
        self._released = asyncio.Event()
        self.pauses = 0
        """How many 429s (live replies and bulk sends alike) paused this pacer."""

    @property
    def chat_interval(self) -> float:
        """Return the longest a chat waits between two messages at the per-chat pace."""
        return _window(self.per_chat_rate, self._margin).length

    @property
    def paused_for(self) -> float:
        """Return how many seconds remain of a 429 pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._monotonic())

    def pause(self, seconds: float) -> None:
        """Stop all sends for `seconds` (the channel said 429 retry_after)."""
        self.pauses += 1
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    def chat_wait(self, chat_id: str) -> float:
        """Return how long until `chat_id` may get another message (0 = now)."""
        window = self._chats.get(chat_id)
        if window is None:
            return 0.0
        wait = window.wait(self._monotonic())
        return window.length if wait is None else wait

    async def acquire(self, chat_id: str) -> None:
        """Wait for a bulk send slot (after any pause and any waiting live reply); hold it."""
        while True:
            released = self._released
            now = self._monotonic()
            wait = _longest(
                self._paused_until - now, self._global.wait(now), self._chat(chat_id).wait(now)
            )
            if wait is None:
                await released.wait()
            elif wait > 0 or self._live_waiting:
                await self._sleep(max(wait, 0.001))
            else:
                self._global.busy += 1
                self._chat(chat_id).busy += 1
                return

    def release(self, chat_id: str) -> None:
        """Count a send held by `acquire` or `acquire_live` as done now."""
        now = self._monotonic()
        for window in (self._global, self._chat(chat_id)):
            window.busy -= 1
            window.times.append(now)
        self._released.set()
        self._released = asyncio.Event()

    async def acquire_live(self, chat_id: str) -> bool:
        """Wait for a reply slot (the chat's pace, then the overall one ahead of bulk); hold it.

        While a reply waits only for its own chat, bulk sends to other chats go on. Return
        whether it had to wait.
        """
        waited = False
        while True:
            released = self._released
            now = self._monotonic()
            chat = self._chat(chat_id).wait(now)
            wait = _longest(self._paused_until - now, self._global.wait(now))
            if chat == 0 and wait is not None and wait <= 0:
                self._global.busy += 1
                self._chat(chat_id).busy += 1
                return waited
            waited = True
            if chat is None:
                await released.wait()
                continue
            if chat > 0:
                await self._sleep(chat)
                continue
            self._live_waiting += 1
            try:
                if wait is None:
                    await released.wait()
                else:
                    await self._sleep(wait)
            finally:
                self._live_waiting -= 1

    async def live(self, chat_id: str | None = None) -> None:
        """Wait for a slot ahead of bulk sends (and any 429 pause), then take it for a reply."""
        self._live_waiting += 1
        try:
            while True:
                released = self._released
                now = self._monotonic()
                wait = _longest(self._paused_until - now, self._global.wait(now))
                if wait is None:
                    await released.wait()
                elif wait > 0:
                    await self._sleep(wait)
                else:
                    self.take_live(chat_id)
                    return
        finally:
            self._live_waiting -= 1

    def take_live(self, chat_id: str | None = None) -> None:
        """Count a live reply sent now without waiting, so bulk sending leaves room for it."""
        now = self._monotonic()
        self._global.times.append(now)
        if chat_id is not None:
            self._chat(chat_id).times.append(now)

    def _chat(self, chat_id: str) -> _Window:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) >= 10_000:
                now = self._monotonic()
                for key in [key for key, w in self._chats.items() if w.idle(now)]:
                    del self._chats[key]
            window = self._chats[chat_id] = _window(self.per_chat_rate, self._margin)
        return window


@dataclass
class SenderStats:
    """What the sender did since it was built."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    rate_limited: int = 0
    deferred: int = 0
    looped_at: datetime | None = None
    """When `run`'s loop last went round (None when it is not running): the sender's pulse."""


class Sender:
    """Claims due outbox rows in small batches and delivers them through one channel.

    Outside `hours` (the sending hours) only urgent rows go out; without them the sender
    never pauses.
    `preparer` readies each claimed batch (final text, daily cap) before delivery.
    At most `max_in_flight` deliveries run at once; each holds its place until its outcome
    is stored, which bounds what a crash can repeat.
    """

    MAX_IN_FLIGHT = 8

    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        pacer: Pacer,
        clock: Clock,
        *,
        channel: str = "telegram",
        max_attempts: int = 5,
        retry_base: float = 30.0,
        retry_cap: float = 3600.0,
        batch_size: int | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        poll_interval: float = 1.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        hours: SendingHours | None = None,
        preparer: Preparer | None = None,
    ) -> None:
        self.outbox = outbox
        self.hours = hours
        self.preparer = preparer
        self.transport = transport
        self.pacer = pacer
        self.clock = clock
        self.channel = channel
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.batch_size = batch_size or max(5, min(100, int(pacer.rate // 2)))
        self.max_in_flight = max_in_flight
        self.poll_interval = poll_interval
        self.stats = SenderStats()
        self._monotonic = monotonic
        self._sleep = sleep
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: list[Outcome] = []
        self._writing = asyncio.Lock()

    async def recover(self) -> int:
        """Queue again the rows a crashed sender left in `sending`; return how many."""
        count = await self.outbox.requeue_inflight(self.clock.now())
        if count:
            log.warning("%d outbox message(s) were in flight at a crash: sending them again", count)
        return count

    async def run(self, stop: asyncio.Event) -> None:
        """Recover, then send due rows until `stop` is set; finish in-flight sends at the end."""
        await self.recover()
        try:
            while not stop.is_set():
                self.stats.looped_at = self.clock.now()
                if await self.step():
                    continue
                await self._settle()
                if await self.step():
                    continue
                await self._idle(stop)
        finally:
            self.stats.looped_at = None
            await self._settle()

    async def drain(self, *, max_wait: float = 0.0) -> SenderStats:
        """Send every row due now; also wait for retries due within `max_wait` seconds.

        Rows put back because their chat or the channel had no budget left (per-chat pace,
        a 429 pause) are always waited for.
        """
        deadline = self._monotonic() + max_wait
        while True:
            if await self.step():
                continue
            await self._settle()
            if await self.step():
                continue
            due = await self.outbox.next_due(self.channel)
            if due is None or self.closed():
                break
            delay = (due - self.clock.now()).total_seconds()
            budget_wait = self.pacer.paused_for + self.pacer.chat_interval
            if delay > max(deadline - self._monotonic(), budget_wait):
                break
            await self._sleep(max(delay, self.pacer.paused_for, 0.001))
        return self.stats

    def closed(self) -> bool:
        """Tell whether proactive sending is outside its hours now (see `hours`)."""
        return self.hours is not None and not self.hours.is_open(self.clock.now())

    async def step(self) -> int:
        """Claim one batch of due rows and start delivering them; return how many were claimed.

        Outside the sending hours only urgent rows are claimed: a sender that fell behind
        during the day waits for the next morning instead of messaging residents at night.
        """
        urgent_only = self.closed()
        wanted = max(1, min(self.batch_size, self.max_in_flight // 2))
        while self._tasks and self.max_in_flight - len(self._tasks) < wanted:
            await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        await self._flush()
        room = min(self.batch_size, self.max_in_flight - len(self._tasks))
        claim = await self.outbox.claim(
            self.channel, self.clock.now(), room, urgent_only=urgent_only
        )
        self.stats.skipped += claim.skipped
        for row in await self._prepare(claim.rows):
            wait = self.pacer.chat_wait(row.chat_id)
            if wait > 0:
                at = self.clock.now() + timedelta(seconds=wait)
                self._done.append(Outcome.deferred(row.id, at))
                self.stats.deferred += 1
                continue
            await self.pacer.acquire(row.chat_id)
            task = asyncio.create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return claim.skipped + len(claim.rows)

    async def _prepare(self, rows: list[Claimed]) -> list[Claimed]:
        """Run the preparer on a claimed batch; note its outcomes; return the rows to deliver.

        A preparer that fails (the database, a bug) has the batch retried later with backoff.
        """
        if self.preparer is None or not rows:
            return rows
        try:
            prepared = await self.preparer.prepare(rows, self.clock.now())
        except Exception as exc:
            log.exception("could not prepare %d claimed outbox row(s)", len(rows))
            self._done.extend(
                self._retry_or_fail(row, OutboxReason.NOT_PREPARED, repr(exc)) for row in rows
            )
            return []
        for outcome in prepared.outcomes:
            if outcome.status is OutboxStatus.SKIPPED:
                self.stats.skipped += 1
            elif outcome.status is OutboxStatus.FAILED:
                self.stats.failed += 1
            else:
                self.stats.deferred += 1
        self._done.extend(prepared.outcomes)
        return prepared.rows

    async def _deliver(self, row: Claimed) -> None:
        """Deliver one row and store its outcome."""
        try:
            try:
                await self.transport.deliver(row.chat_id, row.text, row.buttons)
            finally:
                self.pacer.release(row.chat_id)
        except RateLimited as exc:
            self.pacer.pause(exc.retry_after)
            self.stats.rate_limited += 1
            at = self.clock.now() + timedelta(seconds=exc.retry_after)
            outcome = Outcome.retry(row.id, at, exc.code, exc.reason, attempted=False)
        except Unreachable as exc:
            self.stats.skipped += 1
            outcome = Outcome.blocked(row.id, row.contact_id, exc.reason)
        except PermanentError as exc:
            self.stats.failed += 1
            outcome = Outcome.failed(row.id, exc.code, exc.reason)
        except Exception as exc:
            outcome = self._after_transient(row, exc)
        else:
            self.stats.sent += 1
            outcome = Outcome.sent(row.id)
        self._done.append(outcome)
        try:
            await self._flush()  # stored before this place goes to another row
        except Exception:
            log.exception("could not store delivery outcomes (kept for the next write)")

    def _after_transient(self, row: Claimed, exc: Exception) -> Outcome:
        """Name the reason of a transient (or unexpected) delivery error; retry or fail the row."""
        if isinstance(exc, TransientError):
            return self._retry_or_fail(row, exc.code, exc.reason)
        log.exception("unexpected error delivering outbox row %d", row.id, exc_info=exc)
        return self._retry_or_fail(row, OutboxReason.UNEXPECTED, repr(exc))

    def _retry_or_fail(self, row: Claimed, reason: OutboxReason, detail: str) -> Outcome:
        """Retry later with backoff, or fail the row once it has used all its attempts.

        A row that gave up keeps the last reason in its detail: `5 attempts: transient: …`.
        """
        attempt = row.attempts + 1
        if attempt >= self.max_attempts:
            self.stats.failed += 1
            last = f"{attempt} attempts: {reason.value}: {detail}"
            return Outcome.failed(row.id, OutboxReason.GAVE_UP, last)
        self.stats.retried += 1
        delay = backoff(attempt, self.retry_base, self.retry_cap)
        return Outcome.retry(row.id, self.clock.now() + timedelta(seconds=delay), reason, detail)

    async def _flush(self) -> None:
        """Write the outcomes gathered so far in one transaction (one writer at a time).

        When it returns, every outcome gathered before the call is stored, by this call or
        by one that held the lock before it.
        """
        async with self._writing:
            if not self._done:
                return
            done, self._done = self._done, []
            try:
                await self.outbox.record(done, self.clock.now())
            except BaseException:
                self._done[:0] = done
                raise

    async def _settle(self) -> None:
        """Wait for every delivery in flight, then write their outcomes."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))
        await self._flush()

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for the next due row, `stop`, or the poll interval."""
        due = await self.outbox.next_due(self.channel)
        timeout = self.poll_interval
        if due is not None and not self.closed():
            ahead = (due - self.clock.now()).total_seconds()
            timeout = min(timeout, max(ahead, self.pacer.paused_for, 0.01))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout)
