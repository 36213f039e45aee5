"""Officers' statistics: counts per commune, reminders → renewals, and the PNG chart."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from matplotlib.image import imread

from bot.app import Loa
from bot.clock import FixedClock
from bot.core.officer import Commune
from bot.core.places import Place, PlaceSource, place_key
from bot.officers.stats import collect, stats_chart, summary
from bot.store.db import iso
from bot.store.drafts import Place as Village
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


async def test_counts_contacts_by_place_source_village_and_leaflet_funnel(
    loa: Loa, clock: FixedClock
) -> None:
    now = clock.now()
    people = [
        Person(11, "A", "An Phú", "Long Thủy", date(2026, 12, 1)),  # leaflet, linked, renewed
        Person(12, "B", "An Phú", "Long Thủy", None, interest="household"),  # leaflet, registered
        Person(13, "C", "An Phú", "Long Thủy", None),  # leaflet only
        Person(14, "D", "An Phú", "Phú Hòa", None),  # answered the place question
        Person(15, "E", "Cư Né", "Thôn 1", None),  # another commune: not in An Phú's figures
        Person(16, "F", "", "", None),  # only sent /start: no place
    ]
    await seed(loa.store.db, people, now)
    ids = {
        row["external_id"]: row["id"]
        for row in await loa.store.db.fetchall("SELECT id, external_id FROM contacts")
    }
    an_phu = Commune(place_key("An Phú"), "An Phú")
    code = await loa.store.leaflets.live_or_create(
        an_phu, Village(place_key("Long Thủy"), "Long Thủy"), "l-longthuy1", "cli", now
    )
    for chat in ("11", "12", "13"):
        await loa.store.contacts.set_place(
            ids[chat],
            Place("An Phú", "Long Thủy"),
            PlaceSource.LEAFLET,
            now,
            leaflet_code=code.code,
        )
    await loa.store.contacts.set_place(
        ids["14"], Place("An Phú", "Phú Hòa"), PlaceSource.ANSWER, now
    )
    await loa.store.contacts.set_place(ids["15"], Place("Cư Né", "Thôn 1"), PlaceSource.ANSWER, now)
    resident = await loa.store.db.fetchone(
        "SELECT id FROM residents WHERE contact_id = ?", (ids["11"],)
    )
    assert resident is not None
    later = iso(now + timedelta(days=2))
    await loa.store.db.execute(
        "INSERT INTO resident_contacts (resident_id, contact_id, linked_at) VALUES (?, ?, ?)",
        (resident["id"], ids["11"], later),
    )
    await loa.store.db.execute(
        "INSERT INTO renewals (resident_id, old_expiry, new_expiry, recorded_at)"
        " VALUES (?, '2026-12-01', '2027-12-01', ?)",
        (resident["id"], later),
    )

    counts = await collect(loa.store, now, [place_key("An Phú")])
    assert counts.place_sources == {"leaflet": 3, "answer": 1}
    assert counts.contact_places == [("An Phú", "Long Thủy", 3), ("An Phú", "Phú Hòa", 1)]
    (funnel,) = counts.leaflets
    assert (funnel.code, funnel.village, funnel.revoked) == ("l-longthuy1", "Long Thủy", False)
    assert (funnel.came, funnel.registered, funnel.linked, funnel.renewed) == (3, 1, 1, 1)

    everywhere = await collect(loa.store, now, None)
    assert everywhere.place_sources == {"leaflet": 3, "answer": 2, "unknown": 1}
    assert (await collect(loa.store, now, [place_key("Cư Né")])).leaflets == []

    text = summary(loa.renderer, counts, now, loa.settings.tz, "xã An Phú")
    assert "  • tờ rơi (mã QR): 3" in text
    assert "  • tự trả lời câu hỏi xã, thôn: 1" in text
    assert "  • An Phú, Phú Hòa: 1" in text
    assert "  • Long Thủy (l-longthuy1): 3 → 1 → 1 → 1" in text
    assert "chưa rõ xã" in summary(loa.renderer, everywhere, now, loa.settings.tz, "mọi xã")
    with_leaflets = stats_chart(counts)
    without = stats_chart(await collect(loa.store, now, [place_key("Cư Né")]))
    assert imread(BytesIO(with_leaflets)).shape[0] > imread(BytesIO(without)).shape[0]
