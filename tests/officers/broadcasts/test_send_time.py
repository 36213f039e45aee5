"""Broadcast texts rendered and the daily cap checked when the sender claims a row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from bot.app import Loa
from bot.clock import VIETNAM, FixedClock
from bot.core.audience import Scope
from bot.core.places import place_key
from bot.core.registry import ResidentRow
from bot.core.types import Button
from bot.officers.broadcasts.desk import report_text
from bot.officers.broadcasts.service import BroadcastService
from bot.outbox.sender import Sender, Transport
from bot.render import Renderer
from bot.store.broadcasts import Broadcast, NewBroadcast
from bot.store.outbox import OutboxItem, OutboxStatus
from tests.store_queries import find_contact, outbox_row, outbox_rows

EA_TUL = Scope.commune(place_key("Ea Tul"))
TEXT = "Chào {{ ten }} ({{ thon }}): thẻ hết hạn {{ han_the }}."


class _Transport:
    """Delivers to a list of (chat, text)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        self.sent.append((chat_id, text))


async def _broadcast(
    service: BroadcastService,
    clock: FixedClock,
    audience: str = "thon=Thôn 1",
    *,
    template: str = TEXT,
    urgent: bool = False,
) -> Broadcast:
    made = await service.create(
        actor="t:1",
        scope=EA_TUL,
        audience_text=audience,
        template_text=template,
        at=None,
        urgent=urgent,
        now=clock.now(),
    )
    await service.advance(clock.now())
    return made


async def _contact(loa: Loa, chat: str) -> int:
    found = await find_contact(loa.store.db, "telegram", chat)
    assert found is not None
    return found.id


async def _remind(loa: Loa, chat: str, clock: FixedClock, n: int = 1) -> list[int]:
    """Queue `n` reminders to `chat` due now; return their row ids."""
    contact = await _contact(loa, chat)
    items = [
        OutboxItem(contact, "reminder", f"nhắc {i}", dedupe_key=f"test:{chat}:{clock.now()}:{i}")
        for i in range(n)
    ]
    return [i for i in await loa.store.outbox.enqueue_many(items, clock.now()) if i is not None]


async def _renew(loa: Loa, chat: str, expiry: date, village: str, now: datetime) -> None:
    """Import a list row renewing the card of `chat`'s resident and moving their village."""
    row = await loa.store.db.fetchone(
        "SELECT r.* FROM residents r JOIN contacts c ON c.id = r.contact_id"
        " WHERE c.external_id = ?",
        (chat,),
    )
    assert row is not None
    batch = loa.store.residents.begin_import()
    await batch.stage(
        [
            ResidentRow(
                row_number=2,
                full_name=row["full_name"],
                birth_date=None,
                birth_year=None,
                bhxh_number=row["bhxh_number"],
                card_code=None,
                id_number=None,
                phone=None,
                commune=row["commune"],
                commune_key=row["commune_key"],
                village=village,
                village_key=place_key(village),
                expiry_date=expiry,
                household_code=None,
            )
        ]
    )
    assert (await batch.merge(now)).renewed == 1


async def test_a_card_renewed_after_queueing_shows_its_new_date(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    made = await _broadcast(service, clock)
    rows = await outbox_rows(seeded.store.db)
    assert [(r.text, r.broadcast_id) for r in rows] == [("", made.id), ("", made.id)]
    clock.advance(timedelta(minutes=10))
    await _renew(seeded, "101", date(2027, 10, 1), "Thôn 5", clock.now())
    transport = _Transport()
    await make_sender(transport).drain()
    assert transport.sent == [
        ("101", "Chào Lan (Thôn 5): thẻ hết hạn 01/10/2027."),
        ("102", "Chào Hùng (Thôn 1): thẻ hết hạn 10/12/2026."),
    ]


async def test_a_resident_at_the_cap_is_skipped_unless_urgent(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    await _remind(seeded, "101", clock, 2)
    transport = _Transport()
    sender = make_sender(transport)
    await sender.drain()
    assert transport.sent == [("101", "nhắc 0"), ("101", "nhắc 1")]
    plain = await _broadcast(service, clock)
    urgent = await _broadcast(service, clock, template="Khẩn: {{ ten }}", urgent=True)
    await sender.drain()
    assert transport.sent[2:] == [
        ("101", "Khẩn: Lan"),
        ("102", "Khẩn: Hùng"),
        ("102", "Chào Hùng (Thôn 1): thẻ hết hạn 10/12/2026."),
    ]
    await service.advance(clock.now())
    report = await service.report(await service.get(plain.id, EA_TUL))
    assert (report.sent, report.skipped, report.pending) == (1, {"daily_cap": 1}, 0)
    assert report.total == 2
    report = await service.report(await service.get(urgent.id, EA_TUL))
    assert (report.sent, report.skipped) == (2, {})


async def test_the_cap_counts_by_local_day(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    transport = _Transport()
    sender = make_sender(transport)
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=VIETNAM))
    await _remind(seeded, "101", clock, 2)
    await sender.drain()
    # 06:00 in Vietnam is still the 25th in UTC: it counts towards the 26th all the same.
    clock.set(datetime(2026, 11, 26, 6, 0, tzinfo=VIETNAM))
    await _broadcast(
        service, clock, "thon=Thôn 1; the=het_han", template="Khẩn {{ so_ngay }}", urgent=True
    )
    await sender.drain()
    clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=VIETNAM))
    await _remind(seeded, "101", clock)
    await sender.drain()
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=VIETNAM))
    (late,) = await _remind(seeded, "101", clock)
    await sender.drain()
    assert transport.sent == [
        ("101", "nhắc 0"),
        ("101", "nhắc 1"),
        ("101", "Khẩn -56"),
        ("101", "nhắc 0"),
    ]
    row = await outbox_row(seeded.store.db, late)
    assert row is not None
    assert row.next_attempt_at == datetime(2026, 11, 27, 8, 0, tzinfo=VIETNAM)


async def test_a_reminder_over_the_cap_waits_for_tomorrow_morning(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    await _broadcast(service, clock, "thon=Thôn 1; the=het_han", template="Khẩn", urgent=True)
    await _remind(seeded, "101", clock)
    transport = _Transport()
    sender = make_sender(transport)
    await sender.drain()
    assert transport.sent == [("101", "Khẩn"), ("101", "nhắc 0")]  # the urgent one counts
    clock.advance(timedelta(hours=3))
    (late,) = await _remind(seeded, "101", clock)
    await sender.drain()
    assert len(transport.sent) == 2
    row = await outbox_row(seeded.store.db, late)
    assert row is not None
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 0)
    assert row.next_attempt_at == datetime(2026, 11, 26, 8, 0, tzinfo=VIETNAM)
    clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=VIETNAM))
    await sender.drain()
    assert transport.sent[-1] == ("101", "nhắc 0")
    row = await outbox_row(seeded.store.db, late)
    assert row is not None
    assert row.status is OutboxStatus.SENT


async def test_rows_earlier_in_the_same_claim_count(
    seeded: Loa, clock: FixedClock, make_sender: Callable[[Transport], Sender]
) -> None:
    ids = await _remind(seeded, "103", clock, 3)
    transport = _Transport()
    await make_sender(transport).drain()
    assert transport.sent == [("103", "nhắc 0"), ("103", "nhắc 1")]
    last = await outbox_row(seeded.store.db, ids[-1])
    assert last is not None
    assert last.status is OutboxStatus.QUEUED
    assert last.next_attempt_at == datetime(2026, 11, 26, 8, 0, tzinfo=VIETNAM)


async def test_a_template_failing_at_send_time_fails_only_its_rows(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    good = await _broadcast(service, clock, "thon=Thôn 1; the=het_han")
    # Stored before today's checks, say: the store takes it, the sandbox refuses it now.
    broken = await seeded.store.broadcasts.create(
        NewBroadcast(
            "t:1", (place_key("Ea Tul"),), "thon=Thôn 2", "{{ so_dt }}", False, clock.now()
        ),
        clock.now(),
    )
    await service.advance(clock.now())
    await _remind(seeded, "103", clock)
    transport = _Transport()
    stats = await make_sender(transport).drain()
    assert sorted(transport.sent) == [
        ("101", "Chào Lan (Thôn 1): thẻ hết hạn 01/10/2026."),
        ("103", "nhắc 0"),
    ]
    assert stats.failed == 2
    await service.advance(clock.now())
    report = await service.report(await service.get(broken.id, EA_TUL))
    assert report.sent == 0
    assert report.failed == {"template": 2}  # chats 103 and 106
    assert "  • mẫu tin lỗi khi soạn: 2" in report_text(Renderer(), report, VIETNAM)
    failed = [r for r in await outbox_rows(seeded.store.db) if r.broadcast_id == broken.id]
    assert [r.last_error for r in failed] == ["template", "template"]
    assert all((r.last_detail or "").startswith("Không có trường “so_dt”") for r in failed)
    assert (await service.report(await service.get(good.id, EA_TUL))).sent == 1


async def test_a_paused_broadcast_is_rendered_once_resumed(
    service: BroadcastService,
    seeded: Loa,
    clock: FixedClock,
    make_sender: Callable[[Transport], Sender],
) -> None:
    made = await _broadcast(service, clock, "thon=Thôn 1; the=het_han")
    await service.pause(made.id, EA_TUL, clock.now())
    transport = _Transport()
    sender = make_sender(transport)
    await sender.drain()
    assert transport.sent == []
    clock.advance(timedelta(hours=1))
    await _renew(seeded, "101", date(2027, 10, 1), "Thôn 1", clock.now())
    await service.resume(made.id, EA_TUL, clock.now())
    await sender.drain()
    assert transport.sent == [("101", "Chào Lan (Thôn 1): thẻ hết hạn 01/10/2027.")]
