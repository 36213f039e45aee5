"""The sender with an in-memory transport and a fake clock: pace, retries, 429, blocked, stopped."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.core.hours import SendingHours
from bot.core.types import Button
from bot.outbox.sender import (
    Chain,
    Pacer,
    PermanentError,
    Prepared,
    Preparer,
    RateLimited,
    Sender,
    TransientError,
    Unreachable,
    backoff,
)
from bot.store import ContactStatus, OutboxItem, OutboxStatus, Store
from bot.store.outbox import URGENT_PRIORITY, Claimed, OutboxReason, Outcome
from tests.store_queries import find_contact, outbox_row, outbox_rows

START = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


class FakeTime:
    """One fake time for the wall clock, the monotonic clock and sleeping (which advances it)."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> datetime:
        return START + timedelta(seconds=self.t)

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        target = self.t + seconds
        await asyncio.sleep(0)
        self.t = max(self.t, target)


class FakeTransport:
    """Records deliveries with their time; raises scripted errors per chat, in order."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.delivered: list[tuple[float, str, str]] = []
        self.tries: list[tuple[float, str]] = []
        self.script: dict[str, list[Exception]] = {}

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        self.tries.append((self.time.t, chat_id))
        await asyncio.sleep(0)
        errors = self.script.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.delivered.append((self.time.t, chat_id, text))


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def transport(time: FakeTime) -> FakeTransport:
    return FakeTransport(time)


def make_sender(
    store: Store,
    transport: FakeTransport,
    time: FakeTime,
    *,
    rate: float = 30,
    per_chat: float = 1,
    max_attempts: int = 5,
    preparer: Preparer | None = None,
    max_in_flight: int = Sender.MAX_IN_FLIGHT,
) -> Sender:
    pacer = Pacer(rate, per_chat, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)
    return Sender(
        store.outbox,
        transport,
        pacer,
        time,
        max_attempts=max_attempts,
        retry_base=2.0,
        retry_cap=60.0,
        monotonic=time.monotonic,
        sleep=time.sleep,
        preparer=preparer,
        max_in_flight=max_in_flight,
    )


async def queue(store: Store, time: FakeTime, chats: Sequence[str]) -> list[int]:
    """Queue one message per entry of `chats` (a chat may repeat); return the row ids."""
    ids = []
    for chat in chats:
        found = await find_contact(store.db, "telegram", chat)
        if found is None:
            found = await store.contacts.touch("telegram", chat, "", time.now())
        ids.append(found.id)
    items = [OutboxItem(cid, "reminder", f"tin {i}") for i, cid in enumerate(ids)]
    return [i for i in await store.outbox.enqueue_many(items, time.now()) if i is not None]


async def statuses(store: Store) -> dict[OutboxStatus, int]:
    return {k: v for k, v in (await store.outbox.counts()).items() if v}


async def test_overall_pace_is_at_most_rate_per_second(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    await queue(store, time, [str(n) for n in range(90)])
    # Fake time jumps while a send is one step from done; enough places in flight keep the
    # count per fake second exact (in real time the send completes before the jump).
    sender = make_sender(store, transport, time, rate=30, max_in_flight=32)
    await sender.drain()
    times = [t for t, _, _ in transport.delivered]
    assert len(times) == 90
    assert [times.count(second) for second in (0.0, 1.0, 2.0)] == [30, 30, 30]
    assert await statuses(store) == {OutboxStatus.SENT: 90}


async def test_one_chat_gets_at_most_one_message_per_second(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    await queue(store, time, ["7", "8", "7", "9", "7"])
    sender = make_sender(store, transport, time, rate=30, per_chat=1)
    await sender.drain()
    seven = [t for t, chat, _ in transport.delivered if chat == "7"]
    assert len(seven) == 3
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(seven))
    assert [text for _, chat, text in transport.delivered if chat == "7"] == [
        "tin 0",
        "tin 2",
        "tin 4",
    ]
    assert await statuses(store) == {OutboxStatus.SENT: 5}
    assert sender.stats.deferred >= 2


async def test_network_errors_are_retried_on_a_fixed_schedule_then_failed(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    (row_id,) = await queue(store, time, ["5"])
    transport.script["5"] = [TransientError("Bad Gateway") for _ in range(10)]
    sender = make_sender(store, transport, time, max_attempts=4)
    await sender.drain(max_wait=100)
    assert [t for t, _ in transport.tries] == pytest.approx([0, 2, 6, 14], abs=0.01)
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert row.status is OutboxStatus.FAILED
    assert row.attempts == 4
    assert (row.last_error, row.last_detail) == ("gave_up", "4 attempts: transient: Bad Gateway")
    assert [backoff(n, 2.0, 60.0) for n in (1, 2, 3, 7)] == [2.0, 4.0, 8.0, 60.0]


async def test_a_transient_error_then_success_ends_sent(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    (row_id,) = await queue(store, time, ["5"])
    transport.script["5"] = [TransientError("timed out"), TransientError("Bad Gateway")]
    await make_sender(store, transport, time).drain(max_wait=100)
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)
    assert (row.last_error, row.last_detail) == ("transient", "Bad Gateway")  # the last retry
    assert len(transport.delivered) == 1


async def test_without_max_wait_a_retry_stays_queued_for_later(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    (row_id,) = await queue(store, time, ["5"])
    transport.script["5"] = [TransientError("Bad Gateway")]
    await make_sender(store, transport, time).drain()
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert row.status is OutboxStatus.QUEUED
    assert row.next_attempt_at == START + timedelta(seconds=2)


async def test_a_429_pauses_every_send_for_retry_after(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    await queue(store, time, [str(n) for n in range(10)])
    transport.script["0"] = [RateLimited(5)]
    sender = make_sender(store, transport, time, rate=5)
    await sender.drain()
    assert await statuses(store) == {OutboxStatus.SENT: 10}
    first_429 = transport.tries[0][0]
    after = [t for t, _, _ in transport.delivered if t > first_429]
    assert after
    assert min(after) >= first_429 + 5
    again = [t for t, chat in transport.tries if chat == "0"]
    assert again[1] >= first_429 + 5
    row = (await outbox_rows(store.db))[0]
    assert row.attempts == 1
    assert (row.last_error, row.last_detail) == ("rate_limited", "retry after 5 s")
    assert sender.stats.rate_limited == 1


async def test_a_blocked_chat_marks_the_contact_blocked_and_is_never_retried(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    first, second, other = await queue(store, time, ["66", "66", "67"])
    transport.script["66"] = [Unreachable("Forbidden: bot was blocked by the user")]
    await make_sender(store, transport, time).drain(max_wait=100)
    assert [chat for _, chat in transport.tries] == ["66", "67"]
    rows = {r.id: r for r in await outbox_rows(store.db)}
    assert rows[first].status is OutboxStatus.SKIPPED
    assert (rows[first].last_error, rows[first].last_detail) == (
        "blocked",
        "Forbidden: bot was blocked by the user",
    )
    assert (rows[second].status, rows[second].last_error) == (OutboxStatus.SKIPPED, "blocked")
    assert rows[second].last_detail is None  # skipped at claim, never tried
    assert rows[other].status is OutboxStatus.SENT
    contact = await find_contact(store.db, "telegram", "66")
    assert contact is not None
    assert contact.status is ContactStatus.BLOCKED


async def test_a_contact_who_stopped_is_skipped_without_a_delivery(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    stopped_row, _sent_row = await queue(store, time, ["70", "71"])
    contact = await find_contact(store.db, "telegram", "70")
    assert contact is not None
    await store.contacts.set_status(contact.id, ContactStatus.STOPPED, time.now())
    sender = make_sender(store, transport, time)
    await sender.drain()
    assert [chat for _, chat in transport.tries] == ["71"]
    row = await outbox_row(store.db, stopped_row)
    assert row is not None
    assert (row.status, row.last_error, row.attempts) == (OutboxStatus.SKIPPED, "stopped", 0)
    assert sender.stats.skipped == 1


async def test_a_bad_request_fails_at_once(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    (row_id,) = await queue(store, time, ["5"])
    transport.script["5"] = [PermanentError("Bad Request: message is too long")]
    await make_sender(store, transport, time).drain(max_wait=100)
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert (row.last_error, row.last_detail) == ("refused", "Bad Request: message is too long")
    assert len(transport.tries) == 1


async def test_an_unexpected_exception_is_treated_as_transient(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    (row_id,) = await queue(store, time, ["5"])
    transport.script["5"] = [ValueError("boom")]
    await make_sender(store, transport, time).drain(max_wait=100)
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert row.status is OutboxStatus.SENT
    assert (row.last_error, row.last_detail) == ("unexpected", "ValueError('boom')")


async def test_rows_in_flight_at_a_crash_are_sent_after_recover(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    await queue(store, time, ["1", "2", "3"])
    await store.outbox.claim("telegram", time.now(), limit=2)
    sender = make_sender(store, transport, time)
    assert await sender.recover() == 2
    await sender.drain()
    assert sorted(chat for _, chat, _ in transport.delivered) == ["1", "2", "3"]


async def test_a_live_reply_goes_before_waiting_bulk_sends(time: FakeTime) -> None:
    pacer = Pacer(1, 1, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)
    order: list[tuple[str, float]] = []
    await pacer.acquire("bulk-0")
    pacer.release("bulk-0")

    async def bulk() -> None:
        await pacer.acquire("bulk-1")
        order.append(("bulk", time.t))
        pacer.release("bulk-1")

    async def live() -> None:
        await pacer.live("person")
        order.append(("live", time.t))

    await asyncio.gather(bulk(), live())
    assert order == [("live", 1.0), ("bulk", 2.0)]


async def test_live_replies_taken_without_waiting_shrink_the_bulk_budget(time: FakeTime) -> None:
    pacer = Pacer(3, 1, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)
    pacer.take_live("a")
    pacer.take_live("b")
    times = []
    for chat in ("c", "d", "e"):
        await pacer.acquire(chat)
        times.append(time.t)
        pacer.release(chat)
    assert times == [0.0, 1.0, 1.0]
    assert pacer.chat_wait("a") == pytest.approx(0.0)
    assert pacer.chat_wait("e") == pytest.approx(1.0)


async def test_a_send_in_flight_holds_its_place_until_it_completes(time: FakeTime) -> None:
    pacer = Pacer(2, 1, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)
    await pacer.acquire("a")
    await pacer.acquire("b")
    third = asyncio.create_task(pacer.acquire("c"))
    await asyncio.sleep(0)
    time.t = 5.0
    await asyncio.sleep(0)
    assert not third.done()
    pacer.release("a")
    pacer.release("b")
    await third
    assert time.t == pytest.approx(6.0)
    assert pacer.chat_wait("a") == pytest.approx(0.0)


async def test_run_sends_what_is_queued_while_it_runs_and_stops(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    sender = make_sender(store, transport, time)
    sender.poll_interval = 0.05
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.01)
    await queue(store, time, ["1", "2"])
    for _ in range(200):
        if len(transport.delivered) == 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 2)
    assert sorted(chat for _, chat, _ in transport.delivered) == ["1", "2"]
    assert await statuses(store) == {OutboxStatus.SENT: 2}


async def test_nothing_is_sent_outside_the_sending_hours(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    """A sender that fell behind waits for the morning instead of messaging at night."""
    hours = SendingHours(11, 20, VIETNAM)  # START is 09:00: the hours open in two hours

    await queue(store, time, ["1", "2"])
    pacer = Pacer(30, 1, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)
    sender = Sender(
        store.outbox,
        transport,
        pacer,
        time,
        monotonic=time.monotonic,
        sleep=time.sleep,
        hours=hours,
    )
    await sender.drain()
    assert transport.delivered == []
    time.t = 2 * 3600
    await sender.drain()
    assert sorted(chat for _, chat, _ in transport.delivered) == ["1", "2"]


async def test_urgent_messages_go_out_even_outside_the_sending_hours(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    contact = await store.contacts.touch("telegram", "7", "", time.now())
    urgent = OutboxItem(contact.id, "broadcast", "Khẩn", priority=URGENT_PRIORITY)
    normal = OutboxItem(contact.id, "reminder", "Thường")
    await store.outbox.enqueue_many([urgent, normal], time.now())
    pacer = Pacer(30, 1, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)
    sender = Sender(
        store.outbox,
        transport,
        pacer,
        time,
        monotonic=time.monotonic,
        sleep=time.sleep,
        hours=SendingHours(0, 1, VIETNAM),  # closed from 01:00 on, so at 09:00
    )
    await sender.drain()
    assert [text for _, _, text in transport.delivered] == ["Khẩn"]


class _Script:
    """A preparer acting on each row by its text; records what it was given."""

    def __init__(self, actions: dict[str, str], at: datetime) -> None:
        self.actions = actions
        self.at = at
        self.seen: list[tuple[list[str], datetime]] = []
        self.error: Exception | None = None

    async def prepare(self, rows: Sequence[Claimed], now: datetime) -> Prepared:
        self.seen.append(([row.text for row in rows], now))
        if self.error is not None:
            raise self.error
        ready, outcomes = [], []
        for row in rows:
            action = self.actions.get(row.text, "pass")
            if action == "skip":
                outcomes.append(Outcome.skipped(row.id, OutboxReason.DAILY_CAP))
            elif action == "defer":
                outcomes.append(Outcome.deferred(row.id, self.at))
            elif action == "fail":
                outcomes.append(Outcome.failed(row.id, OutboxReason.TEMPLATE, "no such field"))
            elif action == "pass":
                ready.append(row)
            else:
                ready.append(replace(row, text=action))
        return Prepared(ready, outcomes)


async def test_a_preparer_fills_in_texts_and_holds_back_rows(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    ids = await queue(store, time, ["1", "2", "3", "4", "5"])
    later = time.now() + timedelta(hours=20)
    script = _Script(
        {"tin 0": "Chào Lan", "tin 1": "skip", "tin 2": "defer", "tin 3": "fail"}, later
    )
    stats = await make_sender(store, transport, time, preparer=script).drain()
    assert script.seen == [(["tin 0", "tin 1", "tin 2", "tin 3", "tin 4"], time.now())]
    assert [(chat, text) for _, chat, text in transport.delivered] == [
        ("1", "Chào Lan"),
        ("5", "tin 4"),
    ]
    assert (stats.sent, stats.skipped, stats.deferred, stats.failed) == (2, 1, 1, 1)
    rows = {row.id: row for row in await outbox_rows(store.db)}
    assert (rows[ids[1]].status, rows[ids[1]].last_error) == (OutboxStatus.SKIPPED, "daily_cap")
    assert (rows[ids[2]].status, rows[ids[2]].next_attempt_at) == (OutboxStatus.QUEUED, later)
    assert rows[ids[2]].attempts == 0
    assert (rows[ids[3]].status, rows[ids[3]].last_error) == (OutboxStatus.FAILED, "template")
    assert rows[ids[3]].last_detail == "no such field"


async def test_a_chain_hands_each_step_what_the_previous_let_through(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    await queue(store, time, ["1", "2", "3"])
    first = _Script({"tin 0": "skip"}, time.now())
    second = _Script({"tin 1": "fail", "tin 2": "Xin chào"}, time.now())
    stats = await make_sender(store, transport, time, preparer=Chain(first, second)).drain()
    assert [texts for texts, _ in first.seen] == [["tin 0", "tin 1", "tin 2"]]
    assert [texts for texts, _ in second.seen] == [["tin 1", "tin 2"]]
    assert [text for _, _, text in transport.delivered] == ["Xin chào"]
    assert (stats.skipped, stats.failed, stats.sent) == (1, 1, 1)


async def test_a_failing_preparer_has_the_batch_retried_later(
    store: Store, transport: FakeTransport, time: FakeTime
) -> None:
    ids = await queue(store, time, ["1", "2"])
    script = _Script({}, time.now())
    script.error = RuntimeError("database is locked")
    sender = make_sender(store, transport, time, preparer=script)
    stats = await sender.drain()
    assert transport.delivered == []
    assert stats.retried == 2
    row = await outbox_row(store.db, ids[0])
    assert row is not None
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1)
    assert row.next_attempt_at == time.now() + timedelta(seconds=2)
    assert row.last_error == "not_prepared"
    assert row.last_detail == "RuntimeError('database is locked')"
    script.error = None
    await sender.drain(max_wait=5)
    assert sorted(chat for _, chat, _ in transport.delivered) == ["1", "2"]


async def test_each_outcome_is_stored_before_another_delivery_takes_its_place(
    store: Store, time: FakeTime
) -> None:
    """What a crash may repeat: sends that started and whose outcome is not stored yet.

    At 2 messages a second, only the deliveries the pace lets overlap and the outcome being
    written may be unrecorded, however many rows the sender claimed and holds waiting for
    the pacer (before, outcomes waited for the whole claimed batch: 6 here).
    """
    unrecorded: list[int] = []

    class Watching(FakeTransport):
        async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
            counts = await store.outbox.counts()
            unrecorded.append(len(self.tries) - counts[OutboxStatus.SENT])
            await super().deliver(chat_id, text, buttons)

    await queue(store, time, [str(n) for n in range(40)])
    sender = make_sender(store, Watching(time), time, rate=2, per_chat=2)
    await sender.drain()
    assert await statuses(store) == {OutboxStatus.SENT: 40}
    assert max(unrecorded) <= 3  # the two the pace lets overlap, and one being written
