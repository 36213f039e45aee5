"""Registration and card linking record where the resident lives; /xoa forgets it."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Loa
from bot.clock import FixedClock
from bot.core.effects import LinkOwnPhone, ListPlaces, Who
from bot.core.places import Place, PlaceBook, PlaceSource, place_key
from bot.core.types import Incoming, Kind
from bot.residents.actions.places import KNOWN_PLACES_FOR, PlaceActions
from bot.store.db import iso
from tests.store_queries import find_contact


def _text(body: str) -> Incoming:
    return Incoming("test", "9", Kind.TEXT, text=body, display_name="Hoa")


def _press(payload: str) -> Incoming:
    return Incoming("test", "9", Kind.BUTTON, text=payload)


async def test_a_registration_sets_the_place_and_erasure_clears_it(loa: Loa) -> None:
    for step in (
        _press("reg"),
        _press("reg:interest:household"),
        _press("reg:consent:yes"),
        _text("Lê Thị Mận"),
        _text("0912 345 678"),
        _text("Xã Hòa Phú"),
        _text("thôn 03"),
        _press("reg:household:4"),
        _press("reg:time:evening"),
        _press("reg:confirm"),
    ):
        await loa.engine.handle(step)
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    known = await loa.store.contacts.place(contact.id)
    assert known is not None
    assert (known.place, known.source) == (Place("Xã Hòa Phú", "thôn 03"), PlaceSource.REGISTRATION)
    assert (known.place.commune_key, known.place.village_key) == ("hoa phu", "thon 3")

    await loa.engine.handle(Incoming("test", "9", Kind.COMMAND, command="xoa"))
    await loa.engine.handle(_press("privacy:erase:yes"))
    assert await loa.store.contacts.place(contact.id) is None


async def test_a_linked_card_sets_the_place_from_the_communes_list(
    loa: Loa, clock: FixedClock
) -> None:
    now = clock.now()
    await loa.store.db.execute(
        "INSERT INTO residents (full_name, bhxh_number, phone, commune, commune_key, village,"
        " village_key, expiry_date, source, created_at, updated_at)"
        " VALUES ('Lê Văn Bảy', '0000000007', '+84912345678', 'Ea Tul', 'ea tul', 'Thôn 1',"
        " 'thon 1', '2027-01-01', 'import', ?, ?)",
        (iso(now), iso(now)),
    )
    me = await loa.store.contacts.touch("test", "9", "Bảy", now)
    await loa.store.contacts.set_place(me.id, Place("Cư Né"), PlaceSource.ANSWER, now)
    assert loa.engine.actions is not None
    linking = await loa.engine.actions.reminders.link_own_phone(
        Who("test", "9", me.id), LinkOwnPhone("+84912345678"), now
    )
    assert linking.status == "linked"
    known = await loa.store.contacts.place(me.id)
    assert known is not None
    assert (known.place, known.source) == (Place("Ea Tul", "Thôn 1"), PlaceSource.CARD)


async def test_the_place_question_offers_the_listed_villages_and_records_the_answer(
    loa: Loa, clock: FixedClock
) -> None:
    listed = [("Ea Tul", "Thôn 3")] * 3 + [("Ea Tul", "Buôn Kmu"), ("Cư Né", "")]
    stamp = iso(clock.now())
    await loa.store.db.executemany(
        "INSERT INTO residents (full_name, bhxh_number, commune, commune_key, village,"
        " village_key, expiry_date, source, created_at, updated_at)"
        " VALUES ('N', ?, ?, ?, ?, ?, '2027-01-01', 'import', ?, ?)",
        [
            (f"{i:010d}", commune, place_key(commune), village, place_key(village), stamp, stamp)
            for i, (commune, village) in enumerate(listed)
        ],
    )
    assert await loa.store.residents.known_places() == [
        Place("Ea Tul", "Thôn 3"),
        Place("Cư Né", ""),
        Place("Ea Tul", "Buôn Kmu"),
    ]
    replies = await loa.engine.handle(_text("thẻ bhyt hết hạn thì làm sao"))
    asked = replies[-1]
    assert "sống ở xã nào" in asked.text
    assert [b.label for b in asked.buttons] == ["Ea Tul", "Cư Né", "Bỏ qua"]
    (villages,) = await loa.engine.handle(_press(asked.buttons[0].payload))
    assert [b.label for b in villages.buttons] == ["Thôn 3", "Buôn Kmu", "Thôn khác / bỏ qua"]
    (saved,) = await loa.engine.handle(_text("2"))  # a typed number picks the second button
    assert "Buôn Kmu, xã Ea Tul" in saved.text
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    known = await loa.store.contacts.place(contact.id)
    assert known is not None
    assert (known.place, known.source) == (Place("Ea Tul", "Buôn Kmu"), PlaceSource.ANSWER)


async def test_the_listed_villages_are_read_again_after_five_minutes(
    loa: Loa, clock: FixedClock
) -> None:
    places = PlaceActions(loa.store)
    who = Who("test", "9", (await loa.store.contacts.touch("test", "9", "", clock.now())).id)
    assert await places.known(who, ListPlaces(), clock.now()) == PlaceBook()
    stamp = iso(clock.now())
    await loa.store.db.execute(
        "INSERT INTO residents (full_name, bhxh_number, commune, commune_key, village,"
        " village_key, expiry_date, source, created_at, updated_at)"
        " VALUES ('N', '0000000001', 'Ea Tul', 'ea tul', 'Thôn 3', 'thon 3', '2027-01-01',"
        " 'import', ?, ?)",
        (stamp, stamp),
    )
    clock.advance(KNOWN_PLACES_FOR - timedelta(seconds=1))
    assert await places.known(who, ListPlaces(), clock.now()) == PlaceBook()
    clock.advance(timedelta(seconds=1))
    fresh = await places.known(who, ListPlaces(), clock.now())
    assert fresh == PlaceBook((Place("Ea Tul", "Thôn 3"),))
