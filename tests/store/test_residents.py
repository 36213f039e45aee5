"""The resident registry: look-ups for self-linking, links, self-reported cards, opt-out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.officers.importing.service import import_residents
from bot.store import Store

NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
LIST = (
    "Họ và tên,Ngày sinh,Mã số BHXH,Số CCCD,Số điện thoại,Hạn thẻ\n"
    "Nguyễn Văn An,01/02/1950,0100000001,,0905123456,31/12/2026\n"
    "Nguyễn Thị Hoa,1952,0100000002,001152000002,0905123456,31/01/2027\n"
)


@pytest.fixture
async def store(db_path: Path, tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    await import_residents(opened.residents, path, today=NOW.date(), now=NOW)
    yield opened
    await opened.close()


async def test_find_by_phone_returns_everyone_sharing_the_number(store: Store) -> None:
    found = await store.residents.find_by_phone("+84905123456")
    assert [r.full_name for r in found] == ["Nguyễn Văn An", "Nguyễn Thị Hoa"]
    assert await store.residents.find_by_phone("+84905000000") == []


async def test_find_by_identity_needs_the_number_and_the_full_birth_date(store: Store) -> None:
    an = await store.residents.find_by_identity("0100000001", date(1950, 2, 1))
    assert an is not None
    assert an.full_name == "Nguyễn Văn An"
    assert await store.residents.find_by_identity("0100000001", date(1950, 2, 2)) is None
    # Hoa's list gives only a birth year: a number and a guessed date never link.
    assert await store.residents.find_by_identity("001152000002", date(1952, 1, 1)) is None


async def test_link_for_contact_and_turning_reminders_off(store: Store) -> None:
    contact = await store.contacts.touch("telegram", "42", "An", NOW)
    an, hoa = await store.residents.find_by_phone("+84905123456")
    await store.residents.link(an.id, contact.id, NOW)
    await store.residents.link(hoa.id, contact.id, NOW)
    linked = await store.residents.for_contact(contact.id)
    assert [(r.id, r.reminders_enabled) for r in linked] == [(an.id, True), (hoa.id, True)]
    await store.residents.set_reminders(contact.id, False, NOW)
    assert [r.reminders_enabled for r in await store.residents.for_contact(contact.id)] == [
        False,
        False,
    ]


async def test_a_self_reported_card_is_one_per_contact_and_renews(store: Store) -> None:
    contact = await store.contacts.touch("telegram", "43", "Bình", NOW)
    first = await store.residents.add_self_reported(contact.id, "Bình", date(2026, 12, 1), NOW)
    assert (first.source, first.contact_id, first.bhxh_number) == ("self", contact.id, None)
    again = await store.residents.add_self_reported(contact.id, "Bình", date(2027, 12, 1), NOW)
    assert again.id == first.id
    assert again.expiry_date == date(2027, 12, 1)
    assert await store.residents.renewals(first.id) == [(date(2026, 12, 1), date(2027, 12, 1))]
    assert await store.residents.count() == 3
