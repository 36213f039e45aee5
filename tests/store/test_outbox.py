"""The outbox repository on a real SQLite file: queueing, claiming, outcomes, recovery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.core.types import Button
from bot.store import ContactStatus, OutboxItem, OutboxStatus, Store
from bot.store.broadcasts import NewBroadcast
from bot.store.outbox import OutboxReason, Outcome
from tests.store_queries import outbox_row, outbox_rows


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


async def contact(store: Store, clock: FixedClock, chat: str, channel: str = "telegram") -> int:
    return (await store.contacts.touch(channel, chat, f"Người {chat}", clock.now())).id


async def test_enqueue_returns_ids_and_none_for_dedupe_hits(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")
    first = await store.outbox.enqueue_many(
        [
            OutboxItem(a, "reminder", "Thẻ BHYT của bạn sắp hết hạn", dedupe_key="r:1:-30"),
            OutboxItem(a, "notice", "Xin chào"),
            OutboxItem(a, "reminder", "lặp lại trong cùng lô", dedupe_key="r:1:-30"),
        ],
        clock.now(),
    )
    assert first[0] is not None
    assert first[1] is not None
    assert first[2] is None
    again = await store.outbox.enqueue_many(
        [
            OutboxItem(a, "reminder", "lần nữa", dedupe_key="r:1:-30"),
            OutboxItem(a, "reminder", "giai đoạn khác", dedupe_key="r:1:-7"),
        ],
        clock.now(),
    )
    assert again[0] is None
    assert again[1] is not None
    assert again[1] > first[1]
    rows = await outbox_rows(store.db)
    assert [r.text for r in rows] == ["Thẻ BHYT của bạn sắp hết hạn", "Xin chào", "giai đoạn khác"]
    assert all(r.status is OutboxStatus.QUEUED and r.attempts == 0 for r in rows)


async def test_buttons_and_not_before_are_stored(store: Store, clock: FixedClock) -> None:
    a = await contact(store, clock, "1")
    later = clock.now() + timedelta(hours=3)
    buttons = (Button("Gia hạn thẻ", "renew"), Button("Tắt nhắc nhở", "remind_off"))
    (row_id,) = await store.outbox.enqueue_many(
        [OutboxItem(a, "reminder", "Nhắc", buttons=buttons, not_before=later, priority=5)],
        clock.now(),
    )
    assert row_id is not None
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert row.buttons == buttons
    assert row.next_attempt_at == later
    assert row.priority == 5
    assert row.created_at == clock.now()


async def test_claim_takes_due_rows_by_priority_then_time_and_skips_inactive_contacts(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")
    b = await contact(store, clock, "2")
    stopped = await contact(store, clock, "3")
    blocked = await contact(store, clock, "4")
    zalo = await contact(store, clock, "5", channel="zalo")
    await store.contacts.set_status(stopped, ContactStatus.STOPPED, clock.now())
    await store.contacts.set_status(blocked, ContactStatus.BLOCKED, clock.now())
    now = clock.now()
    ids = await store.outbox.enqueue_many(
        [
            OutboxItem(a, "broadcast", "bulk", priority=200),
            OutboxItem(b, "reminder", "reminder"),
            OutboxItem(a, "notice", "urgent", priority=10),
            OutboxItem(b, "reminder", "tomorrow", not_before=now + timedelta(days=1)),
            OutboxItem(stopped, "reminder", "to stopped"),
            OutboxItem(blocked, "reminder", "to blocked"),
            OutboxItem(zalo, "reminder", "other channel"),
        ],
        now,
    )
    claim = await store.outbox.claim("telegram", now, limit=10)
    assert [r.text for r in claim.rows] == ["urgent", "reminder", "bulk"]
    assert [r.chat_id for r in claim.rows] == ["1", "2", "1"]
    assert claim.skipped == 2
    by_id = {r.id: r for r in await outbox_rows(store.db)}
    assert by_id[ids[4] or 0].status is OutboxStatus.SKIPPED
    assert by_id[ids[4] or 0].last_error == "stopped"
    assert by_id[ids[5] or 0].last_error == "blocked"
    assert by_id[ids[3] or 0].status is OutboxStatus.QUEUED
    assert by_id[ids[6] or 0].status is OutboxStatus.QUEUED
    assert all(by_id[r.id].status is OutboxStatus.SENDING for r in claim.rows)
    assert (await store.outbox.claim("telegram", now, limit=10)).rows == []
    assert await store.outbox.next_due("telegram") == now + timedelta(days=1)


async def test_claim_respects_the_limit(store: Store, clock: FixedClock) -> None:
    a = await contact(store, clock, "1")
    await store.outbox.enqueue_many(
        [OutboxItem(a, "notice", f"m{i}") for i in range(5)], clock.now()
    )
    first = await store.outbox.claim("telegram", clock.now(), limit=2)
    second = await store.outbox.claim("telegram", clock.now(), limit=2)
    assert [r.text for r in first.rows + second.rows] == ["m0", "m1", "m2", "m3"]


async def test_outcomes_are_recorded_and_a_blocking_contact_becomes_blocked(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")
    b = await contact(store, clock, "2")
    now = clock.now()
    ids = await store.outbox.enqueue_many(
        [OutboxItem(a, "notice", f"m{i}") for i in range(4)] + [OutboxItem(b, "notice", "m4")],
        now,
    )
    claim = await store.outbox.claim("telegram", now, limit=10)
    assert len(claim.rows) == 5
    i0, i1, i2, i3, i4 = (i or 0 for i in ids)
    later = now + timedelta(seconds=30)
    clock.advance(timedelta(seconds=2))
    await store.outbox.record(
        [
            Outcome.sent(i0),
            Outcome.retry(i1, later, OutboxReason.TRANSIENT, "Bad Gateway"),
            Outcome.deferred(i2, later),
            Outcome.failed(i3, OutboxReason.REFUSED, "Bad Request: message is too long"),
            Outcome.blocked(i4, b, "Forbidden"),
        ],
        clock.now(),
    )
    rows = {r.id: r for r in await outbox_rows(store.db)}
    assert rows[i0].status is OutboxStatus.SENT
    assert rows[i0].sent_at == clock.now()
    assert rows[i0].attempts == 1
    assert (rows[i1].status, rows[i1].attempts) == (OutboxStatus.QUEUED, 1)
    assert (rows[i1].next_attempt_at, rows[i1].last_error) == (later, "transient")
    assert rows[i1].last_detail == "Bad Gateway"
    assert (rows[i2].status, rows[i2].attempts, rows[i2].last_error) == (
        OutboxStatus.QUEUED,
        0,
        None,
    )
    assert (rows[i3].status, rows[i3].last_error, rows[i3].last_detail) == (
        OutboxStatus.FAILED,
        "refused",
        "Bad Request: message is too long",
    )
    assert (rows[i4].status, rows[i4].last_error) == (OutboxStatus.SKIPPED, "blocked")
    blocked = await store.contacts.get(b)
    assert blocked is not None
    assert blocked.status is ContactStatus.BLOCKED
    assert [r.id for r in await store.outbox.latest_failures()] == [i3]
    counts = await store.outbox.counts()
    assert counts == {
        OutboxStatus.QUEUED: 2,
        OutboxStatus.SENDING: 0,
        OutboxStatus.SENT: 1,
        OutboxStatus.FAILED: 1,
        OutboxStatus.SKIPPED: 1,
    }


async def test_an_outcome_for_a_row_not_in_sending_changes_nothing(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")
    (row_id,) = await store.outbox.enqueue_many([OutboxItem(a, "notice", "m")], clock.now())
    assert row_id is not None
    await store.outbox.record([Outcome.sent(row_id)], clock.now())
    row = await outbox_row(store.db, row_id)
    assert row is not None
    assert row.status is OutboxStatus.QUEUED


async def test_rows_left_sending_by_a_crash_are_queued_again_after_reopening(
    db_path: Path, clock: FixedClock
) -> None:
    store = await Store.open(db_path)
    a = await contact(store, clock, "1")
    await store.outbox.enqueue_many(
        [OutboxItem(a, "notice", f"m{i}") for i in range(3)], clock.now()
    )
    await store.outbox.claim("telegram", clock.now(), limit=2)
    await store.close()
    reopened = await Store.open(db_path)
    try:
        assert (await reopened.outbox.counts())[OutboxStatus.SENDING] == 2
        assert await reopened.outbox.requeue_inflight(clock.now()) == 2
        claim = await reopened.outbox.claim("telegram", clock.now(), limit=10)
        assert [r.text for r in claim.rows] == ["m0", "m1", "m2"]
    finally:
        await reopened.close()


async def test_enqueue_inside_a_transaction_rolls_back_with_it(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")

    async def plan() -> None:
        async with store.db.transaction():
            await store.outbox.enqueue_many([OutboxItem(a, "notice", "m")], clock.now())
            raise RuntimeError("planner failed half-way")

    with pytest.raises(RuntimeError):
        await plan()
    assert await outbox_rows(store.db) == []


async def test_a_claimed_row_carries_its_priority_and_broadcast(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")
    made = await store.broadcasts.create(
        NewBroadcast("t:1", None, "xa=*", "Chào {{ ten }}", False, clock.now()), clock.now()
    )
    await store.outbox.enqueue_many(
        [
            OutboxItem(a, "broadcast", "", priority=150, broadcast_id=made.id),
            OutboxItem(a, "reminder", "nhắc"),
        ],
        clock.now(),
    )
    claim = await store.outbox.claim("telegram", clock.now(), limit=10)
    assert [(r.kind, r.priority, r.broadcast_id) for r in claim.rows] == [
        ("reminder", 100, None),
        ("broadcast", 150, made.id),
    ]
    assert [r.broadcast_id for r in await outbox_rows(store.db)] == [made.id, None]


async def test_sent_counts_cover_one_day_and_the_rows_in_flight(
    store: Store, clock: FixedClock
) -> None:
    a = await contact(store, clock, "1")
    b = await contact(store, clock, "2")
    start = clock.now()
    ids = [
        i or 0
        for i in await store.outbox.enqueue_many(
            [OutboxItem(a, "reminder", f"a{i}") for i in range(5)]
            + [OutboxItem(b, "reminder", "b0"), OutboxItem(b, "reminder", "b1")],
            start,
        )
    ]
    await store.outbox.claim("telegram", start, limit=10)
    await store.outbox.record([Outcome.sent(ids[0])], start - timedelta(seconds=1))  # day before
    await store.outbox.record([Outcome.sent(ids[1]), Outcome.sent(ids[5])], start)
    await store.outbox.record([Outcome.failed(ids[2], OutboxReason.REFUSED)], start)
    await store.outbox.record([Outcome.skipped(ids[6], OutboxReason.DAILY_CAP)], start)
    # ids[3] and ids[4] stay in flight; ids[4] is the row being checked
    end = start + timedelta(days=1)
    counts = await store.outbox.sent_counts([a, b], start, end, besides=[ids[4]])
    assert counts == {a: 2, b: 1}
    assert await store.outbox.sent_counts([b], end, end + timedelta(days=1)) == {}
    row = await outbox_row(store.db, ids[6])
    assert row is not None
    assert (row.status, row.last_error, row.attempts) == (OutboxStatus.SKIPPED, "daily_cap", 0)
