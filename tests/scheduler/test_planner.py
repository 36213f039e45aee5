"""The reminder planner: one message per stage, no bursts, sending hours, opt-outs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Loa, load_rates
from bot.clock import VIETNAM, FixedClock
from bot.config import Settings
from bot.officers.importing.service import import_residents
from bot.render import Renderer
from bot.store import ContactStatus, Store
from bot.store.reminders import ReminderStatus
from scheduler.jobs import HOUSEKEEPING_JOB, PLANNER_JOB, start_scheduler
from scheduler.planner import (
    StagePlan,
    expiry_window,
    plan_reminders,
    plan_stage,
    stage_kind,
)
from tests.store_queries import outbox_rows, reminders_of

OFFSETS = (-30, -7, 0, 30, 80)
EXPIRY = date(2026, 12, 31)
BOOK = load_rates(Settings())
RENDERER = Renderer()


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM)


# --- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "done", "expected"),
    [
        (date(2026, 11, 30), set(), StagePlan(None)),  # 31 days before: nothing yet
        (date(2026, 12, 1), set(), StagePlan(-30)),
        (date(2026, 12, 23), set(), StagePlan(-30)),  # still before -7's day
        (date(2026, 12, 24), set(), StagePlan(-7, (-30,))),  # -30 never went out: missed
        (date(2026, 12, 24), {-30}, StagePlan(-7)),
        (date(2026, 12, 26), {-30, -7}, StagePlan(None)),
        (date(2026, 12, 31), {-30, -7}, StagePlan(0)),
        (date(2027, 3, 1), set(), StagePlan(30, (-30, -7, 0))),
        (date(2027, 3, 21), {30}, StagePlan(80, (-30, -7, 0))),
        (date(2027, 3, 30), set(), StagePlan(80, (-30, -7, 0, 30))),  # last day of its window
        (date(2027, 3, 31), set(), StagePlan(None)),  # 90 days: too late to warn
    ],
)
def test_only_the_latest_due_stage_goes_out(
    today: date, done: set[int], expected: StagePlan
) -> None:
    assert plan_stage(EXPIRY, today, OFFSETS, done) == expected


def test_expiry_window_holds_exactly_the_cards_with_a_stage_due() -> None:
    today = date(2026, 11, 25)
    first, last = expiry_window(today, OFFSETS)
    assert plan_stage(first, today, OFFSETS, ()).due == 80
    assert plan_stage(first - timedelta(days=1), today, OFFSETS, ()).due is None
    assert plan_stage(last, today, OFFSETS, ()).due == -30
    assert plan_stage(last + timedelta(days=1), today, OFFSETS, ()).due is None


def test_stage_kinds() -> None:
    kinds = [stage_kind(s, OFFSETS) for s in OFFSETS]
    assert kinds == ["before", "before", "on_day", "after", "last"]


# --- planning against a real database -------------------------------------------------------

HEADER = "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ"


async def _seed(store: Store, tmp_path: Path, people: list[tuple[str, date]]) -> list[int]:
    """Import people (name, expiry), each linked to an active Telegram contact; return ids."""
    rows = [
        f"{name},01/01/1950,01{i:08d},,Thôn {i},Xã Hòa Vang,{expiry:%d/%m/%Y}"
        for i, (name, expiry) in enumerate(people, start=1)
    ]
    path = tmp_path / "list.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    now = at(date(2026, 11, 1))
    await import_residents(store.residents, path, today=now.date(), now=now)
    ids = []
    for i in range(1, len(people) + 1):
        resident = await store.residents.find_by_identity(f"01{i:08d}", date(1950, 1, 1))
        assert resident is not None
        contact = await store.contacts.touch("telegram", str(1000 + i), resident.full_name, now)
        await store.residents.link(resident.id, contact.id, now)
        ids.append(resident.id)
    return ids


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def _plan(store: Store, settings: Settings, clock: FixedClock) -> int:
    report = await plan_reminders(store, RENDERER, BOOK, settings, clock.now())
    return report.planned_count


async def test_each_stage_goes_out_once_across_runs_and_a_reopen(
    store: Store, settings: Settings, db_path: Path, tmp_path: Path
) -> None:
    (resident_id,) = await _seed(store, tmp_path, [("Nguyễn Văn An", EXPIRY)])
    clock = FixedClock(at(date(2026, 11, 25)))
    day = date(2026, 11, 25)
    while day <= date(2027, 4, 15):
        for hour in (7, 9, 21):
            clock.set(at(day, hour))
            await _plan(store, settings, clock)
        if day == date(2027, 1, 15):  # a restart in the middle
            await store.close()
            store = await Store.open(db_path)
        day += timedelta(days=1)
    rows = await reminders_of(store.db, resident_id)
    assert [(r.stage, r.status) for r in rows] == [(s, ReminderStatus.QUEUED) for s in OFFSETS]
    outbox = await outbox_rows(store.db)
    assert sorted(r.dedupe_key or "" for r in outbox) == sorted(
        f"reminder:{resident_id}:2026-12-31:{s}" for s in OFFSETS
    )
    # Each stage was planned on its day (the planner ran at 07:00) for 08:00 that day.
    for row in rows:
        assert row.due_on == EXPIRY + timedelta(days=row.stage)
        assert row.not_before == at(row.due_on, 8)
    await store.close()


async def test_a_late_import_sends_one_reminder_not_a_burst(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    (resident_id,) = await _seed(store, tmp_path, [("Trần Thị Bình", date(2026, 10, 20))])
    clock = FixedClock(at(date(2026, 11, 25), 10))  # 36 days after expiry
    assert await _plan(store, settings, clock) == 1
    assert await _plan(store, settings, clock) == 0
    rows = await reminders_of(store.db, resident_id)
    # the three older stages are counted as missed, never stored: they cannot come back
    assert [(r.stage, r.status) for r in rows] == [(30, ReminderStatus.QUEUED)]
    (message,) = await outbox_rows(store.db)
    assert "Trần Thị Bình" in message.text
    assert "20/10/2026" in message.text
    assert "36 ngày" in message.text
    assert message.next_attempt_at == clock.now()  # inside the sending hours: at once


async def test_the_last_reminder_warns_about_continuity(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    await _seed(store, tmp_path, [("Lê Văn Chi", date(2026, 9, 1))])
    clock = FixedClock(at(date(2026, 11, 25), 22))  # day 85, after sending hours
    assert await _plan(store, settings, clock) == 1
    (message,) = await outbox_rows(store.db)
    assert "5 năm liên tục" in message.text
    assert "30 ngày" in message.text
    assert "30/11/2026" in message.text  # pay before the 90th day
    assert message.text.endswith("Hỏi thêm: 1900 9068.\nKhông muốn nhận tin nhắc nữa, gõ /nhacnho.")
    assert "đồng" in message.text
    assert message.next_attempt_at == at(date(2026, 11, 26), 8)


async def test_nothing_for_stopped_blocked_disabled_or_unlinked(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    expiry = date(2026, 12, 2)  # -7 is due on 25/11
    ids = await _seed(
        store, tmp_path, [("An", expiry), ("Bình", expiry), ("Chi", expiry), ("Dũng", expiry)]
    )
    now = at(date(2026, 11, 25))
    contacts = [(await store.residents.get(i)) for i in ids]
    an, binh, chi = (r.contact_id for r in contacts[:3] if r is not None and r.contact_id)
    await store.contacts.set_status(an, ContactStatus.STOPPED, now)
    await store.contacts.set_status(binh, ContactStatus.BLOCKED, now)
    await store.residents.set_reminders(chi, False, now)
    await _seed_unlinked(store, tmp_path)
    dry = await plan_reminders(store, RENDERER, BOOK, settings, now, dry_run=True)
    assert (dry.planned_count, dry.stopped, dry.disabled, dry.not_linked) == (1, 2, 1, 1)
    assert [p.full_name for p in dry.planned] == ["Dũng"]
    assert [p.channel for p in dry.planned] == ["telegram"]
    assert dry.by_channel == {"telegram": 1}
    why = {u.full_name: (u.reason, u.stage) for u in dry.unreachable}
    assert why == {
        "An": ("stopped", -7),
        "Bình": ("blocked", -7),
        "Chi": ("disabled", -7),
        "Én": ("no_chat_no_phone", -7),
    }
    assert await outbox_rows(store.db) == []  # a dry run queues nothing
    report = await plan_reminders(store, RENDERER, BOOK, settings, now)
    assert [p.full_name for p in report.planned] == ["Dũng"]
    assert len(await outbox_rows(store.db)) == 1


async def _seed_unlinked(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "more.csv"
    path.write_text(
        f"{HEADER}\nÉn,01/01/1950,0200000001,,Thôn 9,Xã Hòa Vang,02/12/2026\n", encoding="utf-8"
    )
    now = at(date(2026, 11, 1))
    await import_residents(store.residents, path, today=now.date(), now=now)


async def test_an_unlinked_resident_with_a_phone_is_named_for_a_call_or_visit(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "phones.csv"
    path.write_text(
        f"{HEADER}\nGiang,01/01/1950,0300000001,0912 345 678,Thôn 2,Xã Hòa Vang,02/12/2026\n",
        encoding="utf-8",
    )
    await import_residents(
        store.residents, path, today=date(2026, 11, 1), now=at(date(2026, 11, 1))
    )
    dry = await plan_reminders(
        store, RENDERER, BOOK, settings, at(date(2026, 11, 25)), dry_run=True
    )
    (giang,) = dry.unreachable
    assert (giang.full_name, giang.reason, giang.phone) == ("Giang", "no_chat", "+84912345678")
    assert (dry.planned_count, dry.not_linked, dry.by_channel) == (0, 1, {})


async def test_a_renewal_cancels_the_reminders_of_the_old_date(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    (resident_id,) = await _seed(store, tmp_path, [("Nguyễn Văn An", date(2026, 12, 2))])
    clock = FixedClock(at(date(2026, 11, 25), 6))  # planned for 08:00, not sent yet
    assert await _plan(store, settings, clock) == 1
    renewed = tmp_path / "renewed.csv"
    row = "Nguyễn Văn An,01/01/1950,0100000001,,Thôn 1,Xã Hòa Vang,02/12/2027"
    renewed.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    report = await import_residents(
        store.residents, renewed, today=date(2026, 11, 25), now=clock.now()
    )
    assert report.renewed == 1
    rows = await reminders_of(store.db, resident_id)
    assert [(r.stage, r.status, r.reason) for r in rows] == [
        (-7, ReminderStatus.CANCELLED, "renewed"),
    ]
    (message,) = await outbox_rows(store.db)
    assert (message.status.value, message.last_error) == ("skipped", "renewed")
    clock.set(at(date(2026, 11, 26)))
    assert await _plan(store, settings, clock) == 0  # the new card is a year away


async def test_the_scheduler_plans_at_start_up_and_then_daily(
    loa: Loa, clock: FixedClock, tmp_path: Path
) -> None:
    await _seed(loa.store, tmp_path, [("Nguyễn Văn An", date(2026, 12, 2))])
    scheduler = start_scheduler(
        loa.store, loa.renderer, load_rates(loa.settings), loa.settings, clock=clock
    )
    try:
        for _ in range(100):
            if await outbox_rows(loa.store.db):
                break
            await asyncio.sleep(0.02)
        (message,) = await outbox_rows(loa.store.db)
        assert message.dedupe_key is not None
        assert message.dedupe_key.endswith(":2026-12-02:-7")
        daily = scheduler.get_job(PLANNER_JOB)
        assert daily is not None
        assert (daily.next_run_time.hour, daily.next_run_time.minute) == (7, 0)
        assert daily.next_run_time.utcoffset() == timedelta(hours=7)
        housekeeping = scheduler.get_job(HOUSEKEEPING_JOB)
        assert housekeeping is not None
        assert (housekeeping.next_run_time.hour, housekeeping.next_run_time.minute) == (7, 30)
    finally:
        scheduler.shutdown(wait=False)
