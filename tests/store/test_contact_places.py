"""A place on every contact: how it is kept, who an audience then reaches, and migration 0016."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.app import Loa
from bot.clock import FixedClock
from bot.core.audience import parse_audience
from bot.core.places import Place, PlaceSource
from bot.store import ContactStatus
from bot.store.broadcasts import Selection
from bot.store.db import Database, Migration
from tests.officers.broadcasts.seed import Person, seed

TODAY = date(2026, 11, 25)


def _selection(text: str, communes: tuple[str, ...] | None) -> Selection:
    return Selection(parse_audience(text), communes, TODAY)


async def test_an_answer_gives_way_to_surer_sources_unless_changed_on_purpose(
    loa: Loa, clock: FixedClock
) -> None:
    contacts = loa.store.contacts
    me = await contacts.touch("telegram", "1", "Lan", clock.now())
    assert await contacts.place(me.id) is None
    await contacts.set_place(me.id, Place("Ea Tul", "Thôn 3"), PlaceSource.ANSWER, clock.now())
    await contacts.set_place(me.id, Place("Cư Né", "Buôn Kmu"), PlaceSource.CARD, clock.now())
    await contacts.set_place(me.id, Place("Ea Tul"), PlaceSource.ANSWER, clock.now())
    known = await contacts.place(me.id)
    assert known is not None
    assert (known.place, known.source) == (Place("Cư Né", "Buôn Kmu"), PlaceSource.CARD)
    await contacts.set_place(me.id, Place("Ea Tul"), PlaceSource.ANSWER, clock.now(), explicit=True)
    changed = await contacts.place(me.id)
    assert changed is not None
    assert (changed.place, changed.source) == (Place("Ea Tul"), PlaceSource.ANSWER)
    await contacts.set_place(me.id, Place("Cư Né"), PlaceSource.REGISTRATION, clock.now())
    registered = await contacts.place(me.id)
    assert registered is not None
    assert registered.place == Place("Cư Né")


async def test_audiences_reach_contacts_by_their_place_known_or_not(
    loa: Loa, clock: FixedClock
) -> None:
    await seed(loa.store.db, [Person(7, "Lê Văn Bảy", "Ea Tul", "Thôn 1", TODAY)], clock.now())
    contacts = loa.store.contacts
    answered = await contacts.touch("telegram", "8", "Tám", clock.now())
    await contacts.set_place(
        answered.id, Place("Ea Tul", "Thôn 3"), PlaceSource.ANSWER, clock.now()
    )
    elsewhere = await contacts.touch("telegram", "9", "Chín", clock.now())
    await contacts.set_place(elsewhere.id, Place("Cư Né"), PlaceSource.ANSWER, clock.now())
    bare = await contacts.touch("telegram", "10", "Mười", clock.now())
    quiet = await contacts.touch("telegram", "11", "", clock.now())
    await contacts.set_status(quiet.id, ContactStatus.STOPPED, clock.now())
    broadcasts = loa.store.broadcasts

    ea_tul = _selection("", ("ea tul",))
    assert await broadcasts.count_audience(ea_tul) == {"active": 2}
    village = _selection("thon=Thôn 3", ("ea tul",))
    (found,) = await broadcasts.recipients(village, 0, 10)
    assert (found.contact_id, found.commune, found.village) == (answered.id, "Ea Tul", "Thôn 3")
    everyone = _selection("xa=*", None)
    assert await broadcasts.count_audience(everyone) == {"active": 4, "stopped": 1}
    reached = await broadcasts.recipients(everyone, 0, 10, active_only=True)
    assert bare.id in [r.contact_id for r in reached]
    unknown = _selection("xa=?", None)
    assert [r.contact_id for r in await broadcasts.recipients(unknown, 0, 10)] == [
        bare.id,
        quiet.id,
    ]
    # an officer's card condition still needs a registry record
    assert await broadcasts.count_audience(_selection("the=sap_het<30", ("ea tul",))) == {
        "active": 1
    }


async def test_erasure_forgets_the_place_and_leaves_the_contact_out_until_they_give_one(
    loa: Loa, clock: FixedClock
) -> None:
    contacts = loa.store.contacts
    me = await contacts.touch("telegram", "1", "Lan", clock.now())
    await contacts.set_place(me.id, Place("Ea Tul", "Thôn 3"), PlaceSource.ANSWER, clock.now())
    await loa.store.registrations.erase_contact(me.id, clock.now())
    assert await contacts.place(me.id) is None
    everyone = _selection("xa=*", None)
    assert await loa.store.broadcasts.count_audience(everyone) == {}
    clock.advance(timedelta(minutes=5))
    await contacts.set_place(me.id, Place("Ea Tul"), PlaceSource.ANSWER, clock.now())
    assert await loa.store.broadcasts.count_audience(everyone) == {"active": 1}


async def test_migration_takes_places_from_linked_cards_then_registrations(db_path: Path) -> None:
    before = [m for m in Migration.discover() if m.version < 16]
    stamp = "2026-11-25T02:00:00.000000+00:00"
    db = await Database.open(db_path, migrations=before)
    try:
        await db.executemany(
            "INSERT INTO contacts (id, channel, external_id, first_seen, last_seen)"
            " VALUES (?, 'telegram', ?, ?, ?)",
            [(i, str(i), stamp, stamp) for i in (1, 2, 3)],
        )
        await db.execute(
            "INSERT INTO residents (full_name, bhxh_number, commune, commune_key, village,"
            " village_key, expiry_date, contact_id, source, created_at, updated_at)"
            " VALUES ('A', '0000000001', 'Ea Tul', 'ea tul', 'Thôn 1', 'thon 1', '2027-01-01',"
            " 1, 'import', ?, ?)",
            (stamp, stamp),
        )
        await db.executemany(
            "INSERT INTO registrations (contact_id, interest, full_name, phone, commune,"
            " commune_key, village, village_key, call_time, consent_at, created_at, updated_at)"
            " VALUES (?, 'other', 'B', '+84912345678', ?, ?, '', '', 'any', ?, ?, ?)",
            [
                (1, "Cư Né", "cu ne", stamp, stamp, stamp),
                (2, "Cư Né", "cu ne", stamp, stamp, stamp),
            ],
        )
        await db.migrate(Migration.discover())
        rows = await db.fetchall(
            "SELECT contact_id, commune, village, source FROM contact_places ORDER BY contact_id"
        )
        assert [tuple(row) for row in rows] == [
            (1, "Ea Tul", "Thôn 1", "card"),
            (2, "Cư Né", "", "registration"),
        ]
    finally:
        await db.close()
