from __future__ import annotations

import asyncio

from bot.app import Loa
from bot.core.types import Incoming, Kind
from bot.store import ContactStatus
from tests.store_queries import find_contact


def text(body: str, sender: str = "9") -> Incoming:
    return Incoming("test", sender, Kind.TEXT, text=body, display_name="Hoa")


async def test_every_message_is_logged_both_ways(loa: Loa) -> None:
    await loa.engine.handle(Incoming("test", "9", Kind.COMMAND, command="start"))
    await loa.engine.handle(text("<b>{{ 7*7 }}</b>"))
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    logged = await loa.store.messages.for_contact(contact.id)
    assert [m.direction for m in logged] == ["in", "out", "in", "out"]
    assert logged[2].text == "<b>{{ 7*7 }}</b>"
    assert "49" not in logged[3].text


async def test_stop_stays_until_the_resident_turns_messages_back_on(loa: Loa) -> None:
    await loa.engine.handle(Incoming("test", "9", Kind.COMMAND, command="stop"))
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    assert contact.status is ContactStatus.STOPPED
    replies = await loa.engine.handle(text("chào"))
    assert replies[-1].buttons[-1].payload == "resume"
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    assert contact.status is ContactStatus.STOPPED
    replies = await loa.engine.handle(Incoming("test", "9", Kind.COMMAND, command="batdau"))
    assert replies[0].text.startswith("Đã bật lại")
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    assert contact.status is ContactStatus.ACTIVE


async def test_a_resident_marked_unreachable_is_active_again_by_writing(loa: Loa) -> None:
    await loa.engine.handle(text("chào"))
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    await loa.store.contacts.set_status(contact.id, ContactStatus.BLOCKED, contact.last_seen)
    await loa.engine.handle(text("chào"))
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    assert contact.status is ContactStatus.ACTIVE


async def test_a_typed_number_presses_the_button_last_shown(loa: Loa) -> None:
    await loa.engine.handle(Incoming("test", "9", Kind.COMMAND, command="menu"))
    replies = await loa.engine.handle(text("5"))
    assert "1900 9068" in replies[0].text
    assert [b.payload for b in replies[0].buttons] == ["menu"]


async def test_control_characters_are_removed_before_storing(loa: Loa) -> None:
    await loa.engine.handle(text("a\x00b\x1bc\x7f\u202ed"))
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    logged = await loa.store.messages.for_contact(contact.id)
    assert logged[0].text == "abcd"


async def test_many_residents_at_once_are_all_answered_and_stored(loa: Loa) -> None:
    people = [str(n) for n in range(40)]
    answers = await asyncio.gather(
        *(
            loa.engine.handle(text("nha toi 4 nguoi dong bhyt 6 thang het bao nhieu", p))
            for p in people
        )
    )
    assert all("1.912.680 đồng" in replies[0].text for replies in answers)
    for person in people:
        contact = await find_contact(loa.store.db, "test", person)
        assert contact is not None
        assert len(await loa.store.messages.for_contact(contact.id)) == 2


async def test_one_residents_messages_are_answered_in_order(loa: Loa) -> None:
    first = loa.engine.handle(Incoming("test", "9", Kind.COMMAND, command="menu"))
    second = loa.engine.handle(text("5"))  # presses the fifth button of the menu above
    _, replies = await asyncio.gather(first, second)
    assert "1900 9068" in replies[0].text
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    logged = [m.text for m in await loa.store.messages.for_contact(contact.id)]
    assert logged[0] == ""
    assert logged[2] == "5"


async def test_an_unknown_address_loads_as_nobody(loa: Loa) -> None:
    assert await loa.store.conversations.load("test", "nobody") == (None, None)


async def test_a_registrations_name_and_phone_are_not_copied_into_the_message_log(
    loa: Loa,
) -> None:
    steps = [
        Incoming("test", "9", Kind.BUTTON, text="reg"),
        Incoming("test", "9", Kind.BUTTON, text="reg:interest:household"),
        Incoming("test", "9", Kind.BUTTON, text="reg:consent:yes"),
        text("Lê Thị Mận"),
        text("0912 345 678"),
    ]
    replies = []
    for step in steps:
        replies += await loa.engine.handle(step)
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    logged = [m.text for m in await loa.store.messages.for_contact(contact.id)]
    assert "[name]" in logged
    assert "[phone]" in logged
    assert not [t for t in logged if "Mận" in t or "345" in t]
    assert "xã" in replies[-1].text  # the flow went on to ask the commune


async def test_a_lone_surrogate_is_stored_as_a_replacement_character(loa: Loa) -> None:
    incoming = Incoming("test", "9", Kind.TEXT, text="chào \ud800", display_name="Hoa\udcff")
    assert incoming.text == "chào \ufffd"
    replies = await loa.engine.handle(incoming)
    assert replies
    assert all(reply.text.strip() for reply in replies)
    contact = await find_contact(loa.store.db, "test", "9")
    assert contact is not None
    assert contact.display_name == "Hoa\ufffd"
    logged = await loa.store.messages.for_contact(contact.id)
    assert logged[0].text == "chào \ufffd"
