"""Officers (people with accounts and communes), one-time invitations, shown choices, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.core.accounts import Account, AccountError
from bot.core.officer import Commune
from bot.core.types import Button
from bot.store import Store
from bot.store.db import Database, Migration
from bot.store.officers import OfficerConflict
from tests.store_queries import audit_entries

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
HOA_PHU = Commune("hoa phu", "Xã Hòa Phú")
AN_PHU = Commune("an phu", "Xã An Phú")
TG = Account("telegram", "11")
ZALO = Account("zalo", "z-abc")


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_add_list_remove_are_audited(store: Store) -> None:
    await store.officers.add([TG], "Bình", HOA_PHU, "cli", NOW)
    (officer,) = await store.officers.all()
    assert officer.accounts == (TG,)
    assert officer.commune_keys == {"hoa phu"}
    assert await store.officers.remove(TG, "cli", NOW)
    assert not await store.officers.remove(TG, "cli", NOW)
    assert [e.action for e in await audit_entries(store.db)] == [
        "officer_add",
        "officer_remove",
    ]


async def test_adding_a_commune_adds_it_and_keeps_the_name(store: Store) -> None:
    await store.officers.add([TG], "Bình", HOA_PHU, "cli", NOW)
    officer = await store.officers.add([TG], "", AN_PHU, "cli", NOW)
    assert officer.name == "Bình"
    assert officer.commune_keys == {"hoa phu", "an phu"}
    assert [o.id for o in await store.officers.of_commune("an phu")] == [officer.id]
    assert await store.officers.remove(TG, "cli", NOW, commune_key="hoa phu")
    again = await store.officers.get(TG)
    assert again is not None
    assert again.commune_keys == {"an phu"}


async def test_two_apps_are_one_officer_and_two_officers_are_not_merged(store: Store) -> None:
    both = await store.officers.add([TG, ZALO], "Bình", HOA_PHU, "cli", NOW)
    assert await store.officers.get(ZALO) == both
    other = Account("telegram", "22")
    await store.officers.add([other], "Chi", AN_PHU, "cli", NOW)
    with pytest.raises(OfficerConflict):
        await store.officers.add([ZALO, other], "", AN_PHU, "cli", NOW)
    assert len(await store.officers.all()) == 2


async def test_an_invitation_works_once_and_not_after_it_expires(store: Store) -> None:
    week = NOW + timedelta(days=7)
    await store.officers.create_invite("abc", HOA_PHU, "telegram:1", NOW, week)
    officer = await store.officers.redeem_invite("abc", ZALO, "Chi", NOW)
    assert officer is not None
    assert officer.commune_keys == {"hoa phu"}
    assert officer.accounts == (ZALO,)
    assert await store.officers.redeem_invite("abc", Account("zalo", "x"), "Dung", NOW) is None
    await store.officers.create_invite("late", AN_PHU, "telegram:1", NOW, week)
    later = NOW + timedelta(days=8)
    assert await store.officers.redeem_invite("late", TG, "Em", later) is None
    rows = await store.db.fetchall("SELECT code_hash, used_by FROM officer_invites")
    assert all(r["code_hash"] not in ("abc", "late") for r in rows)
    assert {r["used_by"] for r in rows} == {"zalo:z-abc", None}


async def test_an_officers_own_invitation_adds_their_other_app(store: Store) -> None:
    officer = await store.officers.add([TG], "Bình", HOA_PHU, "cli", NOW)
    week = NOW + timedelta(days=7)
    await store.officers.create_invite("mine", None, str(TG), NOW, week, for_officer=officer.id)
    joined = await store.officers.redeem_invite("mine", ZALO, "Bình Zalo", NOW)
    assert joined is not None
    assert joined.id == officer.id
    assert set(joined.accounts) == {TG, ZALO}
    assert joined.commune_keys == {"hoa phu"}


async def test_commune_chat(store: Store) -> None:
    assert await store.officers.chat_for("hoa phu") is None
    await store.officers.set_chat(HOA_PHU, Account("telegram", "-100"), "cli", NOW)
    assert await store.officers.chat_for("hoa phu") == Account("telegram", "-100")


async def test_shown_choices_last_a_day_and_can_be_forgotten(store: Store) -> None:
    chat = Account("zalo", "z-abc")
    buttons = (Button("Đã liên hệ", "off:status:1:contacted"), Button("Đã tham gia", "x"))
    await store.officers.show_choices(chat, buttons, NOW)
    assert await store.officers.shown_choices(chat, NOW + timedelta(hours=23)) == buttons
    assert await store.officers.shown_choices(chat, NOW + timedelta(hours=25)) == ()
    await store.officers.forget_choices(chat)
    assert await store.officers.shown_choices(chat, NOW) == ()


def test_accounts_are_read_from_what_operators_type() -> None:
    assert Account.parse("12345") == Account("telegram", "12345")
    assert Account.parse("zalo:abc-1") == Account("zalo", "abc-1")
    assert str(Account.parse(" Telegram:-100 ")) == "telegram:-100"
    for bad, why in (("@binh", "username"), ("viber:1", "not a channel"), ("telegram:x", "id")):
        with pytest.raises(AccountError, match=why):
            Account.parse(bad)


async def test_the_migration_keeps_todays_officers_invites_and_drafts(db_path: Path) -> None:
    older = [m for m in Migration.discover() if m.version < 12]
    db = await Database.open(db_path, migrations=older)
    await db.execute(
        "INSERT INTO officers (telegram_id, name, commune, commune_key, added_by, added_at)"
        " VALUES (11, 'Bình', 'Xã Hòa Phú', 'hoa phu', 'cli', '2026-11-01T00:00:00+00:00')"
    )
    await db.execute(
        "INSERT INTO officer_invites (code_hash, commune, commune_key, created_by, created_at,"
        " expires_at, used_by, used_at) VALUES ('h', 'Xã An Phú', 'an phu', 'cli', 'x', 'y',"
        " 11, 'z')"
    )
    await db.execute(
        "INSERT INTO broadcast_drafts (user_id, token, chat_id, step, created_at, updated_at)"
        " VALUES (11, 'abcdef', '11', 'audience', 'x', 'x')"
    )
    await db.close()
    store = await Store.open(db_path)
    try:
        officer = await store.officers.get(TG)
        assert officer is not None
        assert (officer.name, officer.communes) == ("Bình", (HOA_PHU,))
        (invite,) = await store.db.fetchall("SELECT used_by FROM officer_invites")
        assert invite["used_by"] == "telegram:11"
        (draft,) = await store.db.fetchall("SELECT actor FROM broadcast_drafts")
        assert draft["actor"] == "telegram:11"
    finally:
        await store.close()
