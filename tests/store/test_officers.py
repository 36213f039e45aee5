"""Officers, one-time invitations and the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.store import Store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_add_list_remove_are_audited(store: Store) -> None:
    await store.officers.add(11, "Bình", "Xã Hòa Phú", "hoa phu", "cli", NOW)
    assert [(o.telegram_id, o.commune_key) for o in await store.officers.all()] == [(11, "hoa phu")]
    assert await store.officers.remove(11, "cli", NOW)
    assert not await store.officers.remove(11, "cli", NOW)
    assert [e.action for e in await store.officers.audit_entries()] == [
        "officer_add",
        "officer_remove",
    ]


async def test_an_invitation_works_once_and_not_after_it_expires(store: Store) -> None:
    await store.officers.create_invite(
        "abc", "Xã Hòa Phú", "hoa phu", "telegram:1", NOW, NOW + timedelta(days=7)
    )
    officer = await store.officers.redeem_invite("abc", 22, "Chi", NOW)
    assert officer is not None
    assert officer.commune_key == "hoa phu"
    assert await store.officers.redeem_invite("abc", 23, "Dung", NOW) is None
    await store.officers.create_invite(
        "late", "Xã A", "a", "telegram:1", NOW, NOW + timedelta(days=7)
    )
    assert await store.officers.redeem_invite("late", 24, "Em", NOW + timedelta(days=8)) is None
    rows = await store.db.fetchall("SELECT code_hash FROM officer_invites")
    assert all(r["code_hash"] not in ("abc", "late") for r in rows)


async def test_commune_chat(store: Store) -> None:
    assert await store.officers.chat_for("hoa phu") is None
    await store.officers.set_chat("Xã Hòa Phú", "hoa phu", "-100", "cli", NOW)
    assert await store.officers.chat_for("hoa phu") == "-100"
