"""The broadcast service: preview, schedule, queue in batches, pause, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest

from bot.app import Loa
from bot.clock import VIETNAM, FixedClock
from bot.core.audience import AudienceError, Scope
from bot.core.hours import SendingHours
from bot.core.places import place_key
from bot.core.types import Button
from bot.officers.broadcasts.desk import report_text
from bot.officers.broadcasts.service import BroadcastError, BroadcastService
from bot.outbox.sender import PermanentError, Sender, Transport, Unreachable
from bot.render import Renderer
from bot.store.broadcasts import Broadcast, BroadcastStatus
from bot.store.outbox import OutboxStatus
from tests.store_queries import find_contact, outbox_rows

EA_TUL = Scope.commune(place_key("Ea Tul"))
TEXT = "Chào {{ ten }} ở {{ thon }}, {{ xa }}: thẻ hết hạn {{ han_the }}."


async def _chats(loa: Loa) -> set[int]:
    """Return the chats that have a broadcast row waiting (or sent)."""
    rows = await loa.store.db.fetchall(
        "SELECT c.external_id FROM outbox o JOIN contacts c ON c.id = o.contact_id"
        " WHERE o.kind = 'broadcast' AND o.status <> 'skipped'"
    )
    return {int(row["external_id"]) for row in rows}


async def create(service: BroadcastService, clock: FixedClock) -> Broadcast:
    """Create the usual test broadcast: everyone reachable in Ea Tul, sent now."""
    return await service.create(
        actor="t:1",
        scope=EA_TUL,
        audience_text="",
        template_text=TEXT,
        at=None,
        urgent=False,
        now=clock.now(),
    )


async def test_preview_counts_and_renders_two_real_recipients(
    service: BroadcastService, clock: FixedClock
) -> None:
    preview = await service.preview("thon=Thôn 1", TEXT, EA_TUL, clock.now())
    assert (preview.recipients, preview.stopped, preview.blocked) == (2, 0, 1)
    assert preview.samples == (
        "Chào Lan ở Thôn 1, Ea Tul: thẻ hết hạn 01/10/2026.",
        "Chào Hùng ở Thôn 1, Ea Tul: thẻ hết hạn 10/12/2026.",
    )


async def test_preview_without_a_message_only_counts(
    service: BroadcastService, clock: FixedClock
) -> None:
    preview = await service.preview("thon=Thôn 1", None, EA_TUL, clock.now())
    assert (preview.recipients, preview.stopped, preview.blocked) == (2, 0, 1)
    assert preview.samples == ()


@pytest.mark.parametrize(
    ("audience", "chats"),
    [
        ("", {101, 102, 103, 106}),
        ("the=het_han", {101}),
        ("the=het_han>60", set()),
        ("the=het_han>30", {101}),
        ("the=sap_het<20", {102}),
        ("the=chua_co", {106}),
        ("lien_ket=khong", {106}),
        ("quan_tam=voluntary", {106}),
        ("thon=Thôn 2; lien_ket=co", {103}),
    ],
)
async def test_officer_audiences_stay_in_their_commune(
    service: BroadcastService, seeded: Loa, clock: FixedClock, audience: str, chats: set[int]
) -> None:
    await service.create(
        actor="t:1",
        scope=EA_TUL,
        audience_text=audience,
        template_text=TEXT,
        at=None,
        urgent=False,
        now=clock.now(),
    )
    await service.advance(clock.now())
    assert await _chats(seeded) == chats


async def test_officer_naming_another_commune_is_refused(
    service: BroadcastService, clock: FixedClock
) -> None:
    with pytest.raises(AudienceError):
        await service.create(
            actor="t:1",
            scope=EA_TUL,
            audience_text="xa=Cư Né",
            template_text=TEXT,
            at=None,
            urgent=False,
            now=clock.now(),
        )


async def test_admin_reaches_every_commune(
    service: BroadcastService, seeded: Loa, clock: FixedClock
) -> None:
    await service.create(
        actor="admin",
        scope=Scope.everywhere(),
        audience_text="xa=*; the=het_han",
        template_text=TEXT,
        at=None,
        urgent=False,
        now=clock.now(),
    )
    await service.advance(clock.now())
    assert await _chats(seeded) == {101, 201}


async def test_times_in_the_past_refused_quiet_hours_respected(
    service: BroadcastService, clock: FixedClock
) -> None:
    now = clock.now()
    with pytest.raises(BroadcastError):
        service.start_time(now - timedelta(hours=1), now, urgent=False)
    evening = datetime(2026, 11, 25, 21, 30, tzinfo=VIETNAM)
    assert service.start_time(evening, now, urgent=False) == datetime(
        2026, 11, 26, 8, 0, tzinfo=VIETNAM
    )
    assert service.start_time(evening, now, urgent=True) == evening


async def test_scheduled_broadcast_waits_for_its_time(
    service: BroadcastService, seeded: Loa, clock: FixedClock
) -> None:
    later = clock.now() + timedelta(hours=2)
    made = await service.create(
        actor="t:1",
        scope=EA_TUL,
        audience_text="",
        template_text=TEXT,
        at=later,
        urgent=False,
        now=clock.now(),
    )
    await service.advance(clock.now())
    assert await _chats(seeded) == set()
    clock.set(later)
    await service.advance(clock.now())
    assert len(await _chats(seeded)) == 4
    rows = await outbox_rows(seeded.store.db)
    assert {row.next_attempt_at for row in rows} == {later}
    assert (await service.get(made.id, EA_TUL)).status is BroadcastStatus.RUNNING


async def test_resumes_from_its_cursor_after_a_restart(
    service: BroadcastService, seeded: Loa, clock: FixedClock
) -> None:
    made = await create(service, clock)
    await service.advance(clock.now(), max_batches=1)
    first = await service.get(made.id, EA_TUL)
    assert not first.resolved
    assert first.enqueued == 2
    again = BroadcastService(
        seeded.store.broadcasts, tz=VIETNAM, hours=SendingHours(8, 20, VIETNAM), batch_size=2
    )
    await again.advance(clock.now())
    rows = await outbox_rows(seeded.store.db)
    assert sorted(row.contact_id for row in rows) == sorted({row.contact_id for row in rows})
    assert len(rows) == 4
    done = await service.get(made.id, EA_TUL)
    assert done.resolved
    assert done.enqueued == 4
    assert done.left_out == 2


async def test_pause_resume_cancel(
    service: BroadcastService, seeded: Loa, clock: FixedClock
) -> None:
    made = await create(service, clock)
    await service.advance(clock.now())
    await service.pause(made.id, EA_TUL, clock.now())
    due = await seeded.store.outbox.next_due("telegram")
    assert due is not None
    assert due.year == 9999
    clock.advance(timedelta(minutes=5))
    await service.resume(made.id, EA_TUL, clock.now())
    assert await seeded.store.outbox.next_due("telegram") == clock.now()
    with pytest.raises(BroadcastError):
        await service.resume(made.id, EA_TUL, clock.now())
    await service.cancel(made.id, EA_TUL, clock.now())
    report = await service.report(await service.get(made.id, EA_TUL))
    assert report.skipped == {"cancelled": 4}
    assert report.pending == 0
    with pytest.raises(BroadcastError):
        await service.cancel(made.id, Scope.commune(place_key("Cư Né")), clock.now())


class _Transport:
    """Delivers to a list; chat 102 blocked the bot, chat 103 is refused."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        if chat_id == "102":
            raise Unreachable("Forbidden: bot was blocked by the user")
        if chat_id == "103":
            raise PermanentError("Bad Request: chat not found")
        self.sent.append((chat_id, text))


async def test_report_matches_the_outbox(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    made = await create(service, clock)
    await service.advance(clock.now())
    stopped = await find_contact(seeded.store.db, "telegram", "106")
    assert stopped is not None
    await seeded.store.db.execute(
        "UPDATE contacts SET status = 'stopped' WHERE id = ?", (stopped.id,)
    )
    transport = _Transport()
    await make_sender(transport).drain()
    finished = await service.advance(clock.now())
    assert [b.id for b in finished] == [made.id]
    report = await service.report(finished[0])
    assert transport.sent == [("101", "Chào Lan ở Thôn 1, Ea Tul: thẻ hết hạn 01/10/2026.")]
    assert report.sent == 1
    assert report.blocked == 1
    assert report.pending == 0
    assert report.failed == {"refused": 1}
    assert report.skipped == {"stopped": 1}
    text = report_text(Renderer(), report, VIETNAM)
    assert "Không gửi được: 1\n  • kênh từ chối tin nhắn: 1" in text
    assert "Bỏ qua: 1\n  • người nhận đã dừng nhận tin: 1" in text
    assert report.left_out == 2
    assert report.total == 4
    assert report.seconds is not None
    counts = await seeded.store.outbox.counts()
    assert counts[OutboxStatus.SENT] == report.sent
    assert counts[OutboxStatus.SKIPPED] == report.blocked + 1
