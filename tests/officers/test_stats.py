"""Officers' statistics: counts per commune, reminders → renewals, and the PNG chart."""

from __future__ import annotations

from datetime import date, timedelta

from bot.app import Loa
from bot.clock import FixedClock
from bot.core.places import place_key
from bot.officers.stats import collect, stats_chart, summary
from bot.store.db import iso
from bot.store.outbox import OutboxItem, OutboxStatus, Outcome
from bot.store.reminders import dedupe_key
from tests.officers.broadcasts.seed import Person, seed


async def test_counts_a_commune_and_the_reminder_funnel(loa: Loa, clock: FixedClock) -> None:
    people = [
        Person(1, "A", "Ea Tul", "Thôn 1", date(2026, 12, 1)),
        Person(2, "B", "Ea Tul", "Thôn 2", date(2026, 12, 1), status="stopped"),
        Person(3, "C", "Cư Né", "Thôn 1", date(2026, 12, 1)),
        Person(4, "D", "Ea Tul", "Thôn 1", None, interest="voluntary"),
    ]
    await seed(loa.store.db, people, clock.now())
    for resident in (1, 2, 3):
        key = dedupe_key(resident, date(2026, 12, 1), -7)
        (row,) = await loa.store.outbox.enqueue_many(
            [OutboxItem(resident, "reminder", "x", dedupe_key=key)], clock.now()
        )
        assert row is not None
        await loa.store.outbox.claim("telegram", clock.now(), 10)
        await loa.store.outbox.record([Outcome.sent(row)], clock.now())
    renewed_at = clock.now() + timedelta(days=3)
    await loa.store.db.execute(
        "INSERT INTO renewals (resident_id, old_expiry, new_expiry, recorded_at)"
        " VALUES (1, '2026-12-01', '2027-12-01', ?), (3, '2026-12-01', '2027-12-01', ?)",
        (iso(renewed_at), iso(renewed_at)),
    )
    assert (await loa.store.outbox.counts())[OutboxStatus.SENT] == 2  # B opted out: skipped

    counts = await collect(loa.store, renewed_at, [place_key("Ea Tul")])
    assert (counts.residents, counts.linked) == (2, 2)
    assert counts.contacts == {"active": 2, "stopped": 1}
    assert counts.registrations == {("voluntary", "new"): 1}
    assert counts.reminders_by_stage == {-7: 1}
    assert (counts.reminded, counts.renewed_after_reminder) == (1, 1)
    assert sum(n for _, n in counts.renewals_by_week) == 1
    assert counts.places == [("Ea Tul", "Thôn 1", 1, 1), ("Ea Tul", "Thôn 2", 1, 1)]

    everywhere = await collect(loa.store, renewed_at, None)
    assert (everywhere.reminded, everywhere.renewed_after_reminder) == (2, 2)

    text = summary(loa.renderer, counts, renewed_at, loa.settings.tz, "xã Ea Tul")
    assert "Đã gia hạn trong 30 ngày sau khi được nhắc: 1/1 người (100%)." in text
    assert "BHXH tự nguyện – mới: 1" in text
    assert "trước hạn 7 ngày: 1" in text
    png = stats_chart(counts)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000
