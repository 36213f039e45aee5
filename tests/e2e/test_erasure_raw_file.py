"""After /xoa the erased name and phone are gone from the raw database file and its WAL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from bot.core.effects import Erased, EraseMyData, Who
from bot.store.registrations import NewRegistration
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram

RESIDENT = 7301
NAME = "Hoàng Thị Xuyến Quỳnh"
PHONE_TYPED = "0987 654 321"
PHONE_DIGITS = "987654321"  # in every form it is stored or shown: +84987654321, 0987 654 321…
VILLAGE = "Thôn Khuê Trung"


def _raw(db_path: Path) -> dict[str, bytes]:
    """The bytes of the database file and of its write-ahead log, as a disk would show them."""
    wal = db_path.with_name(db_path.name + "-wal")
    return {"db": db_path.read_bytes(), "wal": wal.read_bytes() if wal.exists() else b""}


def _leaks(db_path: Path, *facts: str) -> list[tuple[str, str]]:
    """Which facts can be found in which file, in UTF-8 (how SQLite stores text)."""
    raw = _raw(db_path)
    return [(where, fact) for where, data in raw.items() for fact in facts if fact.encode() in data]


@pytest.fixture
async def loa_bot(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    settings = fake_settings(server, db_path)
    async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1):
        yield loa


async def _say(server: FakeTelegram, text: str) -> str:
    count = len(server.sent(RESIDENT)) + 1
    server.push_text(RESIDENT, text)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT, count=count)
    return server.sent(RESIDENT)[-1].text or ""


async def _press(server: FakeTelegram, payload: str) -> str:
    count = len(server.sent(RESIDENT)) + 1
    server.push_callback(RESIDENT, payload)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT, count=count)
    return server.sent(RESIDENT)[-1].text or ""


async def test_xoa_leaves_neither_name_nor_phone_in_the_database_file_or_its_wal(
    server: FakeTelegram, loa_bot: Loa, db_path: Path
) -> None:
    await _say(server, "/start")
    await _press(server, "reg")
    await _press(server, "reg:interest:household")
    await _press(server, "reg:consent:yes")
    await _say(server, NAME)
    await _say(server, PHONE_TYPED)
    await _say(server, "Xã Hòa Phú")
    await _say(server, VILLAGE)
    await _press(server, "reg:household:4")
    await _press(server, "reg:time:evening")
    assert "DK000001" in await _press(server, "reg:confirm")
    assert _leaks(db_path, NAME, PHONE_DIGITS)  # stored, so the check below can see them

    assert "chắc chắn" in await _say(server, "/xoa")
    assert "Đã xóa" in await _press(server, "privacy:erase:yes")

    assert _leaks(db_path, NAME, PHONE_DIGITS, VILLAGE) == []
    assert await loa_bot.store.registrations.counts() != {}  # the database is still whole


async def test_the_erase_action_scrubs_a_typed_card_and_a_registration(
    loa: Loa, clock: FixedClock
) -> None:
    now = clock.now()
    contact = await loa.store.contacts.touch("telegram", "42", "", now)
    await loa.store.residents.add_self_reported(contact.id, NAME, date(2027, 3, 1), now)
    await loa.store.registrations.save(
        contact.id,
        NewRegistration(
            "household",
            NAME,
            "+84987654321",
            "Xã Hòa Phú",
            "hoa phu",
            VILLAGE,
            "khue trung",
            4,
            "any",
            now,
        ),
        now,
    )
    assert _leaks(loa.store.db.path, NAME, PHONE_DIGITS)

    assert loa.engine.actions is not None
    erase = loa.engine.actions.registration.erase
    done = await erase(Who("telegram", "42", contact.id), EraseMyData(), now)

    assert done == Erased(registrations=1, messages=0, cards=1)
    assert _leaks(loa.store.db.path, NAME, PHONE_DIGITS, VILLAGE) == []
