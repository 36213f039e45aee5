"""The broadcasts table and the outbox rows of each broadcast."""

from __future__ import annotations

from datetime import date

from bot.app import Loa
from bot.clock import FixedClock
from bot.core.audience import parse_audience
from bot.store.broadcasts import BroadcastStatus, NewBroadcast, Selection, dedupe_key
from bot.store.outbox import OutboxItem
from tests.officers.broadcasts.seed import Person, seed
from tests.store_queries import outbox_rows


def _new(clock: FixedClock) -> NewBroadcast:
    return NewBroadcast("t:1", ("ea tul",), "", "Chào {{ ten }}", False, clock.now())


async def test_create_and_read_back(loa: Loa, clock: FixedClock) -> None:
    made = await loa.store.broadcasts.create(_new(clock), clock.now())
    assert made.status is BroadcastStatus.SCHEDULED
    assert made.communes == ("ea tul",)
    assert await loa.store.broadcasts.active(clock.now()) == [made]
    everywhere = NewBroadcast("admin", None, "xa=*", "x", True, clock.now())
    assert (await loa.store.broadcasts.create(everywhere, clock.now())).communes is None


async def test_outcomes_of_one_broadcast_exclude_others(loa: Loa, clock: FixedClock) -> None:
    await seed(loa.store.db, [Person(7, "A B", "Ea Tul", "", date(2027, 1, 1))], clock.now())
    for _ in range(10):
        await loa.store.broadcasts.create(_new(clock), clock.now())
    for broadcast_id in (1, 10):
        item = OutboxItem(1, "broadcast", "x", dedupe_key=dedupe_key(broadcast_id, 1))
        assert await loa.store.broadcasts.save_batch(
            broadcast_id, [item], 0, 1, resolved=True, now=clock.now()
        )
    outcomes = await loa.store.broadcasts.outcomes(1)
    assert outcomes.by_status == {"queued": 1}


async def test_a_paused_broadcast_queues_nothing(loa: Loa, clock: FixedClock) -> None:
    await seed(loa.store.db, [Person(7, "A B", "Ea Tul", "", date(2027, 1, 1))], clock.now())
    made = await loa.store.broadcasts.create(_new(clock), clock.now())
    await loa.store.broadcasts.set_status(
        made.id, BroadcastStatus.PAUSED, clock.now(), release_at=clock.now()
    )
    item = OutboxItem(1, "broadcast", "x", dedupe_key=dedupe_key(made.id, 1))
    saved = await loa.store.broadcasts.save_batch(
        made.id, [item], 0, 1, resolved=True, now=clock.now()
    )
    assert not saved
    assert await outbox_rows(loa.store.db) == []


async def test_recipients_stream_in_contact_order(loa: Loa, clock: FixedClock) -> None:
    people = [Person(100 + i, f"N {i}", "Ea Tul", "Thôn 1", date(2027, 1, 1)) for i in range(5)]
    await seed(loa.store.db, people, clock.now())
    selection = Selection(parse_audience(""), ("ea tul",), date(2026, 11, 25))
    first = await loa.store.broadcasts.recipients(selection, 0, 3)
    rest = await loa.store.broadcasts.recipients(selection, first[-1].contact_id, 3)
    assert [p.full_name for p in first + rest] == [f"N {i}" for i in range(5)]
    assert await loa.store.broadcasts.count_audience(selection) == {"active": 5}


async def test_people_are_read_by_contact_with_their_current_card(
    loa: Loa, clock: FixedClock
) -> None:
    people = [
        Person(7, "Lê Văn Bảy", "Ea Tul", "Thôn 3", date(2026, 12, 1)),
        Person(8, "Trần Thị Tám", "Cư Né", "Buôn Kmu", None, interest="voluntary"),
    ]
    await seed(loa.store.db, people, clock.now())
    stranger = await loa.store.contacts.touch("telegram", "9", "Khách", clock.now())
    await loa.store.residents.add_self_reported(1, "Lê Văn Bảy", date(2027, 12, 1), clock.now())
    found = await loa.store.broadcasts.people([1, 2, stranger.id, 999])
    assert sorted(found) == [1, 2, stranger.id]
    assert (found[1].full_name, found[1].expiry_date) == ("Lê Văn Bảy", date(2027, 12, 1))
    assert (found[2].full_name, found[2].expiry_date, found[2].commune, found[2].village) == (
        "Trần Thị Tám",
        None,
        "Cư Né",
        "Buôn Kmu",
    )
    assert (found[stranger.id].full_name, found[stranger.id].commune) == ("Khách", "")


async def test_a_typed_card_takes_its_place_from_the_registration(
    loa: Loa, clock: FixedClock
) -> None:
    """A card the resident typed has no commune: the registration's counts, for scope too."""
    await seed(
        loa.store.db,
        [Person(8, "Trần Thị Tám", "Ea Tul", "Thôn 2", None, interest="household")],
        clock.now(),
    )
    await loa.store.residents.add_self_reported(1, "Trần Thị Tám", date(2026, 12, 1), clock.now())
    found = await loa.store.broadcasts.people([1])
    assert (found[1].expiry_date, found[1].commune, found[1].village) == (
        date(2026, 12, 1),
        "Ea Tul",
        "Thôn 2",
    )
    today = clock.now().date()
    for audience, expected in (("", [1]), ("thon=Thôn 2", [1]), ("thon=Thôn 3", [])):
        selection = Selection(parse_audience(audience), ("ea tul",), today, None)
        chosen = await loa.store.broadcasts.recipients(selection, 0, 10)
        assert [p.contact_id for p in chosen] == expected, audience
