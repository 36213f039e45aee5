from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.core.types import Button, State
from bot.store import ContactStatus, Store
from tests.store_queries import contact_counts


async def test_touch_creates_then_updates_a_contact(db_path: Path, clock: FixedClock) -> None:
    store = await Store.open(db_path)
    try:
        first = await store.contacts.touch("telegram", "42", "Lan", clock.now())
        clock.advance(timedelta(hours=1))
        again = await store.contacts.touch("telegram", "42", "", clock.now())
        assert again.id == first.id
        assert again.display_name == "Lan"
        assert again.first_seen == first.first_seen
        assert again.last_seen == clock.now()
        assert again.status is ContactStatus.ACTIVE
        other = await store.contacts.touch("zalo", "42", "Lan", clock.now())
        assert other.id != first.id
    finally:
        await store.close()


async def test_status_and_counts(db_path: Path, clock: FixedClock) -> None:
    store = await Store.open(db_path)
    try:
        a = await store.contacts.touch("telegram", "1", "A", clock.now())
        await store.contacts.touch("telegram", "2", "B", clock.now())
        await store.contacts.set_status(a.id, ContactStatus.STOPPED, clock.now())
        counts = await contact_counts(store.db)
        assert counts[ContactStatus.STOPPED] == 1
        assert counts[ContactStatus.ACTIVE] == 1
        assert counts[ContactStatus.BLOCKED] == 0
    finally:
        await store.close()


async def test_conversation_survives_a_restart(db_path: Path, clock: FixedClock) -> None:
    store = await Store.open(db_path)
    contact = await store.contacts.touch("telegram", "7", "Minh", clock.now())
    state = State("calc", "members", {"months": 6, "note": "<b>{{ 7*7 }}</b>"})
    buttons = (Button("1 người", "calc:m:1"), Button("2 người", "calc:m:2"))
    await store.conversations.save(contact.id, state, buttons, clock.now())
    await store.messages.add(contact.id, "in", "text", "'; DROP TABLE contacts; --", clock.now())
    await store.close()

    store = await Store.open(db_path)
    try:
        saved = await store.conversations.get(contact.id)
        assert saved is not None
        assert saved.state == state
        assert saved.buttons == buttons
        logged = await store.messages.for_contact(contact.id)
        assert [m.text for m in logged] == ["'; DROP TABLE contacts; --"]
        assert await store.contacts.get(contact.id) is not None
    finally:
        await store.close()
