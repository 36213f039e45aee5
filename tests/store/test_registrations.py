"""Registrations: merged within 30 days, never half-saved, erased down to anonymous counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.officers.importing.service import import_residents
from bot.store import Store
from bot.store.registrations import (
    NewRegistration,
    Registrations,
    RegistrationStatus,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


def new(
    phone: str = "+84905123456", interest: str = "household", name: str = "Lê Văn An"
) -> NewRegistration:
    return NewRegistration(
        interest, name, phone, "Xã Hòa Phú", "hoa phu", "Thôn 3", "thon 3", 4, "any", NOW
    )


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_the_same_phone_and_interest_within_30_days_updates_the_registration(
    store: Store,
) -> None:
    first = await store.registrations.save(None, new(), NOW)
    again = await store.registrations.save(None, new(name="Lê Văn Bình"), NOW + timedelta(days=29))
    other = await store.registrations.save(
        None, new(interest="voluntary"), NOW + timedelta(days=29)
    )
    assert (first.merged, again.merged, other.merged) == (False, True, False)
    assert again.registration.id == first.registration.id
    assert again.registration.full_name == "Lê Văn Bình"
    assert first.registration.reference == "DK000001"
    assert len(await store.registrations.listing()) == 2


async def test_after_30_days_a_new_registration_is_made(store: Store) -> None:
    await store.registrations.save(None, new(), NOW)
    later = await store.registrations.save(None, new(), NOW + timedelta(days=31))
    assert not later.merged
    assert later.registration.id == 2


async def test_a_crash_in_the_middle_leaves_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Registrations, "_event", crash)
    with pytest.raises(RuntimeError):
        await store.registrations.save(None, new(), NOW)
    assert await store.db.fetchall("SELECT * FROM registrations") == []


async def test_status_and_commune_listing(store: Store) -> None:
    saved = await store.registrations.save(None, new(), NOW)
    assert await store.registrations.set_status(
        saved.registration.id, RegistrationStatus.JOINED, NOW
    )
    assert not await store.registrations.set_status(99, RegistrationStatus.JOINED, NOW)
    assert [r.status for r in await store.registrations.listing(commune_keys=["hoa phu"])] == [
        RegistrationStatus.JOINED
    ]
    assert await store.registrations.listing(commune_keys=["hoa an"]) == []
    assert await store.registrations.listing(since=NOW + timedelta(days=1)) == []


async def test_erasing_keeps_only_anonymous_counts(store: Store) -> None:
    contact = await store.contacts.touch("telegram", "42", "Lan", NOW)
    await store.messages.add(contact.id, "in", "text", "tên tôi là Lê Văn An", NOW)
    await store.registrations.save(contact.id, new(), NOW)
    erased = await store.registrations.erase_contact(contact.id, NOW)
    assert (erased.registrations, erased.messages) == (1, 1)
    assert await store.registrations.for_contact(contact.id) == []
    assert (await store.registrations.counts())["new"] == 1
    await store.contacts.touch("telegram", "42", "Lan", NOW)
    found = await store.contacts.get(contact.id)
    assert found is not None
    assert found.display_name == ""
    row = await store.db.fetchone("SELECT full_name, phone, village FROM registrations")
    assert row is not None
    assert tuple(row) == ("", "", "")


async def test_erasing_unlinks_every_card_so_no_reminder_reaches_the_person(
    store: Store, tmp_path: Path
) -> None:
    listing = tmp_path / "danh_sach.csv"
    listing.write_text(
        "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"
        "Lê Văn An,05/03/1958,0123456789,0905 123 456,Thôn 3,Ea Tul,05/01/2027\n",
        encoding="utf-8",
    )
    await import_residents(store.residents, listing, today=NOW.date(), now=NOW)
    (listed,) = await store.residents.find_by_phone("+84905123456")
    contact = await store.contacts.touch("telegram", "42", "Lan", NOW)
    other_app = await store.contacts.touch("zalo", "z42", "Lan", NOW)
    await store.residents.link(listed.id, contact.id, NOW)
    await store.residents.link(listed.id, other_app.id, NOW)  # the last link is Zalo's
    assert [r.id for r in await store.residents.for_contact(contact.id)] == [listed.id]
    await store.registrations.erase_contact(contact.id, NOW)
    assert await store.residents.for_contact(contact.id) == []
    assert [r.id for r in await store.residents.for_contact(other_app.id)] == [listed.id]
